"""The command grammar after issue 17: costs, dates and notice periods as people write them,
`word:` inside a catalog name or notes as text, and plain @names kept for the caller."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.errors import Notice, Rejected
from core.grammar import (
    Add,
    Admins,
    Edit,
    NearMiss,
    Propose,
    Review,
    Settings,
    Show,
    near_misses,
    parse,
)
from core.money import Cost
from core.options import (
    ChannelName,
    ChannelRef,
    PersonName,
    UserRef,
    field_notices,
    parse_channel,
    parse_option,
    parse_person,
)

TODAY = date(2026, 11, 28)


def refusal(text: str) -> Rejected:
    with pytest.raises(Rejected) as caught:
        parse(text, today=TODAY)
    return caught.value


def added(text: str) -> Add:
    command = parse(text, today=TODAY)
    assert isinstance(command, Add)
    return command


@pytest.mark.parametrize(
    ("option", "amount"),
    [
        ("cost:€2.400/mo", "2400"),
        ("cost:2.400 EUR/mo", "2400"),
        ("cost:€2.400,00", "2400"),
        ("cost:€ 150.000,00 /yr", "150000"),
    ],
)
def test_it_reads_european_thousands_in_a_command(option: str, amount: str) -> None:
    cost = added(f"add Acme inference {option}").fields.cost
    assert isinstance(cost, Cost)
    assert (cost.amount, cost.currency) == (Decimal(amount).quantize(Decimal("0.01")), "EUR")


def test_it_refuses_an_amount_it_could_read_two_ways() -> None:
    error = refusal("add Acme inference cost:$2.400/mo")
    assert error.code == "ambiguous_amount"
    assert error.details["readings"] == ["2400", "2.40"]


def test_it_refuses_yen_without_a_code() -> None:
    error = refusal("add Acme inference cost:¥300000/yr")
    assert (error.code, error.details["choices"]) == ("ambiguous_currency", ["JPY", "CNY"])


def test_it_reads_a_year_first_renewal_in_iso_order() -> None:
    assert added("add Acme inference renews:2027/03/01").fields.renews == date(2027, 3, 1)


@pytest.mark.parametrize(
    ("option", "days"),
    [
        ("notice:90", 90),
        ("notice:90 days", 90),
        ("notice:90days", 90),
        ("notice:3 months", 90),
        ("notice:2 weeks", 14),
        ("notice:1 year", 365),
        ('notice:"3 months"', 90),
    ],
)
def test_it_reads_a_notice_period_in_days_weeks_or_months(option: str, days: int) -> None:
    command = added(f"add Acme {option} inference")
    assert command.fields.notice_days == days
    assert command.fields.layers == (2,)


def test_words_after_a_notice_period_in_a_proposal_are_its_reason() -> None:
    command = parse("propose Arize notice:30 we need drift alerts", today=TODAY)
    assert isinstance(command, Propose)
    assert (command.fields.notice_days, command.why) == (30, "we need drift alerts")


@pytest.mark.parametrize(
    "option", ["notice:3 fortnights", "notice:10 business days", "notice:25 months", "notice:soon"]
)
def test_it_refuses_a_notice_period_it_cannot_read(option: str) -> None:
    assert refusal(f"add Acme inference {option}").code == "bad_notice"
    with pytest.raises(Rejected) as caught:
        parse_option("notice", option.removeprefix("notice:"), today=TODAY)
    assert caught.value.code == "bad_notice"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add NVIDIA Run:ai", Add(name="NVIDIA Run:ai")),
        ('add "NVIDIA Run:ai"', Add(name="NVIDIA Run:ai")),
        ("show NVIDIA Run:ai", Show(name="NVIDIA Run:ai")),
        ("show Run:ai", Show(name="Run:ai")),
        ("review NVIDIA Run:ai keep", Review(name="NVIDIA Run:ai", decision="keep")),
    ],
)
def test_it_reads_a_catalog_name_with_a_colon_as_a_name(text: str, expected: object) -> None:
    assert parse(text, today=TODAY) == expected


def test_it_reads_options_after_a_catalog_name_with_a_colon() -> None:
    command = added("add NVIDIA Run:ai compute cost:2.400 EUR/mo notice:90 days")
    assert command.name == "NVIDIA Run:ai"
    assert command.fields.layers == (1,)
    assert command.fields.notice_days == 90


def test_it_still_refuses_a_misspelt_option_after_a_name() -> None:
    error = refusal("add Acme cots:5")
    assert (error.code, error.details["suggestion"]) == ("unknown_key", "cost")


@pytest.mark.parametrize(
    ("text", "notes"),
    [
        ("edit vLLM notes:see ticket: OPS-12", "see ticket: OPS-12"),
        ("edit vLLM notes:Ticket:OPS-12 and Jira: OPS-13", "Ticket:OPS-12 and Jira: OPS-13"),
        ('edit vLLM notes:"ticket: OPS-12"', "ticket: OPS-12"),
    ],
)
def test_it_keeps_a_word_with_a_colon_inside_notes(text: str, notes: str) -> None:
    command = parse(text, today=TODAY)
    assert isinstance(command, Edit)
    assert command.fields.notes == notes


def test_a_known_option_still_ends_notes() -> None:
    command = parse("edit vLLM notes:see ticket: OPS-12 cost:5/mo", today=TODAY)
    assert isinstance(command, Edit)
    assert command.fields.notes == "see ticket: OPS-12"
    assert isinstance(command.fields.cost, Cost)


def test_it_hands_a_plain_at_name_back_for_the_caller_to_resolve() -> None:
    error = refusal("add Acme inference owner:@ana")
    assert (error.code, error.details["name"]) == ("person_by_name", "ana")
    assert refusal("admins add @ana").details["name"] == "ana"
    assert parse_person("@ana.b") == PersonName("ana.b")
    assert parse_person("<@U123|ana>") == UserRef("U123", "ana")
    assert refusal("add Acme inference owner:ana").code == "bad_owner"


def test_it_hands_a_plain_channel_name_back_for_the_caller_to_resolve() -> None:
    error = refusal("edit vLLM channel:#ai-infra")
    assert (error.code, error.details["name"]) == ("channel_by_name", "ai-infra")
    error = refusal("settings digest-channel #ai-infra")
    assert (error.code, error.details["name"]) == ("channel_by_name", "ai-infra")
    assert parse_channel("#ai-infra") == ChannelName("ai-infra")
    assert parse_channel("<#C123|ai-infra>") == ChannelRef("C123", "ai-infra")
    settings = parse("settings digest-channel <#C123|ai-infra>", today=TODAY)
    assert settings == Settings(name="digest-channel", value="C123")
    assert parse("admins add <@U12>", today=TODAY) == Admins(action="add", user=UserRef("U12"))


def test_it_tells_the_caller_a_renewal_date_is_already_past() -> None:
    command = added("add Acme inference renews:2026-10-01")
    assert command.fields.renews == date(2026, 10, 1)  # kept: it may have renewed unrecorded
    assert field_notices(command.fields, today=TODAY) == [
        Notice(
            "renewal_past", column="renews",
            details={"date": "2026-10-01", "days_ago": 58, "next_year": "2027-10-01"},
        )
    ]  # fmt: skip
    assert field_notices(added("add Acme inference renews:1 Mar").fields, today=TODAY) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("propose Arize cost:500 kr/mo we need it", "ambiguous_currency"),
        ("add Foo data cost:500 kr/mo", "ambiguous_currency"),
        ("propose Arize renews:3/4 2027 soon", "ambiguous_date"),
        ("add Foo cost:2.400 data", "ambiguous_amount"),
    ],
)
def test_a_value_read_two_ways_is_refused_whole_not_cut_short(text: str, code: str) -> None:
    assert refusal(text).code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add Pinecon data", [NearMiss("Pinecon", "Pinecone", "Pinecone", (4,))]),
        ("add Foo infrence", [NearMiss("infrence", "inference", "Foo", (2,))]),
        ("add Foo trainig cost:5/mo", [NearMiss("trainig", "training", "Foo", (3,))]),
        ("add Pinecone", []),
        ("add Acme Trainer data", []),
        ("add Foo Servers data", []),
        ("add My Own Thing data", []),
    ],
)
def test_it_finds_the_near_misses_a_caller_asks_about_before_adding(
    text: str, expected: list[NearMiss]
) -> None:
    assert near_misses(added(text)) == expected


@pytest.mark.parametrize(
    ("text", "value", "suggestion", "name"),
    [
        ("review CoreWeave kep", "kep", "keep", "CoreWeave"),
        ("review Weights & Biases renegociate too dear", "renegociate", "renegotiate",
         "Weights & Biases"),
        ("review CoreWeave snoze 30", "snoze", "snooze", "CoreWeave"),
    ],
)  # fmt: skip
def test_a_misspelt_decision_is_named_with_the_nearest_not_called_missing(
    text: str, value: str, suggestion: str, name: str
) -> None:
    error = refusal(text)
    assert (error.code, error.details) == (
        "unknown_decision",
        {"value": value, "suggestion": suggestion, "name": name, "missing_tool": False,
         "tool_suggestion": None},
    )  # fmt: skip
    assert refusal("review CoreWeave maybe later").code == "missing_decision"
