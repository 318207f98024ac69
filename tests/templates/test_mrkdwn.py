"""What people type never combines with stackbot's own bold, italics, strike or code.

Slack pairs `*`, `_`, `~` and backticks wherever it finds them; it has no escape for them. So a
tool named `a*b` shown as `*a*b*` would be bold "a" and a stray "b*". Every view of every state
is rendered with tools named like that, and its mrkdwn read the way Slack pairs markers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from bot.terminal import to_text
from templates.render import inert, render
from tests.templates.states import STATES, TRICKY, Built
from tests.templates.test_states import VIEWS

MARKERS = "*_~`"
# A marker between two letters or digits is literal in Slack (`channel_not_found`,
# `:rotating_light:`); only one at a word's edge can open or close formatting.
_INTRAWORD = re.compile(r"(?<=[^\W_])[*_~`](?=[^\W_])")


def mrkdwn_texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield node["text"]
        for value in node.values():
            yield from mrkdwn_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn_texts(item)


def assert_markers_pair(text: str) -> None:
    """Each line's markers are stackbot's own, in pairs: none from a name is left to pair."""
    for line in _INTRAWORD.sub("", text).split("\n"):
        for marker in MARKERS:
            assert line.count(marker) % 2 == 0, (marker, line)


@pytest.mark.parametrize("name", [*TRICKY, "**", "_", "a~b~c", "x`y", "＊full＊", "＿w＿"])
def test_it_keeps_a_name_from_pairing_with_the_bold_around_it(name: str) -> None:
    tool = SimpleNamespace(name=name)
    message = render("tool_removed", tool=tool)
    section = message["blocks"][0]["text"]["text"]
    assert f"Retired *{inert(name)}*." in section
    assert not set(inert(name)) & set(MARKERS + "＊＿～｀")
    assert_markers_pair(section)
    assert message["blocks"][1]["elements"][0]["text"].count("`") == 4  # two code spans intact


def test_it_keeps_stackbots_own_formatting_and_the_three_entities() -> None:
    tool = SimpleNamespace(name="<!here> & *x*")
    section = render("tool_removed", tool=tool)["blocks"][0]["text"]["text"]
    assert section.startswith(":wastebasket: Retired *&lt;!here&gt; &amp; ∗x∗*.")


def test_it_shows_the_name_exactly_where_slack_does_not_format() -> None:
    tool = SimpleNamespace(
        name="*a_b*", layers=[1], capabilities=[], vendor="~v~", sourcing=None, owner_id=None,
        renews_on=None, notice_days=None, next_review_on=None, last_review_on=None,
        channel_id=None, status="active", retired_at=None, notes="`n`", added_by="UALICE",
        added_at=__import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").UTC),
    )  # fmt: skip
    message = render("tool_show", tool=tool, cost=None, entry=None, zone="UTC")
    assert message["blocks"][0]["text"] == {"type": "plain_text", "text": "*a_b*", "emoji": True}
    assert "*a_b*" in to_text(message)  # the terminal formats nothing: it shows what was typed
    assert "~v~" in to_text(message)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("state", STATES)
def test_it_never_lets_typed_text_pair_with_stackbots_markers(
    built: Callable[[str], Built], state: str, view: str
) -> None:
    for _, rendered in VIEWS[view](built(state)):
        texts = [rendered.get("text", ""), *mrkdwn_texts(rendered.get("blocks", []))]
        for text in texts:
            assert_markers_pair(text)
            for name in TRICKY:
                assert name not in text, (name, text)


def test_it_shows_the_tricky_names_in_bold_where_names_appear(
    built: Callable[[str], Built],
) -> None:
    # The check above must not pass because the names were never shown.
    seen = json.dumps(
        [VIEWS[v](built(s)) for s in STATES for v in ("list", "map", "reviews", "replies")],
        ensure_ascii=False,
    )
    for name in TRICKY:
        assert f"*{inert(name)}*" in seen, name
