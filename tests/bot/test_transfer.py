"""Importing a stack from a spreadsheet and exporting it again: safe, whole or not at all."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.slack import email_lookup
from core.importing import Lookup
from db.engine import session_scope
from db.models import AuditEvent, Tool
from stack import Context
from stack.reports import import_message, problem_lines
from stack.transfer import ImportReport, export_stack, import_stack
from tests.conftest import ALICE, NOW, OTHER_TEAM, TEAM, Stack
from tests.fake_slack import FakeSlack
from tests.slack_checks import all_text

SAMPLES = Path(__file__).parent.parent / "samples"

HEADER = "name,layers,capabilities,vendor,sourcing,cost,currency,period,owner,renews,notice,"
HEADER += "channel,notes\n"


def no_lookup(email: str) -> str | None:
    raise AssertionError("no email in this file")


def run_import(
    engine: Engine,
    data: str | bytes,
    *,
    team: str = TEAM,
    dry_run: bool = False,
    lookup: Lookup = no_lookup,
) -> ImportReport:
    binary = data.encode() if isinstance(data, str) else data
    context = Context(team_id=team, user_id=ALICE, now=NOW)
    return import_stack(engine, context, io.BytesIO(binary), dry_run=dry_run, lookup=lookup)


def tools(engine: Engine, team: str = TEAM) -> list[Tool]:
    with session_scope(engine, write=False) as session:
        from db.tools import get_workspace, list_tools

        workspace = get_workspace(session=session, team_id=team)
        if workspace is None:
            return []
        assert workspace.id is not None
        return list_tools(session=session, workspace_id=workspace.id)


def events(engine: Engine) -> list[AuditEvent]:
    with session_scope(engine, write=False) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())  # type: ignore[arg-type]


def codes(report: ImportReport) -> list[tuple[int, str | None, str]]:
    return [(p.line, p.column, p.code) for p in report.problems]


def build_stack(stack: Stack) -> None:
    stack.ok("/stack add vLLM inference cost:1200/mo owner:<@UANA> renews:2027-03-01 notice:30")
    stack.ok(
        '/stack add "Feature Hub" data caps:feature-store sourcing:build notes:"ours, all ours"'
    )
    stack.ok('/stack add wandb cost:EUR 14k/yr channel:<#CAI> vendor:"W&B Inc."')
    stack.ok('/stack add "<!channel> 東京" governance billing:"team=gov, resource=audit"')


def test_it_exports_a_stack_that_imports_into_an_empty_workspace_as_the_same_stack(
    engine: Engine, stack: Stack
) -> None:
    build_stack(stack)
    for fmt in ("csv", "json", "backstage"):
        exported = export_stack(engine, TEAM, fmt)
        assert exported is not None
        team = f"T{fmt.upper()}"
        report = run_import(engine, exported, team=team)
        assert report.applied, problem_lines(report.problems)
        assert len(report.added) == 4
        assert export_stack(engine, team, fmt) == exported
        assert export_stack(engine, team, "csv") == export_stack(engine, TEAM, "csv")


FORMULA_NAMES = ("=HYPERLINK(A1)", "+1 tools", "-ops", "@risk", "'quoted")


def test_a_csv_export_opens_in_a_spreadsheet_as_text_and_imports_back_exactly(
    engine: Engine, stack: Stack
) -> None:
    for name in FORMULA_NAMES:
        stack.ok(f'/stack add "{name}" governance notes:"=1+1 -x"')
    exported = export_stack(engine, TEAM, "csv")
    assert exported is not None
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    # No cell a spreadsheet would run: each begins with an apostrophe or a harmless character.
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {"'=1+1 -x", "'-ops", "''quoted"} <= set(cells)
    report = run_import(engine, exported, team="TROUND")
    assert report.applied, problem_lines(report.problems)
    assert sorted(t.name for t in tools(engine, "TROUND")) == sorted(FORMULA_NAMES)
    assert {t.notes for t in tools(engine, "TROUND")} == {"=1+1 -x"}
    assert export_stack(engine, "TROUND", "csv") == exported


def test_it_updates_on_reimport_and_never_duplicates(engine: Engine, stack: Stack) -> None:
    build_stack(stack)
    exported = export_stack(engine, TEAM, "csv")
    assert exported is not None
    before = len(events(engine))
    again = run_import(engine, exported)
    assert again.applied
    assert again.added == []
    assert len(again.unchanged) == 4
    assert len(events(engine)) == before  # nothing changed, nothing audited
    # Matched as /stack add matches: catalog aliases and normalised names.
    report = run_import(
        engine,
        HEADER + "Weights and Biases,,,,,99,USD,month,,,,,\nfeature hub,,,,,,,,,,,,new notes\n",
    )
    assert report.applied
    assert report.added == []
    assert [name for name, _ in report.changed] == ["Weights & Biases", "Feature Hub"]
    assert len(tools(engine)) == 4
    wandb = next(t for t in tools(engine) if t.name == "Weights & Biases")
    assert (wandb.cost_cents, wandb.cost_currency, wandb.cost_period) == (9900, "USD", "month")
    assert wandb.channel_id == "CAI"  # an empty cell leaves a value alone
    report = run_import(engine, HEADER + "wandb,,,,,,,,,,,none,\n")
    assert report.changed == [("Weights & Biases", ["channel_id"])]
    last = events(engine)[-3:-1]
    assert {e.actor for e in last} == {ALICE}
    assert {e.action for e in last} == {"import"}
    assert last[0].after is not None
    assert last[0].after["cost"]["amount"] == "99"


def test_a_dry_run_lists_what_would_change_and_changes_nothing(
    engine: Engine, stack: Stack
) -> None:
    stack.ok("/stack add vLLM inference cost:1200/mo")
    before = len(events(engine))
    report = run_import(
        engine, HEADER + "vLLM,,,,,1500,USD,month,,,,,\nPinecone,,,,,,,,,,,,\n", dry_run=True
    )
    assert report.dry_run
    assert not report.problems
    assert not report.applied
    assert report.added == ["Pinecone"]
    assert report.changed == [("vLLM", ["cost"])]
    assert len(events(engine)) == before
    assert [t.name for t in tools(engine)] == ["vLLM"]
    assert tools(engine)[0].cost_cents == 120000
    text = import_message(report, source="stack.csv")["text"]
    assert text == "Dry run of stack.csv: 1 to add, 1 to change, 0 unchanged"


def test_a_file_with_one_bad_row_imports_nothing_and_names_every_bad_cell(
    engine: Engine,
) -> None:
    data = (
        HEADER
        + "vLLM,inference,,,,1200,USD,month,,,,,\n"
        + "Pinecone,,,,,-5,USD,month,,,,,\n"
        + "Mystery,infrence,,,,12x,,,,,,,\n"
        + "Chroma,,vectr-search,,,10,XYZ,month,,2999-01-01,,,\n"
    )
    report = run_import(engine, data)
    assert not report.applied
    assert codes(report) == [
        (3, "cost", "negative_cost"),
        (4, "layers", "unknown_layer"),
        (4, "cost", "bad_cost"),
        (5, "capabilities", "unknown_capability"),
        (5, "renews", "far_date"),
        (5, "cost", "bad_currency"),
    ]
    assert tools(engine) == []
    lines = problem_lines(report.problems)
    assert lines[1].startswith(
        "line 4, layers: `infrence` is not a layer. Did you mean `inference`?"
    )
    assert "Did you mean `vector-search`?" in lines[3]
    message = import_message(report, source="s.csv")
    assert message["text"] == "Nothing was imported: 6 problems in s.csv"


def test_it_reads_semicolons_a_bom_quoted_newlines_crlf_and_excel_dates(engine: Engine) -> None:
    data = (
        "\ufeffName ; LAYERS;Renews;Notes;Cost\r\n"
        'vLLM;inference;46082;"first line\r\nsecond; line";"1,200"\r\n'
        "Pinecone;;2027-03-01 00:00:00;;\r\n"
    ).encode()
    report = run_import(engine, data)
    assert report.applied, problem_lines(report.problems)
    vllm, pinecone = sorted(tools(engine), key=lambda t: t.name)[::-1]
    assert vllm.renews_on == date(2026, 3, 1)
    assert vllm.notes == "first line\r\nsecond; line"
    assert vllm.cost_cents == 120000
    assert pinecone.renews_on == date(2027, 3, 1)
    assert pinecone.vendor == "Pinecone Systems" or pinecone.vendor  # the catalog's, left blank


def test_it_resolves_owners_by_email_through_slack(engine: Engine, fake_slack: FakeSlack) -> None:
    fake_slack.emails["ana@example.com"] = "UANA"
    lookup = email_lookup(fake_slack.client())
    data = HEADER + "vLLM,inference,,,,,,,Ana@Example.com,,,,\n"
    data += "KServe,inference,,,,,,,nobody@example.com,,,,\n"
    report = run_import(engine, data, lookup=lookup)
    # An email nobody in Slack has leaves the owner empty, says so, and blocks nothing.
    assert report.applied, problem_lines(report.problems)
    assert [(n.line, n.column, n.code, n.details["reason"]) for n in report.notices] == [
        (3, "owner", "owner_left_empty", "unknown_email")
    ]
    assert {t.name: t.owner_id for t in tools(engine)} == {"vLLM": "UANA", "KServe": None}
    assert len(fake_slack.calls_to("users.lookupByEmail")) == 2  # asked once per email


def test_an_email_without_slack_says_what_would_work(engine: Engine) -> None:
    report = run_import(
        engine, HEADER + "vLLM,inference,,,,,,,ana@example.com,,,,\n", lookup=email_lookup(None)
    )
    assert report.applied, problem_lines(report.problems)
    assert [(n.code, n.details["reason"]) for n in report.notices] == [
        ("owner_left_empty", "email_needs_slack")
    ]
    text = all_text(import_message(report, source="f.csv"))
    assert "no Slack token" in text
    assert "U0123ABCD" in text  # what to give instead


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(0, None, "empty_file")]),
        (b"\n\n", [(0, None, "empty_file")]),
        (HEADER.encode(), [(0, None, "empty_file")]),
        (b"PK\x03\x04rest of a workbook", [(0, None, "bad_xlsx")]),
        (b"PAR1....", [(0, None, "wrong_format")]),
        (b"\x1f\x8b\x08gzip", [(0, None, "wrong_format")]),
        (b"n\x00a\x00m\x00e\x00", [(0, None, "wrong_format")]),
        (b"layers,cost\ninference,10\n", [(1, None, "missing_columns")]),
        (b"name,cots\nvLLM,10\n", [(1, None, "unknown_column")]),
        (b"name,tool\nvLLM,vLLM\n", [(1, None, "repeated_column")]),
        (b"name,layers\nvLLM,inference,extra\n", [(2, None, "extra_cells")]),
        (b"name,layers\nvLLM,inference\nCaf\xe9,data\n", [(3, None, "not_utf8")]),
        (b'name,notes\nvLLM,"' + b"x" * 10_000_000 + b'"\n', [(2, None, "line_too_long")]),
        (b"name,layers\nvLLM,inference\nvllm,inference\n", [(3, "name", "duplicate_row")]),
        (b"name,layers\nW&B,training\nwandb,training\n", [(3, "name", "duplicate_row")]),
        (("name,layers\n" + "x" * 81 + ",data\n").encode(), [(2, "name", "name_too_long")]),
        (b"name,layers\n,data\n", [(2, "name", "empty_name")]),
        (b"name,layers\nMy Own Thing,\n", [(2, "layers", "import_needs_layer")]),
        (b"name,layers\nPineconee,\n", [(2, "layers", "misspelt_tool")]),
        (b"name,layers,renews\nvLLM,inference,03/04/2027\n", [(2, "renews", "ambiguous_date")]),
        (b"name,layers,renews\nvLLM,inference,31 Feb 2027\n", [(2, "renews", "impossible_date")]),
        (b"name,layers,cost\nvLLM,inference,lots\n", [(2, "cost", "bad_cost")]),
        (b"name,layers,cost,currency\nvLLM,inference,10,ABC\n", [(2, "cost", "bad_currency")]),
        (b"name,layers,owner\nvLLM,inference,ana\n", [(2, "owner", "bad_owner")]),
        (b"name,layers,channel\nvLLM,inference,#ai\n", [(2, "channel", "bad_channel")]),
        (b"[1, 2]", [(1, None, "bad_json")]),
        (b"apiVersion: v1\nkind: Component\n  bad: [indent\n", [(3, None, "bad_yaml")]),
        (b"apiVersion: v1\nkind: Component\nmetadata: 7\n", [(1, None, "not_an_entity")]),
    ],
)
def test_it_refuses_bad_input_with_the_line_and_changes_nothing(
    engine: Engine, stack: Stack, data: bytes, expected: list[tuple[int, str | None, str]]
) -> None:
    stack.ok("/stack add Chroma")
    before = len(events(engine))
    report = run_import(engine, data)
    assert codes(report) == expected
    assert not report.applied
    assert len(events(engine)) == before
    assert [t.name for t in tools(engine)] == ["Chroma"]
    for line in problem_lines(report.problems):
        assert len(line) < 600  # a 10 MB cell is never echoed back
    assert import_message(report, source="f.csv")["text"].startswith("Nothing was imported")


def test_an_unknown_column_suggests_the_nearest(engine: Engine) -> None:
    report = run_import(engine, b"name,cots\nvLLM,10\n")
    assert report.problems[0].details["suggestion"] == "cost"


def test_a_name_that_pings_a_channel_is_escaped_in_the_report(engine: Engine) -> None:
    report = run_import(engine, b"name,layers\n<!channel>,infrence\n")
    message = json.dumps(import_message(report, source="<!here>.csv"))
    assert "<!channel>" not in message
    assert "<!here>" not in message
    assert "&lt;!here&gt;.csv" in message


def test_an_import_never_touches_another_workspace(engine: Engine, stack: Stack) -> None:
    stack.ok("/stack add vLLM inference cost:1200/mo")
    report = run_import(engine, HEADER + "vLLM,,,,,1,USD,month,,,,,\n", team=OTHER_TEAM)
    assert report.added == ["vLLM"]
    assert tools(engine)[0].cost_cents == 120000


def test_the_readme_example_file_imports(engine: Engine, fake_slack: FakeSlack) -> None:
    fake_slack.emails["ana@example.com"] = "U0ANA"
    data = (Path(__file__).parents[2] / "examples" / "stack.csv").read_bytes()
    report = run_import(engine, data, lookup=email_lookup(fake_slack.client()))
    assert report.applied, problem_lines(report.problems)
    assert report.added == [
        "CoreWeave",
        "vLLM",
        "Weights & Biases",
        "Feature Hub",
        "Amazon Bedrock",
    ]
    bedrock = next(t for t in tools(engine) if t.name == "Amazon Bedrock")
    assert bedrock.billing_match == "Amazon Bedrock, team=assist"


def test_a_new_tool_that_pings_is_escaped_in_the_preview(engine: Engine) -> None:
    report = run_import(engine, b"name,layers\n<!channel> & co,data\n", dry_run=True)
    assert report.added == ["<!channel> & co"]
    message = json.dumps(import_message(report, source="f.csv"))
    assert "<!channel>" not in message
    assert "&lt;!channel&gt; &amp; co" in message


def test_a_json_file_with_an_unknown_key_suggests_the_column(engine: Engine) -> None:
    report = run_import(engine, b'[{"name": "vLLM", "layrs": "inference"}]')
    assert codes(report) == [(1, None, "unknown_column")]
    assert report.problems[0].details["suggestion"] == "layers"


def test_a_spreadsheet_as_finance_keeps_it_imports_in_one_run_with_notices(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    """A title above the header, extra columns, yearly costs in European and US forms, emails
    Slack cannot all resolve, blank lines and a TOTAL row: one run, every tool in, each thing
    read and acted on told."""
    fake_slack.emails.update({"ana@example.com": "UANA", "ben@example.com": "UBEN"})
    data = (SAMPLES / "stack_spreadsheet.csv").read_bytes()
    report = run_import(engine, data, lookup=email_lookup(fake_slack.client()))
    assert report.applied, problem_lines(report.problems)
    stored = {t.name: t for t in tools(engine)}
    assert sorted(stored) == sorted(
        ["CoreWeave", "OpenAI API", "Scale AI", "Feature Hub", "Weights & Biases", "Pinecone"]
    )
    scale = stored["Scale AI"]
    assert (scale.cost_cents, scale.cost_currency, scale.cost_period) == (15_000_000, "EUR", "year")
    assert scale.renews_on == date(2027, 3, 1)  # year first, read in ISO order
    assert stored["Pinecone"].cost_cents == 960_000  # 9.600 EUR: nine thousand six hundred
    assert stored["CoreWeave"].owner_id == "UANA"
    assert stored["Scale AI"].owner_id is None  # carol is not in Slack: left empty, and told
    said = {n.code for n in report.notices}
    assert {"title_rows_skipped", "columns_ignored", "total_row_skipped"} <= said
    assert "owner_left_empty" in said
    assert "renewal_past" in said  # Pinecone's 2026-10-01
    text = all_text(import_message(report, source="contracts.csv"))
    assert "TOTAL" in text
    assert "Contract #" in text
