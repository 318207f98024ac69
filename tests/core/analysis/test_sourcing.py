"""Build or buy."""

from __future__ import annotations

from tests.core.analysis.helpers import by_id, covered, run, tool


def test_building_a_vector_database_is_flagged_whatever_layers_are_owned() -> None:
    vectors = tool(1, "VecDB", ("vector-search",), sourcing="build")

    for owned in (set(), {4}, {4, 7}):
        finding = by_id(run(vectors, *covered(), owned_layers=owned))["build-t1"]
        assert finding.rule == "rent-this"
        assert "vector-search is a commodity" in finding.reason


def test_building_a_training_framework_is_flagged() -> None:
    trainer = tool(1, "Trainer", ("distributed-training", "experiment-tracking"), sourcing="build")

    finding = by_id(run(trainer, *covered(), owned_layers={3}))["build-t1"]

    assert finding.capabilities == ("distributed-training", "experiment-tracking")


def test_building_data_pipelines_in_an_owned_layer_is_fine() -> None:
    pipelines = tool(1, "Ingest", ("data-pipelines",), sourcing="build")

    assert "build-t1" not in by_id(run(pipelines, *covered(), owned_layers={4}))


def test_building_outside_the_owned_layers_is_flagged() -> None:
    evals = tool(1, "Evals", ("model-evaluation",), sourcing="build")

    finding = by_id(run(evals, *covered(), owned_layers={4}))["build-t1"]

    assert finding.rule == "build-outside-owned"


def test_an_owned_layer_with_nothing_of_the_teams_own_is_flagged_whatever_the_count() -> None:
    immuta = tool(1, "Immuta", ("access-control",), sourcing="buy")
    vanta = tool(2, "Vanta", ("audit-logging", "compliance"), sourcing="buy")

    finding = by_id(run(immuta, vanta, *covered(skip={7}), owned_layers={7}))["bought-governance"]

    assert [t.name for t in finding.tools] == ["Immuta", "Vanta"]


def test_an_owned_layer_with_one_tool_the_team_runs_is_not_flagged() -> None:
    immuta = tool(1, "Immuta", ("access-control",), sourcing="buy")
    opa = tool(2, "OPA", ("access-control",), sourcing="open-source")

    assert "bought-governance" not in by_id(run(immuta, opa, *covered(), owned_layers={7}))
