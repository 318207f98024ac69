"""The cost APIs of the model providers that publish no FOCUS export, read into the charges a
FOCUS bill has (core.billing.add_charge checks, matches and adds them up exactly as it does a
bill's rows). Pure: a page of JSON in, charges out; fetching is stack.costs'.

OpenAI, `GET /v1/organization/costs` (https://platform.openai.com/docs/api-reference/usage/costs):
a page `{"data": [bucket], "has_more", "next_page"}`; a bucket has `start_time` and `end_time`
(Unix seconds, one day with `bucket_width=1d`) and `results`, each with `amount.value` (a JSON
number, in the currency's major unit: dollars) and `amount.currency` (lowercase ISO 4217),
and, when grouped, `project_id` and `line_item`. `limit` is 1-180 buckets.

Anthropic, `GET /v1/organizations/cost_report`
(https://docs.anthropic.com/en/api/admin-api/usage-cost/get-cost-report): a page
`{"data": [bucket], "has_more", "next_page"}`; a bucket has `starting_at` and `ending_at`
(RFC 3339) and `results`, each with `amount` (a decimal STRING in the currency's lowest unit,
cents: "123.45" is $1.2345), `currency` ("USD"), and, when grouped, `workspace_id` and
`description`; `model` names the model. `limit` is 1-31 buckets.

Amounts are read as Decimal straight from the JSON text (`parse_float=Decimal`), never float.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.billing import AI
from core.errors import Rejected

OPENAI = "openai"
ANTHROPIC = "anthropic"
PROVIDERS = (OPENAI, ANTHROPIC)
# What a pull files its charges under: the provider a re-pull replaces the months of, and the
# service a tool named after the provider (the catalog's "OpenAI API", "Anthropic API") claims.
NAMES = {OPENAI: "OpenAI", ANTHROPIC: "Anthropic"}
PAGE_MAX_BYTES = 8 * 1024 * 1024
MAX_RESULTS = 100_000  # per page: a year of daily buckets for hundreds of projects fits


@dataclass
class Page:
    """The charges of one page, as FOCUS cells, and the cursor of the next page (None: last)."""

    charges: list[dict[str, str]] = field(default_factory=list)
    next_page: str | None = None


def parse_page(provider: str, data: bytes) -> Page:
    """One page of `provider`'s cost API; Rejected("bad_provider_page") when it is not what the
    API documents (a drifted shape must never read as zero spend)."""
    if len(data) > PAGE_MAX_BYTES:
        raise _bad(provider, "the page is too big")
    try:
        page = json.loads(data, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise _bad(provider, "the page is not JSON") from None
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        raise _bad(provider, "the page has no `data` list")
    if not isinstance(page.get("has_more"), bool):
        raise _bad(provider, "the page has no `has_more`")
    cursor = page.get("next_page")
    if page["has_more"] and (not isinstance(cursor, str) or not cursor or len(cursor) > 2048):
        raise _bad(provider, "the page says there is more but gives no `next_page`")
    parsed = Page(next_page=cursor if page["has_more"] else None)
    for bucket in page["data"]:
        if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
            raise _bad(provider, "a bucket has no `results` list")
        start, end = _period(provider, bucket)
        for result in bucket["results"]:
            if not isinstance(result, dict):
                raise _bad(provider, "a result is not an object")
            parsed.charges.append(_charge(provider, result, start, end))
            if len(parsed.charges) > MAX_RESULTS:
                raise _bad(provider, "the page has too many results")
    return parsed


def _period(provider: str, bucket: dict[str, Any]) -> tuple[str, str]:
    if provider == OPENAI:
        start, end = bucket.get("start_time"), bucket.get("end_time")
        if not all(isinstance(t, Decimal | int) and 0 <= t < 2**34 for t in (start, end)):
            raise _bad(provider, "a bucket's `start_time` is not Unix seconds")
        return _iso(int(start)), _iso(int(end))  # type: ignore[arg-type]
    start, end = bucket.get("starting_at"), bucket.get("ending_at")
    if not all(isinstance(t, str) and 0 < len(t) <= 40 for t in (start, end)):
        raise _bad(provider, "a bucket's `starting_at` is not a date and time")
    return str(start), str(end)  # checked as any ChargePeriodStart is, by core.billing


def _charge(provider: str, result: dict[str, Any], start: str, end: str) -> dict[str, str]:
    if provider == OPENAI:
        amount = result.get("amount")
        if not isinstance(amount, dict):
            raise _bad(provider, "a result has no `amount`")
        value, currency = amount.get("value"), amount.get("currency")
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            raise _bad(provider, "an `amount.value` is not a number")
        billed = Decimal(value)  # dollars
        tags = {"project_id": result.get("project_id")}
        resource = result.get("line_item")
    else:
        value, currency = result.get("amount"), result.get("currency")
        if not isinstance(value, str) or len(value) > 40:
            raise _bad(provider, "an `amount` is not a decimal string")
        try:
            billed = Decimal(value) / 100  # cents to dollars, exactly
        except InvalidOperation:
            raise _bad(provider, "an `amount` is not a decimal string") from None
        tags = {"workspace_id": result.get("workspace_id")}
        resource = result.get("description") or result.get("model")
    if not isinstance(currency, str):
        raise _bad(provider, "a result has no currency")
    return {
        "BilledCost": str(billed),
        "BillingCurrency": currency.upper(),
        "ChargePeriodStart": start,
        "ChargePeriodEnd": end,
        # Neither API documents a negative amount; should one come, it is a credit (FOCUS's
        # category for money given back), not a refused row that stops the whole pull.
        "ChargeCategory": "Credit" if billed < 0 else "Usage",
        "ServiceName": NAMES[provider],
        "ServiceCategory": AI,
        "ServiceProviderName": NAMES[provider],
        "ResourceName": str(resource)[:200] if resource else "",
        # A `billing:project_id=proj_abc` (OpenAI) or `billing:workspace_id=wrkspc_x`
        # (Anthropic) rule gives one project's or workspace's costs to one tool.
        "Tags": json.dumps({k: str(v) for k, v in tags.items() if isinstance(v, str) and v}),
    }


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _bad(provider: str, reason: str) -> Rejected:
    return Rejected("bad_provider_page", provider=NAMES.get(provider, provider), reason=reason)
