"""Whatever a person types, /stack answers with a message Slack accepts, and never crashes."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from db import open_store
from tests.conftest import Stack
from tests.slack_checks import assert_valid_message

WORDS = st.sampled_from(
    ["add", "edit", "remove", "list", "show", "map", "history", "help", "vLLM", "MLflow",
     "wandb", "Zorblax", "inference", "data", "retired", "layer:", "caps:vector-search",
     "cost:", "cost:14k/yr", "owner:<@U1|a>", "renews:1 Mar 2027", "notice:30", "notes:",
     "sourcing:build", "channel:<#C1|b>", "name:", '"', "“", ",", "&", "<!here>", "none",
     "🚀", "x" * 90]
)  # fmt: skip


@pytest.fixture(scope="module")
def shared_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{folder}/fuzz.db")
        yield engine
        engine.dispose()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.lists(WORDS, max_size=7).map(" ".join), st.text(max_size=120)))
def test_it_answers_anything_with_a_valid_message(shared_engine: Engine, text: str) -> None:
    reply = Stack(shared_engine)(text)
    assert_valid_message(reply.message)
