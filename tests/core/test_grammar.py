from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import Rejected
from core.grammar import Add, Edit, Help, History, List, Map, Remove, Show, parse, tokenize
from core.money import Cost
from core.options import UNSET, ChannelRef, UserRef

TODAY = date(2026, 11, 28)


def rejected(text: str) -> Rejected:
    with pytest.raises(Rejected) as caught:
        parse(text, today=TODAY)
    return caught.value


def test_it_reads_a_positional_layer() -> None:
    command = parse("add vLLM inference", today=TODAY)
    assert isinstance(command, Add)
    assert command.name == "vLLM"
    assert command.fields.layers == (2,)


def test_it_keeps_a_quoted_name_whole() -> None:
    command = parse('add "Weights & Biases" training', today=TODAY)
    assert isinstance(command, Add)
    assert command.name == "Weights & Biases"
    assert command.fields.layers == (3,)


def test_it_accepts_curly_quotes_as_phones_type_them() -> None:
    command = parse("add “Feature Hub” data", today=TODAY)
    assert isinstance(command, Add)
    assert command.name == "Feature Hub"


def test_it_reads_an_unquoted_name_of_several_words() -> None:
    command = parse("add Weights & Biases cost:14k/yr", today=TODAY)
    assert isinstance(command, Add)
    assert command.name == "Weights & Biases"
    assert command.fields.layers is UNSET


def test_it_prefers_a_catalog_name_to_a_layer_alias_inside_it() -> None:
    command = parse("add Ray Train", today=TODAY)
    assert isinstance(command, Add)
    assert command.name == "Ray Train"
    assert command.fields.layers is UNSET


def test_it_reads_every_option() -> None:
    command = parse(
        'add Acme layer:inference,mlops caps:model-registry vendor:"Acme Inc" cost:1200/mo '
        "owner:<@U123|ana> renews:1 Mar 2027 notice:30 sourcing:build "
        "channel:<#C123|ai-infra> notes:two GPU clouds for capacity",
        today=TODAY,
    )
    assert isinstance(command, Add)
    fields = command.fields
    assert fields.layers == (2, 5)
    assert fields.capabilities == ("model-registry",)
    assert fields.vendor == "Acme Inc"
    assert fields.cost == Cost(Decimal("1200.00"), "USD", "month")
    assert fields.owner == UserRef("U123", "ana")
    assert fields.renews == date(2027, 3, 1)
    assert fields.notice_days == 30
    assert fields.sourcing == "build"
    assert fields.channel == ChannelRef("C123", "ai-infra")
    assert fields.notes == "two GPU clouds for capacity"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("renews:2027-03-01", date(2027, 3, 1)),
        ("renews:1 Mar 2027", date(2027, 3, 1)),
        ("renews:Mar 1, 2027", date(2027, 3, 1)),
        ('renews:"Mar 1, 2027"', date(2027, 3, 1)),
    ],
)
def test_it_reads_dates_written_with_spaces_without_quotes(text: str, expected: date) -> None:
    command = parse(f"edit vLLM {text}", today=TODAY)
    assert isinstance(command, Edit)
    assert command.fields.renews == expected


def test_it_reads_a_cost_with_a_currency_word_before_it() -> None:
    command = parse("edit vLLM cost:EUR 900/month", today=TODAY)
    assert isinstance(command, Edit)
    assert command.fields.cost == Cost(Decimal("900.00"), "EUR", "month")


