"""A FOCUS 1.x billing export, row by row: each charge checked, matched to a registered tool
(by its `billing:` rule, else by name or catalog alias), and added up per provider, month,
currency and tool. Unclaimed AI and ML spend is kept per service. Pure: no store, no clock.

https://focus.finops.org/focus-specification/ (versions 1.0 to 1.4): BilledCost is what is
invoiced, in BillingCurrency (any ISO 4217 code); EffectiveCost is the same charge with upfront
and commitment purchases amortised over the periods they cover (what FinOps teams use for
showback), kept beside BilledCost; ServiceCategory "AI and Machine Learning" is one of the
spec's allowed values; Tags is a JSON object. FOCUS 1.3 deprecates ProviderName in favour of
ServiceProviderName (the company whose service was used, as against the InvoiceIssuerName and
the PublisherName), and 1.4 drops it: a file of either version names its provider.
ChargeClass "Correction" (since FOCUS 1.0) marks a row that corrects an earlier billing
period's charges; such a row may be negative whatever its ChargeCategory.
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
from core.currencies import ISO_4217
from core.errors import Rejected
from core.importing import Problem
from core.limits import BILL_MAX_BYTES, BILL_MAX_LINES
from core.money import CENT, Cost
from core.tabular import read_table, text_lines
from core.text import nearest, normalise

REQUIRED = ("BilledCost", "BillingCurrency", "ChargePeriodStart", "ServiceName", "ServiceCategory")
OPTIONAL = (
    "ChargePeriodEnd", "ChargeCategory", "ProviderName", "ServiceProviderName", "PublisherName",
    "ServiceSubcategory", "ResourceName", "Tags", "ChargeClass", "EffectiveCost",
)  # fmt: skip
ALIASES = {normalise(column): column for column in (*REQUIRED, *OPTIONAL)}
AI = "AI and Machine Learning"
NEGATIVE_OK = frozenset({"credit", "adjustment"})  # FOCUS ChargeCategory values that refund
CORRECTION = "correction"  # FOCUS ChargeClass: corrects an earlier period, may be negative
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
    effective: Decimal = Decimal(0)
    effective_rows: int = 0  # rows that had an EffectiveCost: kept only when every row had one


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
        effective = _effective(cells)
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
    # FOCUS 1.3+ names the provider in ServiceProviderName; 1.0-1.2 in ProviderName.
    provider = (cells.get("ServiceProviderName") or cells.get("ProviderName") or "")[:80]
    match_key = f"tool:{tool_id}" if tool_id is not None else f"service:{_key(service)[:220]}"
    key = (provider, month, currency, match_key)
    total = bill.totals.get(key)
    if total is None:
        total = bill.totals[key] = Total(tool_id, service, category)
    total.amount += cost
    total.rows += 1
    if effective is not None:
        total.effective += effective
        total.effective_rows += 1


def _cost(cells: Mapping[str, str]) -> Decimal:
    text = cells["BilledCost"]
    try:
        cost = Decimal(text)
    except InvalidOperation:
        raise Rejected("bad_billed_cost", value=text[:40], column="BilledCost") from None
    if not cost.is_finite():
        raise Rejected("bad_billed_cost", value=text[:40], column="BilledCost")
    category = cells.get("ChargeCategory", "")
    if cost < 0 and not _may_be_negative(cells):
        raise Rejected("negative_billed_cost", value=text, category=category, column="BilledCost")
    return cost


def _effective(cells: Mapping[str, str]) -> Decimal | None:
    """The row's EffectiveCost, or None when the file has no such column or the cell is empty
    (FOCUS 1.0 allows no nulls there, but gateways writing FOCUS-like files leave it out)."""
    text = cells.get("EffectiveCost", "").strip()
    if not text:
        return None
    try:
        cost = Decimal(text)
    except InvalidOperation:
        raise Rejected("bad_effective_cost", value=text[:40], column="EffectiveCost") from None
    if not cost.is_finite():
        raise Rejected("bad_effective_cost", value=text[:40], column="EffectiveCost")
    if cost < 0 and not _may_be_negative(cells):
        category = cells.get("ChargeCategory", "")
        raise Rejected(
            "negative_billed_cost", value=text[:40], category=category, column="EffectiveCost"
        )
    return cost


def _may_be_negative(cells: Mapping[str, str]) -> bool:
    """A credit or adjustment refunds; a correction undoes part of an earlier period's bill."""
    return (
        cells.get("ChargeCategory", "").casefold() in NEGATIVE_OK
        or cells.get("ChargeClass", "").strip().casefold() == CORRECTION
    )


def _currency(text: str) -> str:
    code = text.strip().upper()
    if code not in ISO_4217:
        raise Rejected(
            "bad_billing_currency", value=text[:40], suggestion=nearest(code, sorted(ISO_4217)),
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


MANIFEST_MAX_BYTES = 4 * 1024 * 1024  # a manifest lists files and columns: kilobytes, not megabytes
MANIFEST_MAX_FILES = 10_000


def manifest_files(data: bytes) -> list[str]:
    """The data files an AWS Data Exports `Manifest.json` lists (its `dataFiles`: full S3 URIs),
    in order. AWS delivers a manifest with each execution of an export and recommends reading
    its `dataFiles` to know which files to ingest: a refreshed or re-delivered export leaves the
    older files beside the new ones, so reading a whole folder would count a month twice.
    https://docs.aws.amazon.com/cur/latest/userguide/dataexports-manifest.html
    https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html"""
    if len(data) > MANIFEST_MAX_BYTES:
        raise Rejected("bad_manifest", reason="too big for a manifest")
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError):
        raise Rejected("bad_manifest", reason="not JSON") from None
    files = manifest.get("dataFiles") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or not files:
        raise Rejected("bad_manifest", reason="no dataFiles list")
    if len(files) > MANIFEST_MAX_FILES or not all(
        isinstance(f, str) and f.strip() and len(f) <= 2048 for f in files
    ):
        raise Rejected("bad_manifest", reason="dataFiles is not a list of file names")
    if len(set(files)) != len(files):
        raise Rejected("bad_manifest", reason="a file is listed twice")
    return list(files)


def manifest_candidates(uri: str) -> list[str]:
    """Where a listed file may be found, relative to the export's folder as copied from S3
    (`<export>/metadata/<partition>/…-Manifest.json` beside `<export>/data/<partition>/…`):
    first its name beside the manifest, then its `data/<partition>/<name>` path under the
    export's folder. Never a path that climbs out of that folder."""
    path = uri.split("://", 1)[1].split("/", 1)[-1] if "://" in uri else uri
    parts = [p for p in path.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts):
        return []
    found = [parts[-1]]
    if "data" in parts[:-1]:
        found.append("/".join(parts[parts.index("data") :]))
    return found
