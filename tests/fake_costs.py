"""Fake provider cost APIs: a real HTTP server on loopback answering as OpenAI's
`GET /v1/organization/costs` and Anthropic's `GET /v1/organizations/cost_report` document, so
stack.costs' real urllib code runs (paging, Retry-After, errors). Never the network.

Costs are given per day; the fake pages them `limit` buckets at a time with an opaque cursor,
checks the key, and answers scripted failures first when there are any.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

OPENAI_KEY = "sk-admin-test-openai"
ANTHROPIC_KEY = "sk-ant-admin01-test"


@dataclass
class DayCost:
    day: date
    amount: str  # OpenAI: dollars (sent as a JSON number); Anthropic: cents (a decimal string)
    group: str  # OpenAI project_id, Anthropic workspace_id
    item: str  # OpenAI line_item, Anthropic description


@dataclass
class FakeCosts:
    costs: list[DayCost] = field(default_factory=list)
    failures: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)

    def __enter__(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                split = urlsplit(self.path)
                query = parse_qs(split.query)
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append((split.path, query, headers))
                if fake.failures:
                    status, extra = fake.failures.popleft()
                    return self._send(status, {"error": {"message": "scripted"}}, extra)
                if split.path == "/v1/organization/costs":
                    if headers.get("authorization") != f"Bearer {OPENAI_KEY}":
                        return self._send(401, {"error": {"message": "Invalid key"}})
                    return self._send(200, fake.openai(query))
                if split.path == "/v1/organizations/cost_report":
                    if headers.get("x-api-key") != ANTHROPIC_KEY:
                        return self._send(401, {"type": "error"})
                    return self._send(200, fake.anthropic(query))
                return self._send(404, {"error": "no such path"})

            def _send(self, status: int, body: Any, extra: dict[str, str] | None = None) -> None:
                # OpenAI's amount.value is a JSON number: written from its exact decimal text.
                data = re.sub(r'"@@([^@"]+)@@"', r"\1", json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/"

    def _days(self, start: date, end: date, query: dict[str, list[str]]) -> tuple[list[date], int]:
        limit = int(query["limit"][0])
        offset = int(query.get("page", ["0"])[0])
        days = []
        day = start
        while day < end:
            days.append(day)
            day += timedelta(days=1)
        return days[offset : offset + limit], offset + limit if offset + limit < len(days) else 0

    def _page(self, buckets: list[Any], after: int) -> dict[str, Any]:
        cursor = str(after) if after else None
        return {"data": buckets, "has_more": bool(after), "next_page": cursor}

    def openai(self, query: dict[str, list[str]]) -> dict[str, Any]:
        start = datetime.fromtimestamp(int(query["start_time"][0]), UTC).date()
        end = datetime.fromtimestamp(int(query["end_time"][0]), UTC).date()
        days, after = self._days(start, end, query)
        buckets = []
        for day in days:
            moment = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
            results = [
                {
                    "object": "organization.costs.result",
                    "amount": {"value": "@@" + c.amount + "@@", "currency": "usd"},
                    "line_item": c.item,
                    "project_id": c.group,
                }
                for c in self.costs
                if c.day == day
            ]
            buckets.append(
                {"object": "bucket", "start_time": moment, "end_time": moment + 86400,
                 "results": results}
            )  # fmt: skip
        return {"object": "page", **self._page(buckets, after)}

    def anthropic(self, query: dict[str, list[str]]) -> dict[str, Any]:
        start = datetime.fromisoformat(query["starting_at"][0]).date()
        end = datetime.fromisoformat(query["ending_at"][0]).date()
        days, after = self._days(start, end, query)
        buckets = []
        for day in days:
            results = [
                {"currency": "USD", "amount": c.amount, "workspace_id": c.group,
                 "description": c.item, "cost_type": "tokens", "model": "claude-sonnet-4"}
                for c in self.costs
                if c.day == day
            ]  # fmt: skip
            buckets.append(
                {"starting_at": f"{day}T00:00:00Z",
                 "ending_at": f"{day + timedelta(days=1)}T00:00:00Z", "results": results}
            )  # fmt: skip
        return self._page(buckets, after)
