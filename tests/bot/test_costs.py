"""Provider cost APIs pulled into actual spend, against a loopback server that answers as
OpenAI's `GET /v1/organization/costs` and Anthropic's `GET /v1/organizations/cost_report` do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from core.errors import Rejected
from core.providers import ANTHROPIC, OPENAI, parse_page
from db.engine import session_scope
from db.models import ActualSpend
from db.tools import get_workspace, list_tools
from stack import Context
from stack.costs import Fetcher, Source, pull_costs
from stack.reports import problem_lines
from tests.conftest import NOW, TEAM, Stack
from tests.fake_costs import ANTHROPIC_KEY, OPENAI_KEY, DayCost, FakeCosts

CONTEXT = Context(team_id=TEAM, user_id="UCLOCK", now=NOW)  # NOW: 28 Nov 2026


@pytest.fixture
def fake() -> Iterator[FakeCosts]:
    with FakeCosts() as server:
        yield server


def stored(engine: Engine) -> list[tuple[str, date, str, str, int]]:
    """(provider, month, match key or service, currency, cents) per stored total."""
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(ActualSpend)).all()
        found = [(r.provider, r.month, r.match_key, r.currency, r.amount_cents) for r in rows]
    return sorted(found)


def tool_key(stack: Stack, name: str) -> str:
    with session_scope(stack.engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=TEAM)
        assert workspace is not None
        tools = list_tools(session=session, workspace_id=workspace.id or 0)
        return next(f"tool:{t.id}" for t in tools if t.name == name)


def test_it_pulls_openai_costs_page_by_page_and_files_them_by_project(
    engine: Engine, stack: Stack, fake: FakeCosts
) -> None:
    stack.ok("/stack add OpenAI API cost:100/mo")
    stack.ok("/stack add Search bot inference billing:project_id=proj_search")
    fake.costs = [
        DayCost(date(2026, 10, 3), "12.345", "proj_search", "gpt-4o, input"),
        DayCost(date(2026, 10, 4), "7.655", "proj_search", "gpt-4o, output"),
        DayCost(date(2026, 11, 27), "0.1", "proj_other", "gpt-4o, input"),
        DayCost(date(2026, 11, 27), "0.2", "proj_other", "embeddings"),
    ]
    sleeps: list[float] = []
    source = Source(OPENAI, fake.url, OPENAI_KEY)
    report = pull_costs(engine, CONTEXT, source, fetcher=Fetcher(sleep=sleeps.append))
    assert report.applied, problem_lines(report.bill.problems)
    search, openai = tool_key(stack, "Search bot"), tool_key(stack, "OpenAI API")
    # 12.345 + 7.655 is 20.00 exactly; 0.1 + 0.2 is 0.30 (JSON numbers read as decimals).
    assert stored(engine) == [
        ("OpenAI", date(2026, 10, 1), search, "USD", 2000),
        ("OpenAI", date(2026, 11, 1), openai, "USD", 30),
    ]
    # 1 Oct to 28 Nov is 59 daily buckets: two pages of 31, the second asked for by cursor.
    assert [q.get("page") for _, q, _ in fake.requests] == [None, ["31"]]
    path, query, headers = fake.requests[0]
    assert path == "/v1/organization/costs"
    assert query["group_by"] == ["project_id", "line_item"]
    assert query["start_time"] == ["1790812800"]  # 2026-10-01T00:00:00Z
    assert headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert sleeps == []
    # Pulled again, the same days are stored once.
    assert pull_costs(engine, CONTEXT, source, fetcher=Fetcher(sleep=sleeps.append)).applied
    assert stored(engine)[1][-1] == 30
    assert len(stored(engine)) == 2


def test_it_reads_anthropic_amounts_as_cents_and_stores_a_revised_day_as_revised(
    engine: Engine, stack: Stack, fake: FakeCosts
) -> None:
    stack.ok("/stack add Anthropic API cost:50/mo")
    fake.costs = [
        DayCost(date(2026, 11, 2), "123.45", "wrkspc_1", "Claude Sonnet 4 Usage - Input Tokens"),
        DayCost(date(2026, 11, 2), "76.55", "wrkspc_1", "Claude Sonnet 4 Usage - Output Tokens"),
    ]
    source = Source(ANTHROPIC, fake.url, ANTHROPIC_KEY)
    report = pull_costs(engine, CONTEXT, source, fetcher=Fetcher(sleep=lambda s: None))
    assert report.applied, problem_lines(report.bill.problems)
    anthropic = tool_key(stack, "Anthropic API")
    assert stored(engine) == [("Anthropic", date(2026, 11, 1), anthropic, "USD", 200)]  # $2.00
    _, query, headers = fake.requests[0]
    assert query["group_by[]"] == ["workspace_id", "description"]
    assert query["starting_at"] == ["2026-10-01T00:00:00Z"]
    assert headers["x-api-key"] == ANTHROPIC_KEY
    assert headers["anthropic-version"] == "2023-06-01"
    fake.costs[1].amount = "176.55"  # the provider revised the 2nd of November
    assert pull_costs(engine, CONTEXT, source, fetcher=Fetcher(sleep=lambda s: None)).applied
    assert stored(engine) == [("Anthropic", date(2026, 11, 1), anthropic, "USD", 300)]


def test_it_waits_as_retry_after_says_on_429_and_backs_off_on_5xx(
    engine: Engine, stack: Stack, fake: FakeCosts
) -> None:
    fake.costs = [DayCost(date(2026, 11, 2), "5", "proj", "gpt-4o")]
    fake.failures.extend([(429, {"Retry-After": "7"}), (503, {}), (500, {})])
    sleeps: list[float] = []
    source = Source(OPENAI, fake.url, OPENAI_KEY)
    report = pull_costs(engine, CONTEXT, source, fetcher=Fetcher(sleep=sleeps.append))
    assert report.applied, problem_lines(report.bill.problems)
    assert sleeps == [7.0, 2.0, 4.0]
    [(_, _, service, _, cents)] = stored(engine)
    assert (service, cents) == ("service:openai", 500)  # no tool claims it: unregistered AI spend


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        ((401, {}), "OpenAI refused the admin key"),
        ((429, {"Retry-After": "3600"}), "OpenAI did not answer"),
        ((400, {}), "OpenAI refused the request (HTTP 400)"),
    ],
)
def test_a_refused_key_or_a_provider_that_keeps_failing_stores_nothing(
    engine: Engine, stack: Stack, fake: FakeCosts, failure: tuple[int, dict[str, str]],
    expected: str,
) -> None:  # fmt: skip
    fake.costs = [DayCost(date(2026, 11, 2), "5", "proj", "gpt-4o")]
    fake.failures.append(failure)
    sleeps: list[float] = []
    source = Source(OPENAI, fake.url, OPENAI_KEY)
    report = pull_costs(engine, CONTEXT, source, fetcher=Fetcher(sleep=sleeps.append))
    assert not report.applied
    [line] = problem_lines(report.bill.problems)
    assert expected in line
    assert OPENAI_KEY not in line
    assert OPENAI_KEY not in repr(source)
    assert sleeps == []  # a wait of an hour is not waited: the next day's pull tries again
    assert stored(engine) == []


def test_a_page_that_is_not_what_the_api_documents_is_refused_never_read_as_zero() -> None:
    for data, reason in [
        (b'{"error": {"message": "x"}}', "the page has no `data` list"),
        (b'{"data": [], "has_more": true}', "the page says there is more but gives no"),
        (b'{"data": [{"results": [{"amount": 3}]}], "has_more": false}', "a bucket's"),
    ]:
        with pytest.raises(Rejected) as caught:
            parse_page(ANTHROPIC, data)
        assert caught.value.details["reason"].startswith(reason)
    page = parse_page(
        OPENAI,
        b'{"data": [{"start_time": 0, "end_time": 86400, "results": [{"amount": '
        b'{"value": 0.000000000000000000000000000001, "currency": "usd"}}]}], "has_more": false}',
    )
    assert Decimal(page.charges[0]["BilledCost"]) == Decimal("1E-30")  # exact, never a float


def test_pull_costs_from_the_terminal_needs_a_key_and_never_prints_it(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    fake: FakeCosts,
) -> None:  # fmt: skip
    from cli.main import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/stack.db")
    for name in ("OPENAI_ADMIN_KEY", "ANTHROPIC_ADMIN_KEY", "COSTS_TEAM"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    assert main(["pull-costs", "--team", "T1"]) == 2
    assert "set OPENAI_ADMIN_KEY or ANTHROPIC_ADMIN_KEY" in capsys.readouterr().err
    monkeypatch.setenv("OPENAI_ADMIN_KEY", OPENAI_KEY)
    monkeypatch.setenv("OPENAI_API_URL", fake.url)
    # The terminal reads the wall clock: a cost of today is inside any pull's window.
    fake.costs = [DayCost(datetime.now(UTC).date(), "42", "proj", "gpt-4o")]
    assert main(["pull-costs"]) == 2
    assert "--team T, or set COSTS_TEAM" in capsys.readouterr().err
    assert main(["pull-costs", "--team", "T1"]) == 0
    out = capsys.readouterr()
    assert "OpenAI" in out.out
    assert OPENAI_KEY not in out.out + out.err
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-expired")
    assert main(["pull-costs", "--team", "T1"]) == 1
    out = capsys.readouterr()
    assert "OpenAI refused the admin key" in out.out
    assert "sk-admin-expired" not in out.out + out.err


def test_a_provider_with_no_costs_is_an_answer_not_an_empty_file(
    engine: Engine, stack: Stack, fake: FakeCosts
) -> None:
    source = Source(ANTHROPIC, fake.url, ANTHROPIC_KEY)
    report = pull_costs(engine, CONTEXT, source, fetcher=Fetcher(sleep=lambda s: None))
    assert report.applied, problem_lines(report.bill.problems)
    assert stored(engine) == []


def test_a_pull_ends_when_its_time_is_spent_and_stores_nothing(
    engine: Engine, stack: Stack, fake: FakeCosts
) -> None:
    # A server that answers page after page, each just inside the timeout: the pull's own
    # budget ends it. The clock here is fake: each request "takes" 100 seconds.
    fake.costs = [DayCost(date(2026, 11, 2), "5", "proj", "gpt-4o")]
    ticks = iter(range(0, 10_000, 100))
    fetcher = Fetcher(sleep=lambda s: None, clock=lambda: float(next(ticks)), budget=150)
    report = pull_costs(engine, CONTEXT, Source(OPENAI, fake.url, OPENAI_KEY), fetcher=fetcher)
    assert not report.applied
    [line] = problem_lines(report.bill.problems)
    assert "OpenAI did not answer in time" in line
    assert len(fake.requests) == 1  # the second page was never asked for
    assert stored(engine) == []


def test_a_redirect_is_refused_so_the_key_never_follows_it(
    engine: Engine, stack: Stack, fake: FakeCosts
) -> None:
    fake.failures.append((302, {"Location": f"{fake.url}somewhere-else"}))
    source = Source(ANTHROPIC, fake.url, ANTHROPIC_KEY)
    report = pull_costs(engine, CONTEXT, source, fetcher=Fetcher(sleep=lambda s: None))
    [line] = problem_lines(report.bill.problems)
    assert "Anthropic refused the request (HTTP 302)" in line
    assert [path for path, _, _ in fake.requests] == ["/v1/organizations/cost_report"]
