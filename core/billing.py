"""A FOCUS 1.x billing export, row by row: each charge checked, matched to a registered tool
(by its `billing:` rule, else by name or catalog alias), and added up per provider, month,
currency and tool. Unclaimed AI and ML spend is kept per service. Pure: no store, no clock.

https://focus.finops.org: BilledCost is what is invoiced, in BillingCurrency; ServiceCategory
"AI and Machine Learning" is one of the spec's allowed values; Tags is a JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO

from core import bounded
from core.catalog import Catalog
from core.errors import Rejected
from core.importing import Problem
from core.limits import BILL_MAX_BYTES, BILL_MAX_LINES
from core.money import CENT, CODES, Cost
from core.tabular import read_table, text_lines
from core.text import nearest, normalise

REQUIRED = ("BilledCost", "BillingCurrency", "ChargePeriodStart", "ServiceName", "ServiceCategory")
OPTIONAL = (
    "ChargePeriodEnd", "ChargeCategory", "ProviderName", "ServiceProviderName", "PublisherName",
    "ServiceSubcategory", "ResourceName", "Tags",
)  # fmt: skip
ALIASES = {normalise(column): column for column in (*REQUIRED, *OPTIONAL)}
AI = "AI and Machine Learning"
NEGATIVE_OK = frozenset({"credit", "adjustment"})  # FOCUS ChargeCategory values that refund
FIRST_YEAR = 2000
MAX_PROBLEMS = 50  # kept in full; past this a file is counted, not listed (memory stays flat)
# Actual spend "well above" the registered cost: a quarter more, and at least 50 in its currency.
# Usage bills move 10-20% month to month with traffic; a quarter over is past that noise, and
# the floor keeps a $20 tool billed $30 out of the digest.
OVERSPEND_RATIO = Decimal("1.25")
OVERSPEND_FLOOR = Decimal("50")
_VENDOR_WORDS = ("amazon", "aws", "google cloud", "google", "microsoft", "azure")


@dataclass(frozen=True, slots=True)
class Billable:
    """A registered tool as the matcher sees it."""

    id: int
    name_key: str
    catalog_key: str | None
    rule: str | None


@dataclass(slots=True)
class Total:
    tool_id: int | None
    service: str
    category: str
    amount: Decimal = Decimal(0)
    rows: int = 0


Key = tuple[str, date, str, str]  # provider, month, currency, match key


@dataclass
class Bill:
    """What a file adds up to; `problems` holds the first MAX_PROBLEMS, `problem_count` all."""

    totals: dict[Key, Total] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    rows: int = 0
    skipped: int = 0  # rows no tool claims that are not AI or ML spend

    def problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    @property
    def months(self) -> dict[str, list[date]]:
        """Provider -> the months the file covers: what an import replaces."""
        found: dict[str, set[date]] = {}
        for provider, month, _, _ in self.totals:
            found.setdefault(provider, set()).add(month)
        return {provider: sorted(months) for provider, months in sorted(found.items())}


class Matcher:
    """Which registered tool a charge is: the first tool (by name) whose `billing:` rule matches,
    else the tool named by the ServiceName or a catalog alias of it."""

    def __init__(self, tools: Sequence[Billable], catalog: Catalog) -> None:
        self.rules = [(t.id, _terms(t.rule)) for t in sorted(tools, key=_by_name) if t.rule]
        self.needs_tags = any(kind == "tag" for _, terms in self.rules for kind, *_ in terms)
        self.by_name = {t.name_key: t.id for t in tools}
        self.by_entry = {t.catalog_key: t.id for t in tools if t.catalog_key}
        self.catalog = catalog
        self._services: dict[str, int | None] = {}

    def match(self, service: str, resource: str, tags: str) -> int | None:
        if self.rules:
            found = self._by_rule(
                service, resource.casefold(), _tags(tags) if self.needs_tags else {}
            )
            if found is not None:
                return found
        if service not in self._services:
            self._services[service] = self._by_service(service)
        return self._services[service]

    def _by_rule(self, service: str, resource: str, tags: Mapping[str, str]) -> int | None:
        key = _key(service)
        for tool_id, terms in self.rules:
            for kind, name, value in terms:
                if (
                    (kind == "service" and name == key)
                    or (kind == "resource" and value in resource)
                    or (kind == "tag" and tags.get(name) == value)
                ):
                    return tool_id
        return None

    def _by_service(self, service: str) -> int | None:
        for name in _spellings(service):
            if normalise(name) in self.by_name:
                return self.by_name[normalise(name)]
            entry = self.catalog.find(name)
            if entry is not None and entry.key in self.by_entry:
                return self.by_entry[entry.key]
        return None

    def catalog_name(self, service: str) -> str | None:
        return catalog_name(self.catalog, service)


def csv_charges(binary: IO[bytes], *, gzipped: bool) -> Iterator[tuple[int, dict[str, str], str]]:
    """(line, cells kept, the whole row) per charge of a CSV or gzipped CSV bill, decompressed
    and read one bounded line at a time: a gzip that expands to gigabytes on one line, or to
    millions of blank lines, is refused early instead of filling memory or running for hours."""
    source = bounded.gunzipped(binary) if gzipped else binary
    lines = bounded.lines(source, max_bytes=BILL_MAX_BYTES, max_lines=BILL_MAX_LINES)
    table = read_table(text_lines(lines), ALIASES, required=REQUIRED, skip_unknown=True)
    for record in table.records:
        yield record.line, dict(record.cells), "\x1f".join(record.raw)


def catalog_name(catalog: Catalog, service: str) -> str | None:
    """The catalog's name for a billed service, for the `/stack add` that would register it."""
    for name in _spellings(service):
        entry = catalog.find(name)
        if entry is not None:
            return entry.name
    return None


