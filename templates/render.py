"""The one place words are rendered: a Jinja template in, a Slack message (text + blocks) out.

Templates are JSON with Jinja in it. Every `{{ value }}` is escaped twice on its way out: for
Slack's mrkdwn (`&`, `<`, `>` as entities, as
https://docs.slack.dev/messaging/formatting-message-text asks, and the formatting characters as
look-alikes: see `inert`) and for the JSON string it sits in. `{{ value | plain }}` skips the
mrkdwn step, for plain_text fields and identifiers; `{{ value | mrkdwn }}` marks text that is
already mrkdwn (a mention we built); `{{ value | ident }}` keeps the underscores of an identifier
stackbot or Slack wrote (an error code like `channel_not_found`), never of anything a person
typed. A comma before `]` or `}` is dropped, so loops need not special-case their last item.
Text a template has already rendered (a macro's output, a `{% set %}` block) is never escaped
twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from core.layers import LAYER_BY_NUMBER
from core.money import format_amount
from core.people import TERMINAL_USER
from core.schedule import week_of

TEMPLATES = Path(__file__).parent
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FALLBACK_TEXT = 3000

Message = dict[str, Any]


class _Plain(str):
    """Text for a plain_text field: JSON-escaped, not mrkdwn-escaped."""


class _Mrkdwn(str):
    """mrkdwn we wrote ourselves (mentions, links): JSON-escaped only."""


class _Ident(str):
    """An identifier stackbot or Slack wrote: `&`, `<`, `>` escaped, formatting characters kept."""


def escape_mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Slack has no escape for `*`, `_`, `~` and backticks, so a tool named `a*b` inside our own
# `*bold*` would end the bold early and pair its `*` with the next one. Inserting zero-width
# characters does not help: a zero-width space is what makes Slack format in mid-word. So user
# text gets characters of the same shape that Slack does not parse (the substitutions jsx-slack
# uses, https://github.com/yhatt/jsx-slack/blob/main/docs/about-escape-and-exact-mode.md,
# fullwidth forms included, since Slack formats with those too). The store keeps what was typed,
# plain_text fields show it exactly, and a name copied back into a command still finds its tool
# (names match on letters and digits only: core.text.normalise).
LOOK_ALIKES = {
    "*": "\u2217",  # asterisk operator
    "\uff0a": "\ufe61",  # fullwidth asterisk -> small asterisk
    "_": "\u02cd",  # modifier letter low macron
    "\uff3f": "\u2e0f",  # fullwidth low line -> paragraphos
    "~": "\u223c",  # tilde operator
    "\uff5e": "\u223c",  # fullwidth tilde
    "`": "\u02cb",  # modifier letter grave accent
    "\uff40": "\u02cb",  # fullwidth grave accent
}
_INERT = str.maketrans(LOOK_ALIKES)


def inert(text: str) -> str:
    """`text` with nothing Slack would read as bold, italics, strike or code."""
    return text.translate(_INERT)


def _finalize(value: Any) -> Markup:
    # Jinja's autoescape is on only so that rendered template text (macro output, {% set %}
    # blocks, caller()) arrives here as Markup and passes through untouched; raw values are
    # escaped here, never with Jinja's HTML escaping.
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    text = str(value)
    if isinstance(value, _Ident):
        text = escape_mrkdwn(text)
    elif not isinstance(value, _Plain | _Mrkdwn):
        text = inert(escape_mrkdwn(text))
    return Markup(json.dumps(text, ensure_ascii=False)[1:-1])


def _money(amount: Decimal | str | None, currency: str | None, suffix: str = "") -> str:
    if amount is None or currency is None:
        return ""
    return format_amount(Decimal(amount), currency) + suffix


def _spend(totals: Mapping[str, Decimal], suffix: str = "/mo") -> str:
    return " + ".join(format_amount(v, k) + suffix for k, v in totals.items())


def _day(value: date | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day} {value:%b %Y}"


def _when(value: datetime, zone: str = "UTC") -> str:
    local = value.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y %H:%M}"


def _local_day(value: datetime, zone: str = "UTC") -> str:
    """The day a moment falls on in `zone`: "7 Jan 2027"."""
    return _day(value.astimezone(ZoneInfo(zone)).date())


def _layer(number: int) -> str:
    return LAYER_BY_NUMBER[number].title


def _layers(numbers: Sequence[int]) -> str:
    return ", ".join(_layer(n) for n in numbers)


def _names(names: Sequence[str], most: int = 6) -> str:
    """ "A, B and C", or "A, B, C, D, E, F and 12 more" for a long list."""
    shown = list(names[:most])
    rest = len(names) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    return ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1] if shown else ""


def _user(user_id: str | None) -> _Mrkdwn:
    if user_id == TERMINAL_USER:
        return _Mrkdwn("someone at the terminal")
    return _Mrkdwn(f"<@{user_id}>" if user_id else "")


def _channel(channel_id: str | None) -> _Mrkdwn:
    return _Mrkdwn(f"<#{channel_id}>" if channel_id else "")


def _week(period: str) -> str:
    """A digest period ("2026-W50") as people read it: "7 Dec 2026", the Monday it begins."""
    return _day(week_of(period))


def month_label(value: date | str) -> str:
    """A billed month: "Oct 2026" (from a date, or "2026-10" as the history stores it)."""
    if isinstance(value, str):
        value = date.fromisoformat(f"{value[:7]}-01")
    return f"{value:%b %Y}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        plain=_Plain,
        mrkdwn=_Mrkdwn,
        ident=_Ident,
        json=lambda value: Markup(json.dumps(value, ensure_ascii=False)),
        money=_money,
        spend=_spend,
        day=_day,
        month=month_label,
        week=_week,
        when=_when,
        local_day=_local_day,
        layer=_layer,
        layers=_layers,
        names=_names,
        user=_user,
        channel=_channel,
    )
    return env


def render(template: str, /, **context: Any) -> Message:
    """templates/<template>.json.j2 rendered as {"text": ..., "blocks": [...]} within Slack's
    limits."""
    message = _render(template, MAX_BLOCKS, context)
    if not isinstance(message.get("text"), str):
        raise ValueError(f"template {template} must render a message with a text field")
    message["text"] = clip(message["text"], MAX_FALLBACK_TEXT)
    return message


def render_view(template: str, /, **context: Any) -> dict[str, Any]:
    """A modal, an App Home or an options list: up to 100 blocks, no fallback text."""
    return _render(template, MAX_VIEW_BLOCKS, context)


def _render(template: str, max_blocks: int, context: dict[str, Any]) -> dict[str, Any]:
    source = environment().get_template(f"{template}.json.j2").render(**context)
    # strict=False lets a template write a line break as a line break inside a JSON string.
    rendered = json.loads(_drop_trailing_commas(source), strict=False)
    if not isinstance(rendered, dict):
        raise ValueError(f"template {template} must render a JSON object")
    blocks = rendered.setdefault("blocks", []) if "options" not in rendered else []
    if len(blocks) > max_blocks:
        raise ValueError(f"template {template} rendered {len(blocks)} blocks; at most {max_blocks}")
    for block in blocks:
        _fit(block)
    return rendered


def _fit(block: dict[str, Any]) -> None:
    """Clip texts that user data made too long, without cutting an entity or a mention."""
    if block.get("type") == "header":
        block["text"]["text"] = clip(block["text"]["text"], MAX_HEADER_TEXT)
    text = block.get("text")
    if block.get("type") == "section" and isinstance(text, dict):
        text["text"] = clip(text["text"], MAX_SECTION_TEXT)
    for element in block.get("elements", []):
        if block.get("type") == "context" and "text" in element:
            element["text"] = clip(element["text"], MAX_SECTION_TEXT)
    for item in block.get("fields", []):
        item["text"] = clip(item["text"], 2000)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when cut, never inside `&amp;`
    or `<@U123>`."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    opened = max(text.rfind("&", 0, cut), text.rfind("<", 0, cut))
    if opened != -1:
        closer = ";" if text[opened] == "&" else ">"
        closed = text.find(closer, opened)
        if closed == -1 or closed >= cut:
            cut = opened
    return text[:cut] + "…"


# A JSON string (skipped whole), or a comma with only white space before `]` or `}`.
_STRING_OR_TRAILING_COMMA = re.compile(r'"(?:[^"\\]|\\.)*"|,(?=\s*[\]}])')


def _drop_trailing_commas(source: str) -> str:
    return _STRING_OR_TRAILING_COMMA.sub(lambda m: "" if m[0] == "," else m[0], source)
