"""Workspace settings as `/stack settings <name> <value>` writes them, parsed and checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.errors import Rejected
from core.layers import find_layer
from core.options import channel_option, clears
from core.schedule import WEEKDAYS
from core.text import nearest

MAX_LEADS = 6
ON = frozenset({"on", "yes", "true", "1"})
OFF = frozenset({"off", "no", "false", "0"})


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    column: str  # the Workspace column it is stored in
    parse: Callable[[str], object]
    example: str


def _channel(text: str) -> str | None:
    channel = channel_option(text)
    return channel.id if channel is not None else None


def _weekday(text: str) -> int:
    word = text.casefold()
    for index, day in enumerate(WEEKDAYS):
        if word in (day, day[:3]):
            return index
    raise Rejected(
        "bad_setting", name="digest-day", value=text, example="monday",
        suggestion=nearest(word, WEEKDAYS),
    )  # fmt: skip


def _hour(name: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        digits = text.removesuffix(":00").removesuffix("h")
        if not digits.isdigit() or not 0 <= int(digits) <= 23:
            raise Rejected("bad_setting", name=name, value=text, example="9 (0-23, local time)")
        return int(digits)

    return parse


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone(text: str) -> str:
    zones = _zones()
    if text in zones:
        return text
    by_fold = {zone.casefold(): zone for zone in zones}
    if text.casefold() in by_fold:
        return by_fold[text.casefold()]
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise Rejected(
            "bad_setting", name="timezone", value=text, example="Europe/Berlin",
            suggestion=nearest(text, zones, cutoff=0.7),
        ) from None  # fmt: skip
    return text


def _leads(text: str) -> list[int]:
    parts = [p.strip().removesuffix("d") for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and 1 <= int(p) <= 365 for p in parts):
        raise Rejected("bad_setting", name="review-leads", value=text, example="60,30,7")
    leads = sorted({int(p) for p in parts}, reverse=True)
    if len(leads) > MAX_LEADS:
        raise Rejected("bad_setting", name="review-leads", value=text, example="60,30,7")
    return leads


def _switch(name: str) -> Callable[[str], bool]:
    def parse(text: str) -> bool:
        word = text.casefold()
        if word in ON:
            return True
        if word in OFF:
            return False
        raise Rejected("bad_setting", name=name, value=text, example="on or off")

    return parse


def _owned(text: str) -> list[int]:
    if clears(text):
        return []
    numbers = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        layer = find_layer(part)
        if layer is None:
            raise Rejected("unknown_layer", value=part, suggestion=None)
        numbers.append(layer.number)
    return sorted(set(numbers))


MAX_ESCALATE_AFTER = 12


def _escalate_after(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_ESCALATE_AFTER:
        raise Rejected(
            "bad_setting", name="escalate-after", value=text,
            example=f"2 (weekly overdue reminders, 1-{MAX_ESCALATE_AFTER})",
        )  # fmt: skip
    return int(text)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("digest-channel", "digest_channel", _channel, "#ai-infra"),
        Setting("digest-day", "digest_weekday", _weekday, "monday"),
        Setting("digest-hour", "digest_hour", _hour("digest-hour"), "9"),
        Setting("timezone", "timezone", _timezone, "Europe/Berlin"),
        Setting("review-channel", "review_channel", _channel, "#vendor-reviews"),
        Setting("reminder-hour", "reminder_hour", _hour("reminder-hour"), "9"),
        Setting("review-leads", "review_leads", _leads, "60,30,7"),
        Setting("dm-owners", "dm_owners", _switch("dm-owners"), "on"),
        Setting("skip-empty-digest", "skip_empty_digest", _switch("skip-empty-digest"), "on"),
        Setting("own", "owned_layers", _owned, "data,governance"),
        Setting("escalate-after", "escalate_after", _escalate_after, "2"),
    )
}


def parse_setting(name: str, text: str) -> tuple[Setting, object]:
    """The setting `name` and the value `text` gives it, or Rejected saying what would work."""
    setting = SETTINGS.get(name.casefold())
    if setting is None:
        raise Rejected("unknown_setting", value=name, suggestion=nearest(name, SETTINGS))
    value = text.strip()
    if not value:
        raise Rejected("missing_setting_value", name=setting.name, example=setting.example)
    return setting, setting.parse(value)