def add_command(service: str, catalog_name: str | None) -> str:
    """The command that registers a billed service: a catalog tool needs only its name; any
    other is added to inference (most unregistered AI spend is model calls) with a rule that
    claims its rows."""
    if catalog_name is not None:
        return f"/stack add “{catalog_name}”"
    return f"/stack add “{service}” inference billing:“{service}”"


def _by_name(tool: Billable) -> str:
    return tool.name_key


def _terms(rule: str) -> list[tuple[str, str, str]]:
    """("service", key, ""), ("resource", "", text) or ("tag", key, value) per comma term."""
    terms = []
    for term in (t.strip() for t in rule.split(",")):
        name, sep, value = term.partition("=")
        if not sep:
            terms.append(("service", normalise(term), ""))
        elif name.strip().casefold() == "resource":
            terms.append(("resource", "", value.strip().casefold()))
        else:
            terms.append(("tag", name.strip().casefold(), value.strip().casefold()))
    return terms


# A bill repeats a few hundred services and tag sets over millions of rows: worked out once each.
@lru_cache(maxsize=4096)
def _key(service: str) -> str:
    return normalise(service)


@lru_cache(maxsize=4096)
def _tags(text: str) -> Mapping[str, str]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # the C decoder counts nesting against the recursion
        return {}  # limit: a cell of 50,000 `[` is no tag set, as unreadable JSON is none
    if not isinstance(data, dict):
        return {}
    # A tag's value is text; a nested one matches no `tag=value` rule (and its text could be
    # nested too deep to write out).
    return {
        str(k).casefold(): str(v).casefold()
        for k, v in data.items()
        if not isinstance(v, list | dict)
    }


def _spellings(service: str) -> Iterable[str]:
    """ "Amazon Elastic Compute Cloud", then "Elastic Compute Cloud" (the catalog's alias)."""
    yield service
    folded = service.casefold()
    for word in _VENDOR_WORDS:
        if folded.startswith(word + " "):
            yield service[len(word) + 1 :]


def add_charge(
    bill: Bill, matcher: Matcher, line: int, cells: Mapping[str, str], *, today: date
) -> None:
    """Check one row and add it to its total, or record what is wrong with it."""
    bill.rows += 1
    try:
        cost = _cost(cells)
        currency = _currency(cells["BillingCurrency"])
        month = _month(cells["ChargePeriodStart"], cells.get("ChargePeriodEnd", ""), today.year)
    except Rejected as rejected:
        bill.problem(Problem.of(rejected, line=line, column=rejected.details.pop("column", None)))
        return
    # Cut to what the store keeps, so a re-import's keys are the stored keys.
    service = (cells["ServiceName"] or cells.get("PublisherName", "") or "unnamed service")[:200]
    category = cells["ServiceCategory"][:40]
    tool_id = matcher.match(service, cells.get("ResourceName", ""), cells.get("Tags", ""))
    if tool_id is None and category != AI:
        bill.skipped += 1
        return
    provider = (cells.get("ProviderName") or cells.get("ServiceProviderName") or "")[:80]
    match_key = f"tool:{tool_id}" if tool_id is not None else f"service:{_key(service)[:220]}"
    key = (provider, month, currency, match_key)
    total = bill.totals.get(key)
    if total is None:
        total = bill.totals[key] = Total(tool_id, service, category)
    total.amount += cost
    total.rows += 1


def _cost(cells: Mapping[str, str]) -> Decimal:
    text = cells["BilledCost"]
    try:
        cost = Decimal(text)
    except InvalidOperation:
        raise Rejected("bad_billed_cost", value=text[:40], column="BilledCost") from None
    if not cost.is_finite():
        raise Rejected("bad_billed_cost", value=text[:40], column="BilledCost")
    category = cells.get("ChargeCategory", "")
    if cost < 0 and category.casefold() not in NEGATIVE_OK:
        raise Rejected("negative_billed_cost", value=text, category=category, column="BilledCost")
    return cost


def _currency(text: str) -> str:
    code = text.strip().upper()
    if code not in CODES:
        raise Rejected(
            "bad_billing_currency", value=text[:40], suggestion=nearest(code, CODES),
            column="BillingCurrency",
        )  # fmt: skip
    return code


def _month(start: str, end: str, this_year: int) -> date:
    began = _instant(start, "ChargePeriodStart")
    if not FIRST_YEAR <= began.year <= this_year + 1:
        raise Rejected(
            "charge_period_out_of_range", value=start[:40], first=FIRST_YEAR, last=this_year + 1,
            column="ChargePeriodStart",
        )  # fmt: skip
    if end and _instant(end, "ChargePeriodEnd") < began:
        raise Rejected("bad_charge_period", value=end[:40], column="ChargePeriodEnd")
    return began.date().replace(day=1)


@lru_cache(maxsize=8192)  # an hourly export repeats each hour's timestamp on every row
def _instant(text: str, column: str) -> datetime:
    text = text.strip()
    if text.endswith(" UTC"):  # BigQuery writes timestamps to CSV as "2026-10-01 00:00:00 UTC"
        text = text[:-4] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Rejected("bad_charge_period", value=text[:40], column=column) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)  # FOCUS date-times are UTC
    return moment.astimezone(UTC)


def cents(amount: Decimal) -> int:
    return int(amount.quantize(CENT) * 100)


def overspent(registered: Cost | None, actual: Mapping[str, Decimal]) -> bool:
    """Whether a month's actual spend is well above the registered cost, in its own currency
    (currencies are never converted, so a bill in another currency is never compared)."""
    if registered is None:
        return False
    billed = actual.get(registered.currency)
    if billed is None:
        return False
    monthly = registered.monthly
    return billed > monthly * OVERSPEND_RATIO and billed - monthly >= OVERSPEND_FLOOR
