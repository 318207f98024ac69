"""The refusals the parsers give since issue 17 render, name what was wrong and offer what
would work: both readings of an amount or a date, the codes a shared symbol could mean."""

from __future__ import annotations

from templates.plain import plain
from templates.render import render
from tests.slack_checks import assert_valid_message


def section(message: dict[str, object]) -> str:
    assert_valid_message(message)
    blocks = message["blocks"]
    assert isinstance(blocks, list)
    text = blocks[0]["text"]["text"]
    assert isinstance(text, str)
    return text


def test_an_ambiguous_amount_offers_both_readings() -> None:
    text = section(
        render("error", code="ambiguous_amount", value="$2.400", readings=["2400", "2.40"],
               currency="USD")
    )  # fmt: skip
    assert "`$2.400` could be 2400 or 2.40 USD." in text
    assert "`2400`" in text
    assert "`2.40`" in text


def test_a_shared_symbol_offers_the_codes() -> None:
    text = section(
        render("error", code="ambiguous_currency", value="500 kr/mo", currency="kr",
               choices=["SEK", "NOK", "DKK"])
    )  # fmt: skip
    assert "one of `SEK` `NOK` `DKK`." in text


def test_an_ambiguous_date_offers_its_readings() -> None:
    text = section(
        render("error", code="ambiguous_date", value="03/04/2027",
               readings=["3 Apr 2027", "4 Mar 2027"])
    )  # fmt: skip
    assert "could mean 3 Apr 2027 or 4 Mar 2027" in text


def test_a_plain_name_says_what_to_type_instead() -> None:
    # Written as entities, Slack shows the example as text (not a mention of nobody), and the
    # terminal shows it as it must be typed (templates/plain.py).
    text = section(render("error", code="person_by_name", value="@ana", name="ana"))
    assert "&lt;@U0123ABCD&gt;" in text
    assert "<@U0123ABCD>" in plain(text)
    text = section(render("error", code="channel_by_name", value="#ai-infra", name="ai-infra"))
    assert "&lt;#C0123ABCD&gt;" in text
    assert "<#C0123ABCD>" in plain(text)


def test_the_cost_columns_refusals_render() -> None:
    text = section(render("transfer_error", code="costs_disagree", value="100", other="1000"))
    assert "twelve months" in text
    text = section(render("transfer_error", code="period_disagrees", value="month", other="year"))
    assert "per year" in text


def test_a_misspelt_decision_offers_the_command_that_would_work() -> None:
    text = section(
        render(
            "error",
            code="unknown_decision",
            value="kep",
            suggestion="keep",
            name="CoreWeave",
            missing_tool=False,
            tool_suggestion=None,
        )
    )
    assert "`kep` is not a review decision." in text
    assert "`/stack review CoreWeave keep`" in text
