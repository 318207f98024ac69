"""What people type never combines with stackbot's own bold, italics, strike or code.

Slack pairs `*`, `_`, `~` and backticks wherever it finds them; it has no escape for them. So a
tool named `a*b` shown as `*a*b*` would be bold "a" and a stray "b*". Every view of every state
(test_states.py) is rendered with tools named like that, and its mrkdwn read the way Slack
pairs markers; these tests pin the rule down on its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from templates.plain import to_text
from templates.render import inert, render
from tests.slack_checks import MARKERS, assert_markers_pair
from tests.templates.states import STATES, TRICKY, Built
from tests.templates.test_states import VIEWS


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
        backup_owner_id=None, former_owner_id=None,
        renews_on=None, notice_days=None, next_review_on=None, last_review_on=None,
        channel_id=None, status="active", retired_at=None, notes="`n`", added_by="UALICE",
        added_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    message = render(
        "tool_show", tool=tool, cost=None, entry=None, zone="UTC", primary=(), secondary=(),
        platform=False, others={},
    )  # fmt: skip
    assert message["blocks"][0]["text"] == {"type": "plain_text", "text": "*a_b*", "emoji": True}
    assert "*a_b*" in to_text(message)  # the terminal formats nothing: it shows what was typed
    assert "~v~" in to_text(message)


def test_it_shows_the_tricky_names_in_bold_where_names_appear(
    built: Callable[[str], Built],
) -> None:
    # test_states checks every view of every state with assert_no_typed_markers; it must not
    # pass because the names were never shown.
    seen = json.dumps(
        [VIEWS[v](built(s)) for s in STATES for v in ("list", "map", "reviews", "replies")],
        ensure_ascii=False,
    )
    for name in TRICKY:
        assert f"*{inert(name)}*" in seen, name
