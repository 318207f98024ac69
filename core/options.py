"""The options of `/stack add` and `/stack edit` (`cost:14k/yr`, `owner:<@U123>` ...) and what
each one accepts. Forms in Slack check their fields with the same parsers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from core.dates import parse_date, past_renewal
from core.errors import Notice, Rejected
from core.layers import CAPABILITIES, CAPABILITY_LAYER, LAYERS, Layer, find_capability, find_layer
from core.money import Cost, parse_cost
from core.text import has_control_characters, nearest, normalise

MAX_NAME = 80
MAX_VENDOR = 80
MAX_NOTES = 1000
MAX_NOTICE_DAYS = 730
MAX_BILLING = 200
CLEAR_WORDS = frozenset({"none", "-", "clear", "nobody", "unset", "off"})
SOURCING = {
    **dict.fromkeys(("build", "built", "inhouse", "homegrown", "own"), "build"),
    **dict.fromkeys(("buy", "bought", "rent", "vendor", "managed", "saas", "paid"), "buy"),
    **dict.fromkeys(("opensource", "oss", "open", "selfhosted"), "open-source"),
}
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|([^<>]*))?>$")
_CHANNEL = re.compile(r"^<#([CGD][A-Z0-9]{2,})(?:\|([^<>]*))?>$")
_YES_NO = {
    **dict.fromkeys(("yes", "y", "true", "on", "platform"), True),
    **dict.fromkeys(("no", "n", "false", "off"), False),
}
_NOTICE = re.compile(r"^(\d{1,4})\s*([a-z]*)\.?$", re.IGNORECASE)
# A notice period in weeks, months or years is kept in days: a month counts 30 days and a year
# 365, the way contracts that say "90 days" mean "3 months". The reply shows the days.
NOTICE_UNITS = {
    **dict.fromkeys(("", "d", "day", "days"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7),
    **dict.fromkeys(("m", "mo", "mos", "mon", "month", "months"), 30),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), 365),
}
# `@ana` or `#ai-infra` typed as plain text: Slack sends a mention as `<@U…>` only when it was
# picked from its menu (or the command escapes names), and the terminal never does.
_PLAIN_USER = re.compile(r"^@([\w.\-']{1,80})$")
_PLAIN_CHANNEL = re.compile(r"^#([\w\-]{1,80})$")


class Unset(Enum):
    """A field the command does not mention (as opposed to None: a field it clears)."""

    UNSET = 0


UNSET = Unset.UNSET


@dataclass(frozen=True, slots=True)
class UserRef:
    id: str
    label: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(frozen=True, slots=True)
class PersonName:
    """`@ana` as typed, not as the mention Slack makes of it: a name the caller may look up (in
    Slack, with a token) or refuse with what to type instead. Never resolved here."""

    name: str


@dataclass(frozen=True, slots=True)
class ChannelName:
    """`#ai-infra` as typed: a channel's name, which only Slack can turn into its id."""

    name: str


@dataclass(frozen=True, slots=True)
class ChannelRef:
    id: str
    label: str | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass(frozen=True, slots=True)
class ToolFields:
    """What one add or edit says about a tool; UNSET fields are left as they are."""

    name: str | Unset = UNSET
    layers: tuple[int, ...] | Unset = UNSET
    capabilities: tuple[str, ...] | Unset = UNSET
    vendor: str | Unset | None = UNSET
    cost: Cost | Unset | None = UNSET
    owner: UserRef | Unset | None = UNSET
    backup: UserRef | Unset | None = UNSET  # who reviews and decides when the owner cannot
    renews: date | Unset | None = UNSET
    notice_days: int | Unset | None = UNSET
    sourcing: str | Unset | None = UNSET
    channel: ChannelRef | Unset | None = UNSET
    notes: str | Unset | None = UNSET
    platform: bool | Unset | None = UNSET
    billing: str | Unset | None = UNSET

    def given(self) -> dict[str, object]:
        return {
            name: value
            for name in self.__dataclass_fields__
            if (value := getattr(self, name)) is not UNSET
        }


