"""A stack spreadsheet's rows as tool fields, checked as `/stack add` checks its options, and
tools as rows again. Pure: owners given by email are resolved by a function passed in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from core.errors import Rejected
from core.layers import LAYER_BY_NUMBER
from core.options import OPTION_PARSERS, ChannelRef, ToolFields, UserRef
from core.tabular import excel_date
from core.text import normalise

# The columns of a stack file, in the order an export writes them.
COLUMNS = (
    "name", "layers", "capabilities", "vendor", "sourcing", "cost", "currency", "period",
    "owner", "renews", "notice", "channel", "notes", "billing",
)  # fmt: skip
_SPELLINGS = {
    "name": ("name", "tool", "tool name", "product"),
    "layers": ("layers", "layer"),
    "capabilities": ("capabilities", "capability", "caps"),
    "vendor": ("vendor", "supplier", "provider"),
    "sourcing": ("sourcing", "build or buy"),
    "cost": ("cost", "price", "amount"),
    "currency": ("currency",),
    "period": ("period", "billing period", "per"),
    "owner": ("owner", "owner email", "owner id"),
    "renews": ("renews", "renewal", "renewal date", "renews on"),
    "notice": ("notice", "notice days", "notice period"),
    "channel": ("channel", "slack channel"),
    "notes": ("notes", "note", "comments"),
    "billing": ("billing", "billing match"),
}
ALIASES = {
    normalise(spelling): column for column, names in _SPELLINGS.items() for spelling in names
}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_PERIODS = {"month": "month", "monthly": "month", "mo": "month", "year": "year", "yearly": "year"}
_PERIODS |= {"annual": "year", "annually": "year", "yr": "year", "": ""}

Lookup = Callable[[str], str | None]  # an email -> the Slack user id, or None when unknown


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file: where, and a refusal code from templates/ with details."""

    line: int
    column: str | None
    code: str
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, rejected: Rejected, *, line: int, column: str | None = None) -> Problem:
        details = dict(rejected.details)
        return cls(line=int(details.pop("line", line)), column=column, code=rejected.code,
                   details=details)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    name: str
    fields: ToolFields


def parse_row(
    line: int, cells: Mapping[str, str], *, today: date, lookup: Lookup
) -> Row | list[Problem]:
    """One record's fields, or every problem with it (each cell is checked, not only the first)."""
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for column, key, text in _options(cells):
        try:
            values[key] = _parse(column, key, text, today=today, lookup=lookup)
        except Rejected as rejected:
            problems.append(Problem.of(rejected, line=line, column=column))
    if problems:
        return problems
    name = values.pop("name")
    assert isinstance(name, str)
    fields = ToolFields(name=name, **values)  # type: ignore[arg-type]
    return Row(line=line, name=name, fields=fields)


def _options(cells: Mapping[str, str]) -> Iterable[tuple[str, str, str]]:
    """(column, option key, text) for each cell the file fills in. An empty cell leaves a value
    as it is (a new tool takes the catalog's, as `/stack add` does); `none` clears it."""
    yield "name", "name", cells.get("name", "")
    plain = {"layers": "layers", "capabilities": "capabilities", "vendor": "vendor"}
    plain |= {"sourcing": "sourcing", "owner": "owner", "renews": "renews"}
    plain |= {"notice": "notice_days", "channel": "channel", "notes": "notes"}
    plain |= {"billing": "billing"}
    for column, key in plain.items():
        if column not in cells:
            continue
        if cells[column]:
            yield column, key, cells[column]
    if cells.get("cost"):
        yield "cost", "cost", _cost_text(cells)


def _cost_text(cells: Mapping[str, str]) -> str:
    amount = cells["cost"]
    currency = cells.get("currency", "")
    period = _PERIODS.get(cells.get("period", "").casefold(), cells.get("period", ""))
    return " ".join(part for part in (amount, currency, f"/{period}" if period else "") if part)


def _parse(column: str, key: str, text: str, *, today: date, lookup: Lookup) -> object:
    if key == "owner" and text != "none":
        return _owner(text, lookup)
    if key == "channel" and _CHANNEL_ID.match(text):
        return ChannelRef(text)
    if key == "channel" and text.startswith("#"):
        raise Rejected("bad_channel", value=text)  # a file cannot have Slack look a name up
    if key == "renews" and (excel := excel_date(text)) is not None:
        return excel
    if key in ("layers", "capabilities"):
        text = text.replace(";", ",").replace("|", ",")
    return OPTION_PARSERS[key](text, today)


def _owner(text: str, lookup: Lookup) -> UserRef:
    """A Slack user id (U123, <@U123>) or an email that Slack knows."""
    if _USER_ID.match(text):
        return UserRef(text)
    if _EMAIL.match(text):
        found = lookup(text)
        if found is None:
            raise Rejected("unknown_email", value=text)
        return UserRef(found)
    parsed = OPTION_PARSERS["owner"](text, date.min)
    assert isinstance(parsed, UserRef)
    return parsed


def tool_row(tool: Mapping[str, Any]) -> dict[str, str]:
    """A tool (as db/tools.py's snapshot gives it, plus its cost) as the cells an export
    writes: every value in a form `parse_row` reads back to the same value."""
    cost = tool.get("cost")
    return {
        "name": tool["name"],
        "layers": ",".join(LAYER_BY_NUMBER[n].key for n in tool["layers"]),
        "capabilities": ",".join(tool["capabilities"]),
        "vendor": tool.get("vendor") or "",
        "sourcing": tool.get("sourcing") or "",
        "cost": _amount(cost["amount"]) if cost else "",
        "currency": cost["currency"] if cost else "",
        "period": cost["period"] if cost else "",
        "owner": tool.get("owner_id") or "",
        "renews": tool.get("renews_on") or "",
        "notice": str(tool["notice_days"]) if tool.get("notice_days") is not None else "",
        "channel": tool.get("channel_id") or "",
        "notes": tool.get("notes") or "",
        "billing": tool.get("billing_match") or "",
    }


def _amount(amount: str) -> str:
    value = Decimal(amount)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"


def duplicates(rows: Sequence[Row], key: Callable[[Row], str]) -> list[Problem]:
    """A problem for every row that names a tool an earlier row already named."""
    seen: dict[str, Row] = {}
    problems = []
    for row in rows:
        first = seen.setdefault(key(row), row)
        if first is not row:
            problems.append(
                Problem(row.line, "name", "duplicate_row", {"name": row.name, "first": first.line})
            )
    return problems
