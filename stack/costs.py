"""`stackbot pull-costs` and the clock's daily pull: OpenAI's and Anthropic's cost APIs read
with an admin key from the environment (or a *_FILE), and filed as the same per-tool,
per-month actual spend a FOCUS bill makes (stack.billing.import_charges, same matching rules).

Each pull reads the whole of last month and this month so far, and replaces those months for
the provider: a day pulled twice is stored once, and a day the provider revised after the fact
is stored as revised. A pull that fails part way (a key refused, a page that is not what the
API documents, a server that keeps failing) stores nothing; the next one starts again.
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import Engine

from core import providers
from core.errors import Rejected
from core.settings import Settings
from stack import Context
from stack.billing import BillingReport, import_charges

logger = logging.getLogger(__name__)
TIMEOUT = 30.0  # seconds for one request
BUDGET = 300.0  # seconds for one provider's whole pull, waits included
MAX_PAGES = 200  # 31 daily buckets a page: far more than two months need
MAX_WAIT = 60.0  # the longest Retry-After honoured; a longer one ends the pull
ATTEMPTS = 5  # per page, for 429 and 5xx
RETRYABLE = frozenset({429, 500, 502, 503, 504, 529})  # 529: Anthropic's "overloaded"
PAGE_BUCKETS = 31  # Anthropic allows 1-31 daily buckets a page, OpenAI 1-180
# https://docs.anthropic.com/en/api/versioning: every request names the API version.
ANTHROPIC_VERSION = "2023-06-01"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would follow a redirect with the admin key still in the headers, to wherever it
    points; a cost API has no reason to redirect, so a 3xx is refused as any other answer."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True, slots=True)
class Source:
    provider: str  # core.providers.OPENAI or ANTHROPIC
    base_url: str
    key: str = field(repr=False)  # never in a repr, a log line or a message


def sources(settings: Settings) -> list[Source]:
    """The providers whose admin key is set."""
    found = []
    if settings.openai_admin_key:
        found.append(Source(providers.OPENAI, settings.openai_api_url, settings.openai_admin_key))
    if settings.anthropic_admin_key:
        found.append(
            Source(providers.ANTHROPIC, settings.anthropic_api_url, settings.anthropic_admin_key)
        )
    return found


def window(now: datetime) -> tuple[datetime, datetime]:
    """From the first of last month to the end of today (UTC): two whole months at most."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return last_month, today + timedelta(days=1)


@dataclass
class Fetcher:
    """Pages of one provider's cost API, bounded in size, count and time."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    timeout: float = TIMEOUT
    budget: float = BUDGET
    max_pages: int = MAX_PAGES

    def pages(self, source: Source, start: datetime, end: datetime) -> Iterator[providers.Page]:
        deadline = self.clock() + self.budget
        cursor: str | None = None
        for _ in range(self.max_pages):
            data = self._get(source, _request(source, start, end, cursor), deadline)
            page = providers.parse_page(source.provider, data)
            yield page
            cursor = page.next_page
            if cursor is None:
                return
        raise Rejected("provider_too_many_pages", provider=_name(source), pages=self.max_pages)

    def _get(self, source: Source, request: urllib.request.Request, deadline: float) -> bytes:
        for attempt in range(ATTEMPTS):
            if self.clock() > deadline:
                break  # a server that answers, slowly, page after page still ends in time
            try:
                with _OPENER.open(request, timeout=self.timeout) as response:
                    data: bytes = response.read(providers.PAGE_MAX_BYTES + 1)
                    return data
            except urllib.error.HTTPError as error:
                status = error.code
                error.close()
                if status in (401, 403):
                    raise Rejected("provider_key_refused", provider=_name(source)) from None
                if status not in RETRYABLE:
                    raise Rejected(
                        "provider_refused", provider=_name(source), status=status
                    ) from None
                wait = _retry_after(error.headers.get("Retry-After"), attempt)
            except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException):
                wait = float(2**attempt)
            if wait > MAX_WAIT or self.clock() + wait > deadline:
                break
            self.sleep(wait)
        raise Rejected("provider_unreachable", provider=_name(source))


def pull_costs(
    engine: Engine, context: Context, source: Source, *, fetcher: Fetcher | None = None,
    dry_run: bool = False,
) -> BillingReport:  # fmt: skip
    """Pull last month and this month from `source` and store them as actual spend."""
    fetcher = fetcher or Fetcher()
    start, end = window(context.now)

    def rows() -> Iterator[tuple[int, dict[str, str], str]]:
        number = 0
        for page_number, page in enumerate(fetcher.pages(source, start, end)):
            for index, cells in enumerate(page.charges):
                number += 1
                # An API result is no file row that could be pasted twice: its place is its key.
                yield number, cells, f"{page_number}:{index}"

    report = import_charges(
        engine, context, rows(), dry_run=dry_run, action="pull-costs", empty_ok=True
    )
    logger.info(
        "pulled %s: %d results, %d problems", source.provider, report.bill.rows,
        report.bill.problem_count,
    )  # fmt: skip
    return report


def _request(
    source: Source, start: datetime, end: datetime, cursor: str | None
) -> urllib.request.Request:
    if source.provider == providers.OPENAI:
        # https://platform.openai.com/docs/api-reference/usage/costs
        query: list[tuple[str, str]] = [
            ("start_time", str(int(start.timestamp()))), ("end_time", str(int(end.timestamp()))),
            ("bucket_width", "1d"), ("limit", str(PAGE_BUCKETS)),
            ("group_by", "project_id"), ("group_by", "line_item"),
        ]  # fmt: skip
        path, headers = "organization/costs", {"Authorization": f"Bearer {source.key}"}
    else:
        # https://docs.anthropic.com/en/api/admin-api/usage-cost/get-cost-report
        query = [
            ("starting_at", _rfc3339(start)), ("ending_at", _rfc3339(end)),
            ("bucket_width", "1d"), ("limit", str(PAGE_BUCKETS)),
            ("group_by[]", "workspace_id"), ("group_by[]", "description"),
        ]  # fmt: skip
        path = "organizations/cost_report"
        headers = {"x-api-key": source.key, "anthropic-version": ANTHROPIC_VERSION}
    if cursor is not None:
        query.append(("page", cursor))
    headers["Accept"] = "application/json"
    headers["User-Agent"] = "stackbot"
    return urllib.request.Request(f"{source.base_url}{path}?{urlencode(query)}", headers=headers)


def _retry_after(header: str | None, attempt: int) -> float:
    """Retry-After in seconds, as both APIs send it on a 429; else 1, 2, 4... seconds."""
    if header and header.strip().isdigit():
        return float(header.strip())
    return float(2**attempt)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _name(source: Source) -> str:
    return providers.NAMES[source.provider]