KEYS = {
    "name": "name",
    "layer": "layers",
    "layers": "layers",
    "cap": "capabilities",
    "caps": "capabilities",
    "capability": "capabilities",
    "capabilities": "capabilities",
    "vendor": "vendor",
    "cost": "cost",
    "price": "cost",
    "owner": "owner",
    "backup": "backup",
    "renews": "renews",
    "renewal": "renews",
    "notice": "notice_days",
    "sourcing": "sourcing",
    "channel": "channel",
    "notes": "notes",
    "note": "notes",
    "platform": "platform",
    "billing": "billing",
}
OPTION_KEYS = (
    *("layer", "caps", "vendor", "cost", "owner", "backup", "renews", "notice", "sourcing"),
    *("channel", "notes", "name", "platform", "billing"),
)


def check_name(text: str) -> str:
    name = text.strip()
    if not name:
        raise Rejected("empty_name")
    if len(name) > MAX_NAME:
        raise Rejected("name_too_long", length=len(name), limit=MAX_NAME)
    if has_control_characters(name) or any(ch in name for ch in "\n\r\t"):
        raise Rejected("control_characters")
    return name


def layer_named(text: str) -> Layer:
    layer = find_layer(text)
    if layer is None:
        names = [name for layer in LAYERS for name in (layer.key, *layer.aliases)]
        guess = nearest(text, names)
        found = find_layer(guess) if guess else None
        raise Rejected("unknown_layer", value=text, suggestion=found.key if found else None)
    return layer


def layer_list(text: str) -> list[int]:
    return [layer_named(part).number for part in text.split(",") if part.strip()]


def is_layer_list(text: str) -> bool:
    parts = [part for part in text.split(",") if part.strip()]
    return bool(parts) and all(find_layer(part) for part in parts)


def clears(text: str) -> bool:
    return text.strip().casefold() in CLEAR_WORDS


def _opt_name(text: str, today: date) -> str:
    return check_name(text)


def _opt_layers(text: str, today: date) -> tuple[int, ...]:
    layers = layer_list(text)
    if not layers:
        raise Rejected("empty_value", key="layer")
    return tuple(sorted(set(layers)))


def _opt_capabilities(text: str, today: date) -> tuple[str, ...]:
    found: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        capability = find_capability(part)
        if capability is None:
            raise Rejected("unknown_capability", value=part, suggestion=nearest(part, CAPABILITIES))
        found.append(capability)
    if not found:
        raise Rejected("empty_value", key="caps")
    return tuple(sorted(set(found), key=CAPABILITIES.index))


def _opt_vendor(text: str, today: date) -> str | None:
    if clears(text):
        return None
    vendor = text.strip()
    if not vendor:
        raise Rejected("empty_value", key="vendor")
    if len(vendor) > MAX_VENDOR or has_control_characters(vendor):
        raise Rejected("bad_vendor", limit=MAX_VENDOR)
    return vendor


def _opt_cost(text: str, today: date) -> Cost | None:
    return None if clears(text) else parse_cost(text)


def parse_person(text: str) -> UserRef | PersonName:
    """A Slack mention (`<@U123|ana>`) as a user, or a plain `@ana` as a name to look up."""
    match = _MENTION.match(text.strip())
    if match is not None:
        return UserRef(match[1], match[2] or None)
    plain = _PLAIN_USER.match(text.strip())
    if plain is not None:
        return PersonName(plain[1])
    raise Rejected("bad_owner", value=text)


def parse_channel(text: str) -> ChannelRef | ChannelName:
    """A Slack channel mention (`<#C123|ai-infra>`), or a plain `#ai-infra` as a name."""
    match = _CHANNEL.match(text.strip())
    if match is not None:
        return ChannelRef(match[1], match[2] or None)
    plain = _PLAIN_CHANNEL.match(text.strip())
    if plain is not None:
        return ChannelName(plain[1])
    raise Rejected("bad_channel", value=text)


def _opt_owner(text: str, today: date) -> UserRef | None:
    """A person, as Slack mentions them. A plain `@ana` is refused as `person_by_name` with the
    name, so a caller that can look people up catches it and resolves `name` itself."""
    if clears(text):
        return None
    person = parse_person(text)
    if isinstance(person, PersonName):
        raise Rejected("person_by_name", value=text.strip(), name=person.name)
    return person


def _opt_renews(text: str, today: date) -> date | None:
    return None if clears(text) else parse_date(text, today=today)


def _opt_notice(text: str, today: date) -> int | None:
    if clears(text):
        return None
    match = _NOTICE.match(text.strip())
    unit = NOTICE_UNITS.get(match[2].casefold()) if match else None
    if match is None or unit is None or int(match[1]) * unit > MAX_NOTICE_DAYS:
        raise Rejected("bad_notice", value=text, limit=MAX_NOTICE_DAYS)
    return int(match[1]) * unit


