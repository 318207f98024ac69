"""Reading FOCUS bills: actual spend per tool, month and currency, and the AI spend the stack
does not know about."""

from __future__ import annotations

import gzip
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.engine import session_scope
from db.spend import MonthSpend, month_spend
from db.tools import get_workspace, list_tools
from stack import Context
from stack.billing import BillingReport, billing_message, import_billing
from stack.reports import problem_lines
from tests.conftest import ALICE, NOW, TEAM, Stack

SAMPLES = Path(__file__).parent.parent / "samples"
OCTOBER = date(2026, 10, 1)


def bill(engine: Engine, data: bytes | str, *, dry_run: bool = False) -> BillingReport:
    binary = data.encode() if isinstance(data, str) else data
    context = Context(team_id=TEAM, user_id=ALICE, now=NOW)
    return import_billing(engine, context, io.BytesIO(binary), dry_run=dry_run)


def sample(name: str) -> bytes:
    return (SAMPLES / f"focus_{name}.csv").read_bytes()


def spent(engine: Engine) -> tuple[dict[str, dict[str, Decimal]], MonthSpend | None]:
    """Actual spend per tool name, and the month's totals."""
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=TEAM)
        assert workspace is not None
        assert workspace.id is not None
        month = month_spend(session=session, workspace_id=workspace.id)
        names = {t.id: t.name for t in list_tools(session=session, workspace_id=workspace.id)}
    if month is None:
        return {}, None
    return {names[k]: dict(v) for k, v in month.by_tool.items()}, month


def unclaimed(month: MonthSpend | None) -> list[tuple[str, str, Decimal]]:
    assert month is not None
    return [(u.service, u.currency, u.amount) for u in month.unclaimed]


def test_an_aws_bill_is_matched_by_catalog_alias_and_finds_unregistered_bedrock(
    engine: Engine, stack: Stack
) -> None:
    stack.ok("/stack add SageMaker cost:2000/mo")
    report = bill(engine, sample("aws"))
    assert report.applied, problem_lines(report.bill.problems)
    tools, month = spent(engine)
    assert month is not None
    assert month.month == OCTOBER
    assert tools == {"Amazon SageMaker": {"USD": Decimal("3000.00")}}  # 3,100 less a 100 credit
    assert unclaimed(month) == [("Amazon Bedrock", "USD", Decimal("3200.00"))]
    assert report.bill.skipped == 2  # EC2 and S3: no tool, not AI spend
    [line] = report.unclaimed
    assert line.command == "/stack add “Amazon Bedrock”"
    text = billing_message(report, source="aws.csv")
    assert "AI and ML spend not in your stack" in str(text)
    assert "$3,200" in str(text)


def test_a_google_cloud_bill_in_euros_with_bigquery_timestamps(
    engine: Engine, stack: Stack
) -> None:
    stack.ok("/stack add Vertex cost:EUR 1000/mo")
    report = bill(engine, sample("gcp"))
    assert report.applied, problem_lines(report.bill.problems)
    tools, month = spent(engine)
    assert tools == {"Vertex AI": {"EUR": Decimal("700.50")}}
    assert unclaimed(month) == [("Document AI", "EUR", Decimal("75.00"))]
    assert report.unclaimed[0].command == "/stack add “Document AI” inference billing:“Document AI”"


def test_an_azure_bill_matches_a_marketplace_tool_by_service_name(
    engine: Engine, stack: Stack
) -> None:
    stack.ok("/stack add Pinecone cost:EUR 100/mo")
    stack.ok("/stack add AOAI")
    report = bill(engine, sample("azure"))
    assert report.applied, problem_lines(report.bill.problems)
    tools, month = spent(engine)
    assert tools == {
        "Pinecone": {"EUR": Decimal("120.00")},
        "Azure OpenAI": {"EUR": Decimal("1800.00")},
    }
    assert unclaimed(month) == [("Azure Machine Learning", "EUR", Decimal("640.00"))]
    assert report.unclaimed[0].command == "/stack add “Azure Machine Learning”"


def test_an_llm_gateway_bill_is_split_by_a_billing_rule_on_tags(
    engine: Engine, stack: Stack
) -> None:
    stack.ok('/stack add "Search assistant" inference billing:"team=search"')
    report = bill(engine, sample("litellm"))
    assert report.applied, problem_lines(report.bill.problems)
    tools, month = spent(engine)
    assert tools == {"Search assistant": {"USD": Decimal("87.70")}}  # 0.00425 + 87.69575
    assert unclaimed(month) == [("Anthropic", "USD", Decimal("412.30"))]


