"""Stack spreadsheets as people keep them: a title above the header, columns stackbot does not
keep, costs per year, category words, emails nobody can look up, blank lines and a TOTAL row."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from core.errors import Notice, Rejected
from core.importing import Problem, Row, parse_row, stack_records, total_label
from core.money import Cost
from core.options import UserRef
from core.stackfile import records
from core.tabular import read_table, text_lines

TODAY = date(2026, 12, 7)
SAMPLE = Path(__file__).parents[1] / "samples" / "stack_spreadsheet.csv"


def no_slack(email: str) -> str | None:
    """The terminal without a Slack token: every email lookup is refused."""
    raise Rejected("email_needs_slack", value=email)


def slack_knows_ana(email: str) -> str | None:
    return {"ana@example.com": "U0ANA"}.get(email)


def lines(text: str) -> Iterator[str]:
    return iter(text.splitlines(keepends=True))


def read(text: str, *, lookup: object = no_slack) -> tuple[list[Row], list[Problem], list[Notice]]:
    notices: list[Notice] = []
    rows: list[Row] = []
    problems: list[Problem] = []
    for line, cells in stack_records(lines(text), notices):
        parsed = parse_row(line, cells, today=TODAY, lookup=lookup, notices=notices)  # type: ignore[arg-type]
        if isinstance(parsed, Row):
            rows.append(parsed)
        else:
            problems.extend(parsed)
    return rows, problems, notices


def test_the_sample_spreadsheet_reads_in_one_run_with_notices() -> None:
    rows, problems, notices = read(SAMPLE.read_text(), lookup=slack_knows_ana)
    assert problems == []
    assert [row.name for row in rows] == [
        "CoreWeave", "OpenAI API", "Scale AI", "Feature Hub", "Weights & Biases", "Pinecone",
    ]  # fmt: skip
    by_name = {row.name: row.fields for row in rows}
    assert by_name["CoreWeave"].cost == Cost(Decimal("456000.00"), "USD", "year")
    assert by_name["CoreWeave"].layers == (1,)  # GPU cloud
    assert by_name["CoreWeave"].notice_days == 90  # "90 days"
    assert by_name["CoreWeave"].owner == UserRef("U0ANA")
    assert by_name["OpenAI API"].layers == (2,)  # LLM API
    assert by_name["OpenAI API"].notes == "ticket: OPS-12, usage tier 4"
    assert by_name["Scale AI"].cost == Cost(Decimal("150000.00"), "EUR", "year")
    assert by_name["Scale AI"].layers == (4,)  # Data labeling
    assert by_name["Scale AI"].renews == date(2027, 3, 1)  # 2027/03/01
    assert by_name["Scale AI"].notice_days == 90  # "3 months"
    assert by_name["Feature Hub"].layers == (4,)  # Feature store
    assert by_name["Weights & Biases"].renews == date(2027, 3, 1)  # Excel's 46447
    assert by_name["Pinecone"].cost == Cost(Decimal("9600.00"), "EUR", "year")  # 9.600 EUR
    assert [(n.code, n.line) for n in notices] == [
        ("title_rows_skipped", 4),
        ("columns_ignored", 4),
        ("owner_left_empty", 6),
        ("owner_left_empty", 7),
        ("owner_left_empty", 9),
        ("owner_left_empty", 11),
        ("renewal_past", 11),
        ("total_row_skipped", 13),
    ]
    assert notices[1].details["columns"] == ["Contract #", "Cost centre"]
    assert notices[-1].details["label"] == "TOTAL"


def test_an_annual_cost_is_kept_per_year_and_reads_monthly_as_a_twelfth() -> None:
    rows, problems, _ = read("Tool,Annual cost\nvLLM,14000\n")
    assert problems == []
    cost = rows[0].fields.cost
    assert isinstance(cost, Cost)
    assert (cost.amount, cost.period, cost.monthly) == (
        Decimal("14000.00"),
        "year",
        Decimal("1166.67"),
    )


@pytest.mark.parametrize(
    ("header", "period"),
    [("Monthly cost", "month"), ("Yearly", "year"), ("Cost per year", "year"), ("MRR", "month")],
)
def test_a_cost_header_says_its_period(header: str, period: str) -> None:
    rows, problems, _ = read(f"Name,{header}\nvLLM,1200\n")
    assert problems == []
    assert isinstance(rows[0].fields.cost, Cost)
    assert rows[0].fields.cost.period == period


def test_monthly_and_annual_columns_that_agree_keep_the_annual_figure() -> None:
    rows, problems, _ = read("Name,Monthly cost,Annual cost\nvLLM,100,1200\n")
    assert problems == []
    assert rows[0].fields.cost == Cost(Decimal("1200.00"), "USD", "year")


def test_monthly_and_annual_columns_that_disagree_are_a_problem() -> None:
    _, problems, _ = read("Name,Monthly cost,Annual cost\nvLLM,100,1000\n")
    assert [(p.line, p.column, p.code) for p in problems] == [(2, "monthly_cost", "costs_disagree")]


def test_a_period_column_that_contradicts_the_header_is_a_problem() -> None:
    _, problems, _ = read("Name,Annual cost,Period\nvLLM,100,month\n")
    assert [(p.column, p.code) for p in problems] == [("period", "period_disagrees")]


def test_a_cost_it_could_read_two_ways_is_a_problem_with_both_readings() -> None:
    _, problems, _ = read("Name,Cost\nvLLM,$2.400\n")
    assert [(p.column, p.code) for p in problems] == [("cost", "ambiguous_amount")]
    assert problems[0].details["readings"] == ["2400", "2.40"]


def test_unknown_columns_are_ignored_with_one_notice_listing_them_all() -> None:
    rows, problems, notices = read(
        "Name,Contract #,Team,Layer,PO number\nvLLM,C-1,ML,inference,7\n"
    )
    assert problems == []
    assert rows[0].fields.layers == (2,)
    assert [(n.code, n.details["columns"]) for n in notices] == [
        ("columns_ignored", ["Contract #", "Team", "PO number"])
    ]


@pytest.mark.parametrize(
    ("header", "nearest"),
    [("Cots", "cost"), ("Layrs", "layers"), ("Renwal", "renews"), ("Ownr email", "owner")],
)
def test_a_misspelt_known_column_is_still_refused_with_the_nearest(
    header: str, nearest: str
) -> None:
    with pytest.raises(Rejected) as caught:
        read(f"Name,{header}\nvLLM,10\n")
    assert (caught.value.code, caught.value.details["suggestion"]) == ("unknown_column", nearest)


def test_a_column_that_is_a_known_one_plus_a_word_is_another_column() -> None:
    rows, problems, notices = read("Name,Contract ID,Vendor ID,Tool ID\nvLLM,C-1,V-2,T-3\n")
    assert (len(rows), problems) == (1, [])
    assert notices[0].details["columns"] == ["Contract ID", "Vendor ID", "Tool ID"]


def test_a_category_it_cannot_place_is_refused_as_a_layer_would_be() -> None:
    _, problems, _ = read("Name,Category\nAcme,infrence\n")
    assert [(p.column, p.code, p.details["suggestion"]) for p in problems] == [
        ("category", "unknown_layer", "inference")
    ]


def test_a_category_fills_in_only_the_layers_a_row_leaves_empty() -> None:
    rows, problems, _ = read("Name,Layer,Category\nvLLM,inference,LLM ops\nAcme,,GPU cloud\n")
    assert problems == []
    assert [row.fields.layers for row in rows] == [(2,), (1,)]


def test_the_header_is_found_below_title_and_blank_lines() -> None:
    rows, _, notices = read("\n\nOur stack;;\n\nName;Layer\nvLLM;inference\n")
    assert [(row.line, row.name) for row in rows] == [(6, "vLLM")]
    assert notices[0] == Notice("title_rows_skipped", line=5, details={"rows": [(3, "Our stack")]})


def test_a_header_without_the_name_column_is_refused_on_its_own_line() -> None:
    with pytest.raises(Rejected) as caught:
        read("Our stack\nlayers,cost\ninference,10\n")
    assert (caught.value.code, caught.value.details["line"]) == ("missing_columns", 2)
    assert caught.value.details["missing"] == ["name"]


@pytest.mark.parametrize(
    ("name", "raw", "label"),
    [
        ("TOTAL", ["TOTAL", "", "1200"], "TOTAL"),
        ("Grand total", [], "Grand total"),
        ("Sum (annual)", [], "Sum (annual)"),
        ("Total cost:", [], "Total cost:"),
        ("", ["", "Total", "1200"], "Total"),
        ("Totally AI", [], None),
        ("Total Recall", [], None),
        ("", ["", "", "1200"], None),
    ],
)
def test_it_recognises_a_total_row(name: str, raw: list[str], label: str | None) -> None:
    assert total_label(name, raw) == label


def test_an_owner_nobody_can_look_up_is_left_empty_with_a_notice() -> None:
    rows, problems, notices = read("Name,Layer,Owner email\nvLLM,inference,ana@example.com\n")
    assert problems == []
    assert rows[0].fields.given().get("owner") is None
    assert notices == [
        Notice(
            "owner_left_empty", 2, "owner",
            {"value": "ana@example.com", "reason": "email_needs_slack"},
        )
    ]  # fmt: skip


def test_without_notices_an_owner_nobody_can_look_up_is_still_a_problem() -> None:
    parsed = parse_row(
        2, {"name": "vLLM", "owner": "ana@example.com"}, today=TODAY, lookup=no_slack
    )
    assert isinstance(parsed, list)
    assert [p.code for p in parsed] == ["email_needs_slack"]


def test_the_plain_reader_still_takes_the_first_line_as_the_header() -> None:
    with pytest.raises(Rejected) as caught:
        read_table(text_lines([b"Our stack\n", b"name\n"]), {"name": "name"}, required=("name",))
    assert caught.value.code == "unknown_column"


def test_a_long_title_or_column_is_cut_short_in_its_notice() -> None:
    _, _, notices = read(f"{'T' * 500}\nName,{'X' * 500}\nvLLM,1\n")
    assert len(notices[0].details["rows"][0][1]) == 80
    assert len(notices[1].details["columns"][0]) == 80


def test_the_stack_file_reader_reads_the_sample_with_notices_and_refuses_it_without() -> None:
    notices: list[Notice] = []
    with SAMPLE.open("rb") as binary:
        found = [(line, cells["name"]) for line, cells in records(binary, notices)]
    assert found == [
        (5, "CoreWeave"), (6, "OpenAI API"), (7, "Scale AI"), (9, "Feature Hub"),
        (10, "Weights & Biases"), (11, "Pinecone"),
    ]  # fmt: skip
    assert [n.code for n in notices] == [
        "title_rows_skipped", "columns_ignored", "total_row_skipped"
    ]  # fmt: skip
    with SAMPLE.open("rb") as binary, pytest.raises(Rejected) as caught:
        list(records(binary))  # the first line is the header, as before
    assert caught.value.code == "unknown_column"


def test_a_cell_an_export_neutralised_reads_back_in_a_kept_spreadsheet() -> None:
    binary = io.BytesIO(b"Our stack\nname,notes\n'=cmd,'+1 spare\n")
    assert list(records(binary, [])) == [(3, {"name": "=cmd", "notes": "+1 spare"})]
