"""A stack spreadsheet's rows as tool fields, checked as `/stack add` checks its options, and
tools as rows again. Pure: owners given by email are resolved by a function passed in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from core.dates import past_renewal
from core.errors import Notice, Rejected
from core.layers import LAYER_BY_NUMBER
from core.money import Cost
from core.options import OPTION_PARSERS, ChannelRef, ToolFields, UserRef
from core.tabular import excel_date, read_table
from core.text import normalise

# The columns of a stack file, in the order an export writes them.
COLUMNS = (
    "name", "layers", "capabilities", "vendor", "sourcing", "cost", "currency", "period",
    "owner", "renews", "notice", "channel", "notes", "billing",
)  # fmt: skip
_SPELLINGS = {
    "name": ("name", "tool", "tool name", "product", "service", "software"),
    # A category is read with the layer words of `layer:` (core/layers.py), so "GPU cloud" and
    # "LLM API" land where `layer:"GPU cloud"` puts them.
    "layers": ("layers", "layer", "stack layer", "layer(s)"),
    "category": ("category", "categories"),
    "capabilities": ("capabilities", "capability", "caps"),
    "vendor": ("vendor", "supplier", "provider", "company"),
    "sourcing": ("sourcing", "build or buy"),
    "cost": ("cost", "price", "amount"),
    # A cost column whose header says its period: the period column, if any, must agree.
    "monthly_cost": (
        "monthly cost", "monthly", "cost per month", "monthly price", "monthly spend",
        "cost/month", "cost (monthly)", "monthly amount", "mrr",
    ),
    "annual_cost": (
        "annual cost", "annual", "yearly cost", "yearly", "cost per year", "annual price",
        "annual spend", "yearly spend", "cost/year", "cost (annual)", "annual amount",
        "annual contract value", "acv",
    ),
    "currency": ("currency", "ccy"),
    "period": ("period", "billing period", "per", "billing cycle", "billing frequency"),
    "owner": ("owner", "owner email", "owner id", "owner e-mail", "owned by", "owner slack id"),
    "renews": (
        "renews", "renewal", "renewal date", "renews on", "next renewal", "contract end",
        "contract end date", "end date", "expires", "expiry", "expiry date",
    ),
    "notice": ("notice", "notice days", "notice period", "cancellation notice"),
    "channel": ("channel", "slack channel"),
    "notes": ("notes", "note", "comments", "comment", "description"),
    "billing": ("billing", "billing match"),
}  # fmt: skip
ALIASES = {
    normalise(spelling): column for column, names in _SPELLINGS.items() for spelling in names
}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_PERIODS = {"month": "month", "monthly": "month", "mo": "month", "year": "year", "yearly": "year"}
_PERIODS |= {"annual": "year", "annually": "year", "yr": "year", "": ""}
_PERIODS |= {"per month": "month", "per year": "year", "pa": "year", "p.a.": "year"}
# The cost columns, each with the period its header implies (None: the period column's).
_COST_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("annual_cost", "year"), ("monthly_cost", "month"), ("cost", None),
)  # fmt: skip
# A row that adds the others up, as spreadsheets end: "TOTAL", "Grand total", "Sum (annual)".
_TOTAL = re.compile(
    r"^(?:grand\s*|sub-?\s*)?(?:totals?|sum)"
    r"(?:\s+(?:cost|costs|spend|annual|monthly|per\s+\w+))?\s*[:=]?\s*(?:\([^)]*\))?$",
    re.IGNORECASE,
)

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


def stack_records(
    lines: Iterator[str], notices: list[Notice]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, cells) for each tool in a stack spreadsheet as people keep one: the header found
    below any title, unknown columns ignored, blank lines and a TOTAL row skipped. What was
    ignored or skipped is added to `notices` as it is read."""
    table = read_table(lines, ALIASES, required=("name",), notices=notices)
    for record in table.records:
        label = total_label(record.cells.get("name", ""), record.raw)
        if label is not None:
            notices.append(Notice("total_row_skipped", line=record.line, details={"label": label}))
            continue
        yield record.line, dict(record.cells)


def total_label(name: str, raw: Sequence[str]) -> str | None:
    """The label of a row that totals the others ("TOTAL", "Grand total"): in the name column,
    or in any cell of a row whose name is blank. None for a tool's row."""
    if name:
        return name if _TOTAL.match(name) else None
    return next((cell.strip() for cell in raw if _TOTAL.match(cell.strip())), None)


def parse_row(
    line: int, cells: Mapping[str, str], *, today: date, lookup: Lookup,
    notices: list[Notice] | None = None,
) -> Row | list[Problem]:  # fmt: skip
    """One record's fields, or every problem with it (each cell is checked, not only the first).

    With a `notices` list, an owner that cannot be looked up (no Slack token, an email Slack
    does not know) is left empty and told there, as is a renewal date already past; without
    one, such an owner is a problem, as it was before notices could be shown."""
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for column, key, text in _options(cells):
        try:
            values[key] = _parse(column, key, text, today=today, lookup=lookup)
        except Rejected as rejected:
            if notices is not None and column == "owner" and _EMAIL.match(text):
                unresolved = {"value": text, "reason": rejected.code}
                notices.append(Notice("owner_left_empty", line, "owner", unresolved))
                continue
            problems.append(Problem.of(rejected, line=line, column=column))
    try:
        cost = _cost(cells)
    except _CostProblem as problem:
        problems.append(Problem.of(problem.rejected, line=line, column=problem.column))
    else:
        if cost is not None:
            values["cost"] = cost
    if problems:
        return problems
    renews = values.get("renews")
    past = past_renewal(renews, today=today) if isinstance(renews, date) else None
    if notices is not None and past is not None:
        next_year = past.next_year.isoformat() if past.next_year else None
        when: dict[str, object] = {"date": past.day.isoformat(), "days_ago": past.days_ago}
        when["next_year"] = next_year
        notices.append(Notice("renewal_past", line, "renews", when))
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
    # A category fills in the layers where a row has none; a sheet may keep both.
    if cells.get("category") and not cells.get("layers"):
        yield "category", "layers", cells["category"]


class _CostProblem(Exception):
    def __init__(self, rejected: Rejected, column: str) -> None:
        super().__init__(rejected.code)
        self.rejected = rejected
        self.column = column


def _cost(cells: Mapping[str, str]) -> Cost | None:
    """The row's cost from whichever cost columns it fills. `Annual cost` is kept per year (the
    store keeps a cost's period, so nothing is divided and rounded); two columns that both say
    a cost must say the same monthly amount."""
    found: list[tuple[str, Cost]] = []
    for column, implied in _COST_COLUMNS:
        if not cells.get(column):
            continue
        text = _cost_text(cells, column, implied)
        try:
            cost = OPTION_PARSERS["cost"](text, date.min)
        except Rejected as rejected:
            raise _CostProblem(rejected, column) from None
        if isinstance(cost, Cost):
            found.append((column, cost))
    if len(found) > 1:
        (first, kept), *others = found
        for column, other in others:
            if (other.currency, other.monthly) != (kept.currency, kept.monthly):
                shown = {"value": cells[column], "other": cells[first]}
                raise _CostProblem(Rejected("costs_disagree", **shown), column)
    return found[0][1] if found else None


def _cost_text(cells: Mapping[str, str], column: str, implied: str | None) -> str:
    amount = cells[column]
    currency = cells.get("currency", "")
    said = cells.get("period", "")
    period = _PERIODS.get(said.casefold(), said)
    if implied is not None and period and period != implied:
        raise _CostProblem(Rejected("period_disagrees", value=said, other=implied), "period")
    period = implied or period
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
