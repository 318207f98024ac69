"""Slack messages as a person reads them in a terminal."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from templates.render import LOOK_ALIKES

_ENTITY = re.compile(r"<([@#!])([^|>]+)(?:\|([^>]*))?>|<([^|>]+)\|([^>]+)>")
_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(^|\s)_([^_\n]+)_(?=\s|$|[.,;:])", re.MULTILINE)
# What people typed, back from the look-alikes that kept it from formatting in Slack: a terminal
# formats nothing, so it can show names exactly.
_TYPED = str.maketrans({shape: typed for typed, shape in LOOK_ALIKES.items() if typed.isascii()})
_EMOJI = {
    ":warning:": "!",
    ":white_check_mark:": "✓",
    ":pencil2:": "✎",
    ":wastebasket:": "✗",
    ":chart_with_upwards_trend:": "↑",
    ":moneybag:": "»",
    ":tada:": "✓",
    ":arrows_counterclockwise:": "↺",
    ":gear:": "⚙",
    ":calendar:": "◷",
    ":rotating_light:": "!",
    ":key:": "⚿",
    ":question:": "?",
    ":arrow_up:": "↑",
    ":new:": "+",
    ":broom:": "~",
    ":frame_with_picture:": "▣",
    ":hammer_and_wrench:": "⚒",
    ":hourglass:": "⧗",
    ":information_source:": "i",
    ":link:": "↔",
    ":mag:": "?",
    ":no_entry:": "✗",
    ":wave:": "›",
}


def plain(mrkdwn: str) -> str:
    """mrkdwn with mentions, links, entities and emoji codes made readable."""

    def entity(match: re.Match[str]) -> str:
        if match[1]:
            sigil = "@" if match[1] == "@" else "#" if match[1] == "#" else "@"
            return sigil + (match[3] or match[2])
        return f"{match[5]} ({match[4]})"

    text = _ENTITY.sub(entity, mrkdwn)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1\2", text)
    for code, symbol in _EMOJI.items():
        text = text.replace(code, symbol)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def to_text(message: dict[str, Any], *, width: int = 100) -> str:
    """The message's blocks as lines of text; its fallback `text` when it has no blocks."""
    lines: list[str] = []
    for block in message.get("blocks") or []:
        kind = block.get("type")
        if kind == "header":
            title = block["text"]["text"]
            lines += ["", title, "=" * min(len(title), width)]
        elif kind == "divider":
            lines.append("-" * min(40, width))
        elif kind == "section":
            if lines and lines[-1]:
                lines.append("")
            if "text" in block:
                lines += _wrap(plain(block["text"]["text"]), width)
            for field in block.get("fields", []):
                label, _, value = plain(field["text"]).partition("\n")
                first, *more = value.split("\n")
                lines.append(f"  {label.strip('*')}: {first}")
                lines += [f"    {line}" for line in more]  # a value's own lines stay under it
        elif kind == "context":
            for element in block.get("elements", []):
                lines += _wrap(plain(element.get("text", "")), width, indent="  ")
    if not lines:
        lines = _wrap(plain(message.get("text", "")), width)
    return "\n".join(lines).strip("\n").translate(_TYPED)


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        # Names like `experiment-tracking` are one word: break lines only at spaces.
        out += textwrap.wrap(
            line, width, initial_indent=indent, subsequent_indent=indent + "  ",
            break_on_hyphens=False, break_long_words=False,
        ) or [""]  # fmt: skip
    return out
