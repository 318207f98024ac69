"""The states of tests/templates/states.py, each built once per module: views only read them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.templates.states import Built, build


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Built]]:
    """Each state built once for the module: the views below only read it."""
    cache: dict[str, Built] = {}

    def get(state: str) -> Built:
        if state not in cache:
            cache[state] = build(state, tmp_path_factory.mktemp(state))
        return cache[state]

    yield get
    for stack in cache.values():
        stack.stack.engine.dispose()