def _opt_sourcing(text: str, today: date) -> str | None:
    if clears(text):
        return None
    sourcing = SOURCING.get(normalise(text))
    if sourcing is None:
        raise Rejected("bad_sourcing", value=text)
    return sourcing


def channel_option(text: str) -> ChannelRef | None:
    """A channel as Slack sends it (`<#C…|name>`), or None for a word that clears it: what
    `channel:` and the channel settings alike take. A plain `#name` is refused as
    `channel_by_name`, so a caller that can ask Slack resolves it."""
    if clears(text):
        return None
    channel = parse_channel(text)
    if isinstance(channel, ChannelName):
        raise Rejected("channel_by_name", value=text.strip(), name=channel.name)
    return channel


def _opt_channel(text: str, today: date) -> ChannelRef | None:
    return channel_option(text)


def _opt_notes(text: str, today: date) -> str | None:
    notes = text.strip()
    if not notes or clears(notes):
        return None
    if len(notes) > MAX_NOTES:
        raise Rejected("notes_too_long", length=len(notes), limit=MAX_NOTES)
    return notes


def _opt_platform(text: str, today: date) -> bool | None:
    """A team's word that a tool of its own is a platform (or that a catalog one is not);
    `none` goes back to the catalog's."""
    if clears(text) or normalise(text) in {"auto", "catalog"}:
        return None
    answer = _YES_NO.get(normalise(text))
    if answer is None:
        raise Rejected("bad_platform", value=text)
    return answer


def _opt_billing(text: str, today: date) -> str | None:
    """Which rows of a FOCUS bill are this tool's: comma-separated terms, each a ServiceName,
    `resource=TEXT` (in ResourceName) or `KEY=VALUE` (a tag); core/billing.py matches them."""
    if clears(text):
        return None
    terms = [term.strip() for term in text.split(",")]
    if not any(terms):
        raise Rejected("empty_value", key="billing")
    if len(text) > MAX_BILLING or has_control_characters(text) or not all(terms):
        raise Rejected("bad_billing", value=text, limit=MAX_BILLING)
    return ", ".join(terms)


OPTION_PARSERS: dict[str, Callable[[str, date], object]] = {
    "name": _opt_name,
    "layers": _opt_layers,
    "capabilities": _opt_capabilities,
    "vendor": _opt_vendor,
    "cost": _opt_cost,
    "owner": _opt_owner,
    "backup": _opt_owner,
    "renews": _opt_renews,
    "notice_days": _opt_notice,
    "sourcing": _opt_sourcing,
    "channel": _opt_channel,
    "notes": _opt_notes,
    "platform": _opt_platform,
    "billing": _opt_billing,
}


def check_backup(fields: ToolFields, *, owner_id: str | None, backup_id: str | None = None) -> None:
    """A backup owner is a second person: the owner cannot be their own backup. `owner_id` and
    `backup_id` are the tool's now, for an edit that changes only one of them."""
    owner = owner_id if isinstance(fields.owner, Unset) else (fields.owner and fields.owner.id)
    backup = backup_id if isinstance(fields.backup, Unset) else (fields.backup and fields.backup.id)
    if owner is not None and backup == owner:
        raise Rejected("backup_is_owner", user=backup)


def parse_option(key: str, text: str, *, today: date) -> object:
    """One option's value, as `key:text` in a command would give it (for forms and settings)."""
    return OPTION_PARSERS[KEYS[key]](text, today)


def implied_layers(capabilities: Sequence[str]) -> tuple[int, ...]:
    return tuple(sorted({CAPABILITY_LAYER[c] for c in capabilities}))


def field_notices(fields: ToolFields, *, today: date) -> list[Notice]:
    """What an add or edit should tell the person besides doing it: a renewal date already past
    is kept (a contract may have renewed unrecorded) but is more often a typo for next year.
    Worded by templates/notice.json.j2."""
    renews = fields.renews
    past = past_renewal(renews, today=today) if isinstance(renews, date) else None
    if past is None:
        return []
    next_year = past.next_year.isoformat() if past.next_year else None
    details = {"date": past.day.isoformat(), "days_ago": past.days_ago, "next_year": next_year}
    return [Notice("renewal_past", column="renews", details=details)]