def test_a_billing_rule_matches_a_resource_and_wins_over_the_service_name(
    engine: Engine, stack: Stack
) -> None:
    stack.ok("/stack add SageMaker")
    stack.ok('/stack add Ranker inference billing:"resource=ranker"')
    bill(engine, sample("aws"))
    tools, _ = spent(engine)
    assert tools == {
        "Ranker": {"USD": Decimal("3100.00")},
        "Amazon SageMaker": {"USD": Decimal("-100.00")},
    }


def test_a_month_imported_again_replaces_itself_and_leaves_other_providers_alone(
    engine: Engine, stack: Stack
) -> None:
    stack.ok("/stack add SageMaker")
    stack.ok("/stack add Vertex")
    bill(engine, sample("aws"))
    bill(engine, sample("gcp"))
    first = spent(engine)
    report = bill(engine, sample("aws"))
    assert report.replaced == 2  # SageMaker's total and Bedrock's
    assert spent(engine) == first
    corrected = sample("aws").replace(b"3100.00,123456789012", b"3500.00,123456789012")
    bill(engine, corrected)
    tools, _ = spent(engine)
    assert tools["Amazon SageMaker"] == {"USD": Decimal("3400.00")}
    assert tools["Vertex AI"] == {"EUR": Decimal("700.50")}


def test_a_dry_run_stores_nothing(engine: Engine, stack: Stack) -> None:
    stack.ok("/stack add SageMaker")
    report = bill(engine, sample("aws"), dry_run=True)
    assert not report.applied
    assert report.matched[0].name == "Amazon SageMaker"
    assert spent(engine) == ({}, None)
    assert billing_message(report, source="a.csv")["text"].startswith("Dry run of a.csv")


def test_gzipped_csv_and_parquet_read_the_same(engine: Engine, stack: Stack) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    stack.ok("/stack add SageMaker")
    bill(engine, sample("aws"))
    expected = spent(engine)
    assert bill(engine, gzip.compress(sample("aws"))).applied
    assert spent(engine) == expected
    table = pacsv.read_csv(io.BytesIO(sample("aws")))
    out = io.BytesIO()
    pq.write_table(table, out)
    report = bill(engine, out.getvalue())
    assert report.applied, problem_lines(report.bill.problems)
    assert report.replaced == 2
    assert spent(engine) == expected


HEAD = "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,"
HEAD += "ServiceCategory\n"
ROW = "10.00,USD,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Usage,Amazon Bedrock,"
ROW += "AI and Machine Learning\n"
TWICE = HEAD + ROW + ROW.replace("10.00", "11.00") + ROW  # line 4 repeats line 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(0, None, "empty_file")]),
        (HEAD.encode(), [(0, None, "empty_file")]),
        (b"PK\x03\x04workbook", [(0, None, "wrong_format")]),
        (b"BilledCost,ServiceName\n1,x\n", [(1, None, "missing_columns")]),
        (
            (HEAD + ROW.replace("10.00", "-10.00")).encode(),
            [(2, "BilledCost", "negative_billed_cost")],
        ),
        ((HEAD + ROW.replace("10.00", "ten")).encode(), [(2, "BilledCost", "bad_billed_cost")]),
        ((HEAD + ROW.replace("10.00", "NaN")).encode(), [(2, "BilledCost", "bad_billed_cost")]),
        (
            (HEAD + ROW.replace("USD", "USX")).encode(),
            [(2, "BillingCurrency", "bad_billing_currency")],
        ),
        (
            (HEAD + ROW.replace("2026-10-01T", "1970-10-01T")).encode(),
            [(2, "ChargePeriodStart", "charge_period_out_of_range")],
        ),
        (
            (HEAD + ROW.replace("2026-10-01T", "2099-10-01T")).encode(),
            [(2, "ChargePeriodStart", "charge_period_out_of_range")],
        ),
        (
            (HEAD + ROW.replace("2026-10-01T00", "yesterday")).encode(),
            [(2, "ChargePeriodStart", "bad_charge_period")],
        ),
        (
            (HEAD + ROW.replace("2026-10-02T", "2026-09-02T")).encode(),
            [(2, "ChargePeriodEnd", "bad_charge_period")],
        ),
        (
            (HEAD + ROW + '10,USD,"' + "x" * 10_000_000 + '"\n').encode(),
            [(3, None, "line_too_long")],
        ),
        ((HEAD + ROW).encode() + b"10,\xff\n", [(3, None, "not_utf8")]),
        (
            (HEAD + ROW + ROW.replace("10.00", "11.00") + ROW).encode(),
            [(4, None, "duplicate_charge")],
        ),
        (gzip.compress(HEAD.encode())[:-8], [(2, None, "bad_gzip")]),
    ],
)
def test_a_bad_bill_is_refused_with_the_line_and_stores_nothing(
    engine: Engine, stack: Stack, data: bytes, expected: list[tuple[int, str | None, str]]
) -> None:
    stack.ok("/stack add Bedrock")
    bill(engine, (HEAD + ROW).encode())
    before = spent(engine)
    report = bill(engine, data)
    assert [(p.line, p.column, p.code) for p in report.bill.problems] == expected
    assert not report.applied
    assert spent(engine) == before
    for line in problem_lines(report.bill.problems):
        assert len(line) < 600
    assert billing_message(report, source="b.csv")["text"].startswith("Nothing was stored")