def test_it_clears_an_option_with_none() -> None:
    command = parse("edit vLLM owner:none renews:none cost:none", today=TODAY)
    assert isinstance(command, Edit)
    assert command.fields.owner is None
    assert command.fields.renews is None
    assert command.fields.cost is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("help", Help()),
        ("help add", Help(topic="add")),
        ("help capabilities", Help(topic="caps")),
        ("list", List()),
        ("list serving", List(layer=2)),
        ("ls vector", List(layer=4)),
        ("list retired", List(retired=True)),
        ("map", Map()),
        ("history", History()),
        ("history vLLM", History(name="vLLM")),
        ("show Weights & Biases", Show(name="Weights & Biases")),
        ("remove vLLM", Remove(name="vLLM")),
        ("RETIRE vLLM", Remove(name="vLLM")),
    ],
)
def test_it_parses_each_command(text: str, expected: object) -> None:
    assert parse(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code", "suggestion"),
    [
        ("ad vLLM", "unknown_command", "add"),
        ("lsit", "unknown_command", "list"),
        ("add", "missing_name", None),
        ("add layer:inference", "missing_name", None),
        ("add vLLM infrence", "unknown_layer", "inference"),
        ("add Acme layer:infrence", "unknown_layer", "inference"),
        ("add Acme caps:vector-serch", "unknown_capability", "vector-search"),
        ("add Acme inference cots:5", "unknown_key", "cost"),
        ("add Acme inference cost:cheap", "bad_cost", None),
        ("add Acme inference cost:-5/mo", "negative_cost", None),
        ("add Acme inference cost:1e309", "bad_cost", None),
        ("add Acme inference renews:31 Feb", "impossible_date", None),
        ("add Acme inference renews:2027-13-01", "impossible_date", None),
        ("add Acme inference renews:03/04/2027", "ambiguous_date", None),
        ('add "Acme inference', "unbalanced_quotes", None),
        ("add Acme inference owner:ana", "bad_owner", None),
        ("add Acme inference channel:ai-infra", "bad_channel", None),
        ("add Acme inference sourcing:maybe", "bad_sourcing", None),
        ("add Acme inference notice:forever", "bad_notice", None),
        ("add Acme inference cost:1/mo cost:2/mo", "repeated_key", None),
        ("add Acme inference name:Other", "rename_on_add", None),
        ("edit vLLM", None, None),
        ("show", "missing_name", None),
    ],
)
def test_it_rejects_bad_input_with_a_reason(
    text: str, code: str | None, suggestion: str | None
) -> None:
    if code is None:  # parses; the handler refuses an edit without changes
        assert parse(text, today=TODAY) == Edit(name="vLLM")
        return
    error = rejected(text)
    assert error.code == code
    if suggestion is not None:
        assert error.details["suggestion"] == suggestion


def test_it_rejects_a_name_over_80_characters() -> None:
    assert rejected(f"add {'x' * 81} inference").code == "name_too_long"
    assert isinstance(parse(f"add {'x' * 80} inference", today=TODAY), Add)


def test_it_rejects_control_characters() -> None:
    assert rejected("add vL\x00LM inference").code == "control_characters"
    assert rejected("add vL\x1bLM inference").code == "control_characters"


def test_it_rejects_a_command_over_4000_characters() -> None:
    assert rejected("add " + "a" * 4000).code == "too_long"


def test_it_keeps_unicode_and_slack_syntax_in_names_exactly() -> None:
    for name in ["Café Ünïcode", "向量数据库", "🚀 Rocket", "<!channel>", "x'; DROP TABLE tool;--"]:
        command = parse(f'add "{name}" data', today=TODAY)
        assert isinstance(command, Add)
        assert command.name == name


def test_it_treats_apostrophes_as_text() -> None:
    command = parse("edit vLLM notes:it's the team's main engine", today=TODAY)
    assert isinstance(command, Edit)
    assert command.fields.notes == "it's the team's main engine"


def test_it_tokenizes_key_with_quoted_value() -> None:
    tokens = tokenize('notes:"a b" "c:d"')
    assert [(t.key, t.text) for t in tokens] == [("notes", "a b"), (None, "c:d")]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_it_answers_any_text_with_a_command_or_a_refusal(text: str) -> None:
    with contextlib.suppress(Rejected):
        parse(text, today=TODAY)


WORDS = st.sampled_from(
    ["add", "edit", "remove", "list", "show", "map", "history", "help", "vLLM", "MLflow",
     "inference", "layer:", "caps:", "cost:", "owner:", "renews:", "notice:", "notes:", '"',
     "“", "<@U1|a>", "<#C1|b>", "1 Mar 2027", "14k/yr", "none", ",", "data", "&", "<!here>"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=8).map(" ".join))
def test_it_answers_command_like_text_with_a_command_or_a_refusal(text: str) -> None:
    with contextlib.suppress(Rejected):
        parse(text, today=TODAY)
