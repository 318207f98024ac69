from __future__ import annotations

from templates.render import _drop_trailing_commas, clip, escape_mrkdwn, render
from tests.slack_checks import assert_valid_message


def test_it_escapes_exactly_the_three_characters_slack_asks_for() -> None:
    assert escape_mrkdwn("<!channel> & \"quotes\" 'too'") == (
        "&lt;!channel&gt; &amp; \"quotes\" 'too'"
    )


def test_it_escapes_user_values_for_mrkdwn_and_json_at_once() -> None:
    message = render("error", code="no_such_tool", value='"}, {"type": "divider', suggestion=None)
    assert_valid_message(message)
    assert len(message["blocks"]) == 1
    assert '"}, {"type": "divider' in message["text"]


def test_it_drops_only_trailing_commas_outside_strings() -> None:
    assert _drop_trailing_commas("[1, 2, ]") == "[1, 2 ]"
    assert _drop_trailing_commas('{"a": ",]",\n}') == '{"a": ",]"\n}'
    assert _drop_trailing_commas('["\\",]",]') == '["\\",]"]'


def test_it_clips_without_cutting_an_entity_or_a_mention() -> None:
    assert clip("abc", 10) == "abc"
    assert clip("abcd &amp; e", 7) == "abcd …"
    assert clip("hi <@U12345> there", 8) == "hi …"
    assert len(clip("x" * 5000, 3000)) == 3000


def test_it_renders_every_error_code_within_slack_limits() -> None:
    codes = [
        "too_long", "control_characters", "unbalanced_quotes", "unknown_command",
        "unknown_help", "missing_name", "unexpected_word", "no_options", "unknown_key",
        "layers_twice", "empty_name", "name_too_long", "unknown_layer", "rename_on_add",
        "repeated_key", "empty_value", "unknown_capability", "bad_vendor", "bad_cost",
        "negative_cost", "huge_cost", "bad_currency", "bad_cost_period", "bad_date",
        "ambiguous_date", "impossible_date", "incomplete_date", "far_date", "bad_owner",
        "bad_notice", "bad_sourcing", "bad_channel", "notes_too_long", "misspelt_tool",
        "unknown_tool_needs_layer", "tool_exists", "tool_retired", "nothing_to_change",
        "name_taken", "already_retired", "no_such_tool", "something_new",
    ]  # fmt: skip
    details = {"value": "<x>", "suggestion": "y", "length": 1, "limit": 2, "command": "add",
               "key": "layer", "currency": "XYZ", "name": "n", "other": "o"}  # fmt: skip
    for code in codes:
        message = render("error", code=code, **details)
        assert_valid_message(message)
        assert "could not do that" not in message["text"] or code == "something_new", code
