"""compose.yaml is a valid Compose file that runs stackbot's processes the way docs/operations.md
says: one migration first, exactly one clock, every secret from a file. Checked as data against
the Compose Specification's own JSON schema (vendored in tests/schemas/, with its source);
`docker compose` itself was not run here."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from core.settings import SECRETS
from tests.deploy.files import ROOT, compose

SCHEMA = ROOT / "tests" / "schemas" / "compose-spec.json"


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    found = compose()["services"]
    assert isinstance(found, dict)
    return found


def stackbot_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services.items() if s.get("image") == "stackbot:local"}


def test_it_is_valid_against_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(compose())


def test_the_schema_check_refuses_what_compose_would_refuse() -> None:
    # The check is worth something only if a wrong file fails it.
    schema = json.loads(SCHEMA.read_text())
    broken = compose()
    broken["services"]["web"]["restart"] = ["always"]
    broken["services"]["web"]["depends_on"]["db"]["condition"] = "service_ready"
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(broken))
    assert len(errors) == 2


def test_it_runs_each_stackbot_process_from_the_one_image(
    services: dict[str, dict[str, Any]],
) -> None:
    commands = {name: s["command"] for name, s in stackbot_services(services).items()}
    assert commands == {
        "migrate": ["migrate"],
        "web": ["serve"],
        "worker": ["worker"],
        "clock": ["clock"],
    }
    for service in stackbot_services(services).values():
        assert service["build"] == "."


def test_it_runs_exactly_one_clock(services: dict[str, dict[str, Any]]) -> None:
    clocks = [s for s in services.values() if s.get("command") == ["clock"]]
    assert len(clocks) == 1
    assert clocks[0]["deploy"]["replicas"] == 1


def test_nothing_starts_before_the_database_is_healthy_and_migrated(
    services: dict[str, dict[str, Any]],
) -> None:
    assert services["db"]["healthcheck"]["test"][0] == "CMD-SHELL"
    assert "pg_isready" in services["db"]["healthcheck"]["test"][1]
    migrate = services["migrate"]
    assert migrate["restart"] == "no", "a one-shot: it exits once the schema is up to date"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "worker", "clock"):
        assert services[name]["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name


def test_the_web_port_is_published_and_checked_by_the_image(
    services: dict[str, dict[str, Any]],
) -> None:
    web = services["web"]
    port = web["environment"]["PORT"]
    assert web["ports"] == [f"{port}:{port}"]
    assert "healthcheck" not in web, "the image's HEALTHCHECK (GET /readyz) applies"
    for name in ("migrate", "worker"):
        assert services[name]["healthcheck"] == {"disable": True}, name


def test_every_secret_is_a_mounted_file_read_through_its_file_variable(
    services: dict[str, dict[str, Any]],
) -> None:
    declared = compose()["secrets"]
    for name, service in services.items():
        environment = service.get("environment", {})
        mounted = set(service.get("secrets", []))
        for secret in SECRETS:
            assert secret not in environment, f"{name} sets {secret} in plain text"
        for variable, value in environment.items():
            if not variable.endswith("_FILE"):
                continue
            assert variable.removesuffix("_FILE") in SECRETS or variable.startswith("POSTGRES_")
            prefix, _, secret_name = value.rpartition("/")
            assert prefix == "/run/secrets", f"{name}: {variable}={value}"
            assert secret_name in mounted, f"{name} reads {secret_name} without mounting it"
        for secret_name in mounted:
            assert declared[secret_name]["file"] == f"./secrets/{secret_name}"
    # The one-shot migration gets the database and nothing of Slack's.
    assert services["migrate"]["secrets"] == ["database_url"]
    assert "/secrets/" in (ROOT / ".gitignore").read_text().splitlines(), "never committed"


def test_the_database_keeps_its_data_in_a_named_volume(
    services: dict[str, dict[str, Any]],
) -> None:
    assert services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pgdata" in compose()["volumes"]