def test_every_bad_row_counts_but_only_the_first_fifty_are_kept(engine: Engine) -> None:
    data = HEAD + ROW.replace("10.00", "x") * 500
    report = bill(engine, data)
    assert report.bill.problem_count == 500
    assert len(report.bill.problems) == 50
    assert (
        billing_message(report, source="b.csv")["text"]
        == "Nothing was stored: 500 bad rows in b.csv"
    )


def test_long_provider_and_service_names_are_replaced_not_doubled(engine: Engine) -> None:
    provider, service = "P" * 120, "Model service " + "x" * 300
    head = HEAD.replace("ServiceCategory", "ServiceCategory,ProviderName")
    row = ROW.replace("Amazon Bedrock", service).replace("Learning\n", f"Learning,{provider}\n")
    for _ in range(2):
        assert bill(engine, head + row).applied
    _, month = spent(engine)
    assert unclaimed(month) == [(service[:200], "USD", Decimal("10.00"))]


def test_a_service_name_that_pings_is_escaped(engine: Engine, stack: Stack) -> None:
    report = bill(engine, HEAD + ROW.replace("Amazon Bedrock", "<!here> & co"))
    text = str(billing_message(report, source="b.csv"))
    assert "<!here>" not in text
    assert "&lt;!here&gt; &amp; co" in text
    spend = str(stack.ok("/stack spend").message)
    assert "<!here>" not in spend
    assert "&lt;!here&gt; &amp; co" in spend


def test_a_billing_rule_is_set_cleared_and_checked_like_any_option(stack: Stack) -> None:
    stack.ok('/stack add Bedrock billing:"Amazon Bedrock, team=assist"')
    shown = str(stack.ok("/stack history Bedrock").message)
    assert "Amazon Bedrock, team=assist" in shown or "Bedrock" in shown
    refused = stack("/stack edit Bedrock billing:" + "x" * 201)
    assert not refused.ok
    assert refused.code == "bad_billing"
    assert "at most 200 characters" in refused.message["text"]
    edited = stack.ok("/stack edit Bedrock billing:none")
    assert "billing match" in str(edited.message)


def _gzip_of(head: bytes, filler: bytes, size: int) -> bytes:
    """A gzip of `head` then `size` bytes of `filler`, compressed as it is made."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb") as packed:
        packed.write(head)
        chunk = filler * (2**20 // len(filler))
        for _ in range(size // len(chunk)):
            packed.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    ("filler", "code"),
    [(b"x", "line_too_long"), (b"\n", "blank_lines"), (b",,,,\n", "blank_lines")],
)
def test_a_gzip_bomb_is_refused_at_its_bound_and_stores_nothing(
    engine: Engine, stack: Stack, filler: bytes, code: str
) -> None:
    stack.ok("/stack add Bedrock")
    bill(engine, (HEAD + ROW).encode())
    before = spent(engine)
    bomb = _gzip_of((HEAD + ROW).encode(), filler, 4 * 2**20)  # 4 MiB unpacked, past each bound
    assert len(bomb) < 2**20
    report = bill(engine, bomb)
    assert [p.code for p in report.bill.problems] == [code]
    assert not report.applied
    assert spent(engine) == before


def test_a_command_is_stored_while_a_bill_is_being_read(engine: Engine, stack: Stack) -> None:
    """The bill is read with no lock held: a /stack write made meanwhile (here, from the
    progress callback, between two rows) goes through at once instead of waiting for the import
    to finish, and both are stored."""
    stack.ok("/stack add Bedrock")
    written: list[bool] = []

    def meanwhile(rows: int) -> None:
        if not written:  # another connection from the pool, as another request's would be
            written.append(stack("/stack add Pinecone data").ok)

    data = (HEAD + ROW).encode()
    context = Context(team_id=TEAM, user_id=ALICE, now=NOW)
    report = import_billing(engine, context, io.BytesIO(data), dry_run=False, progress=meanwhile)
    assert written == [True]
    assert report.applied, problem_lines(report.bill.problems)
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=TEAM)
        assert workspace is not None
        names = [t.name for t in list_tools(session=session, workspace_id=workspace.id or 0)]
    assert "Pinecone" in names
