from __future__ import annotations

import pytest

from core.errors import Rejected
from core.options import CLEAR_WORDS, channel_option
from core.preferences import parse_setting


@pytest.mark.parametrize(
    ("name", "text", "column", "value"),
    [
        ("digest-channel", "<#C123|ai-infra>", "digest_channel", "C123"),
        ("digest-channel", "<#C123>", "digest_channel", "C123"),
        ("review-channel", "none", "review_channel", None),
        ("digest-day", "Wednesday", "digest_weekday", 2),
        ("digest-day", "fri", "digest_weekday", 4),
        ("digest-hour", "9", "digest_hour", 9),
        ("reminder-hour", "17:00", "reminder_hour", 17),
        ("timezone", "Europe/Berlin", "timezone", "Europe/Berlin"),
        ("timezone", "america/new_york", "timezone", "America/New_York"),
        ("review-leads", "7,60,30", "review_leads", [60, 30, 7]),
        ("dm-owners", "on", "dm_owners", True),
        ("skip-empty-digest", "off", "skip_empty_digest", False),
        ("own", "data,governance", "owned_layers", [4, 7]),
        ("OWN", "none", "owned_layers", []),
    ],
)
def test_it_reads_each_setting(name: str, text: str, column: str, value: object) -> None:
    setting, parsed = parse_setting(name, text)
    assert setting.column == column
    assert parsed == value


@pytest.mark.parametrize(
    ("name", "text", "suggestion"),
    [
        ("timezone", "Europe/Berln", "Europe/Berlin"),
        ("timezone", "Mars/Olympus", None),
        ("digest-day", "mondya", "monday"),
        ("digest-hour", "25", None),
        ("reminder-hour", "nine", None),
        ("review-leads", "60,0,7", None),
        ("review-leads", "soon", None),
        ("dm-owners", "maybe", None),
    ],
)
def test_it_refuses_a_bad_value_with_an_example(
    name: str, text: str, suggestion: str | None
) -> None:
    with pytest.raises(Rejected) as caught:
        parse_setting(name, text)
    assert caught.value.code == "bad_setting"
    assert caught.value.details["example"]
    if suggestion:
        assert caught.value.details["suggestion"] == suggestion


@pytest.mark.parametrize("word", sorted(CLEAR_WORDS))
def test_a_channel_is_cleared_by_the_same_words_as_a_tools_channel(word: str) -> None:
    assert parse_setting("digest-channel", word)[1] is None
    assert channel_option(word) is None


def test_a_channel_setting_is_read_by_the_tools_channel_parser() -> None:
    assert parse_setting("review-channel", "<#C0AI|ai-infra>")[1] == "C0AI"
    for text, code in (("ai-infra", "bad_channel"), ("#ai-infra", "channel_by_name")):
        with pytest.raises(Rejected) as caught:
            parse_setting("digest-channel", text)
        assert caught.value.code == code
        assert caught.value.details["value"] == text


def test_it_suggests_the_nearest_setting_name() -> None:
    with pytest.raises(Rejected) as caught:
        parse_setting("digest-chanel", "<#C1>")
    assert caught.value.code == "unknown_setting"
    assert caught.value.details["suggestion"] == "digest-channel"
