"""The Dockerfile follows uv's Docker guide and builds an image fit to run: read as text, since
no container daemon is available here (docs/operations.md says what was not run)."""

from __future__ import annotations

import json
import re
import tomllib
from importlib.metadata import requires
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from core.settings import SECRETS, Settings
from templates.svg import FONT_FAMILIES
from tests.deploy.files import ROOT, Stage, dockerfile_stages

# What compiles or fetches: none of it belongs in the image that runs.
BUILD_TOOLS = ("gcc", "g++", "cc ", "clang", "make", "build-essential", "apt-get", "pip ", "uv ")
# The distributions that ship the fonts the pictures are drawn in (the renderer reads no system
# font), and the importable packages holding the font files.
FONT_DISTRIBUTIONS = {
    "manimgx-fonts": "manimgx_fonts",
    "cvttf-notosanscjk-regular": "cvttf_NotoSansCJK_Regular",
}


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return dockerfile_stages((ROOT / "Dockerfile").read_text())


def test_it_builds_in_two_stages_on_one_python_image(stages: list[Stage]) -> None:
    build, runtime = stages
    assert build.name == "build"
    # The environment's `python` links to the interpreter's path, so both stages must match.
    assert build.image == runtime.image
    assert re.fullmatch(r"python:3\.11-slim-[a-z]+", runtime.image), runtime.image


def test_it_takes_uv_from_a_pinned_release(stages: list[Stage]) -> None:
    build = stages[0]
    [copy] = [c for c in build.all("COPY") if "astral-sh/uv" in c.arguments]
    assert re.search(r"--from=ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+ ", copy.arguments)


def test_every_uv_sync_keeps_to_the_lock_and_leaves_out_the_dev_tools(stages: list[Stage]) -> None:
    syncs = [r.arguments for r in stages[0].all("RUN") if "uv sync" in r.arguments]
    assert len(syncs) == 2, "the dependencies in a layer of their own, then the project"
    for sync in syncs:
        assert "--locked" in sync or "--frozen" in sync
        assert "--no-dev" in sync
        assert "--no-editable" in sync
    assert "--no-install-project" in syncs[0]


def test_the_final_stage_has_no_build_tools_and_only_the_environment(stages: list[Stage]) -> None:
    runtime = stages[-1]
    for run in runtime.all("RUN"):
        for tool in BUILD_TOOLS:
            assert tool not in run.arguments + " ", f"{tool.strip()!r} in the final stage: {run}"
    copies = [c.arguments for c in runtime.all("COPY") + runtime.all("ADD")]
    assert copies == ["--from=build /app/.venv /app/.venv"]


def test_it_runs_as_an_unprivileged_user_it_creates(stages: list[Stage]) -> None:
    runtime = stages[-1]
    [user] = runtime.all("USER")
    uid, _, gid = user.arguments.partition(":")
    assert uid.isdigit(), "a numeric id, which Kubernetes can check is not root"
    assert int(uid) >= 1000
    [create] = runtime.all("RUN")
    assert f"--uid {uid}" in create.arguments
    assert f"--gid {gid}" in create.arguments


def test_it_starts_stackbot_serving_by_default(stages: list[Stage]) -> None:
    runtime = stages[-1]
    assert runtime.all("ENTRYPOINT")[-1].exec_form() == ["stackbot"]
    assert runtime.all("CMD")[-1].exec_form() == ["serve"]
    env = " ".join(e.arguments for e in runtime.all("ENV"))
    assert 'PATH="/app/.venv/bin:$PATH"' in env


def test_it_listens_and_checks_health_on_the_port_stackbot_uses(stages: list[Stage]) -> None:
    runtime = stages[-1]
    port = str(Settings().port)
    assert [e.arguments for e in runtime.all("EXPOSE")] == [port]
    assert f"PORT={port}" in " ".join(e.arguments for e in runtime.all("ENV"))
    [check] = runtime.all("HEALTHCHECK")
    options, _, command = check.arguments.partition(" CMD ")
    assert "--interval=" in options
    assert "--timeout=" in options
    probe = " ".join(json.loads(command))  # exec form: no shell is needed in the image
    assert "/readyz" in probe
    assert "os.environ.get('PORT', '" + port + "')" in probe


def test_it_sets_no_secret_or_database_in_the_image(stages: list[Stage]) -> None:
    # An image default for DATABASE_URL would clash with a DATABASE_URL_FILE given at run time.
    env = " ".join(e.arguments for e in stages[-1].all("ENV"))
    for name in SECRETS:
        assert not re.search(rf"\b{name}(_FILE)?=", env), name


def test_the_fonts_the_pictures_name_come_with_the_runtime_dependencies() -> None:
    # `uv sync --no-dev` installs the project's own requirements: the fonts must be among them,
    # not in a dev group or an extra.
    required = {
        re.split(r"[\s<>=!~\[;]", requirement)[0].lower(): requirement
        for requirement in requires("stackbot") or []
    }
    for distribution in FONT_DISTRIBUTIONS:
        assert distribution in required, distribution
        assert "extra ==" not in required[distribution]
    shipped = {
        re.sub(r"\[.*\]|-regular$", "", Path(font.name).stem.lower())
        for package in FONT_DISTRIBUTIONS.values()
        for font in files(package).iterdir()
        if font.name.endswith((".ttf", ".otf"))
    }
    for family in FONT_FAMILIES:
        assert family.replace(" ", "").lower() in shipped, f"no font file for {family!r}"


def test_the_build_context_holds_every_package_the_wheel_is_built_from() -> None:
    ignore = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert ignore[0] == "*", "an allow-list: nothing enters the context unless named"
    allowed = {line.removeprefix("!").rstrip("/") for line in ignore if line.startswith("!")}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = set(pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    assert packages | {"pyproject.toml", "uv.lock", pyproject["project"]["readme"]} <= allowed
    assert "**/*.db" in ignore, "a local database never enters an image"


def runtime_packages(lock: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The packages `uv sync --no-dev` installs: stackbot's requirements, their extras'
    requirements and so on down."""
    packages = {package["name"]: package for package in lock["package"]}
    wanted: list[tuple[str, list[str] | None]] = [("stackbot", None)]
    found: dict[str, dict[str, Any]] = {}
    while wanted:
        name, extras = wanted.pop()
        package = packages[name]
        if name not in found:
            found[name] = package
            wanted += [(d["name"], d.get("extra")) for d in package.get("dependencies", [])]
        for extra in extras or []:
            optional = package.get("optional-dependencies", {}).get(extra, [])
            wanted += [(d["name"], d.get("extra")) for d in optional]
    del found["stackbot"]
    return found


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_every_runtime_dependency_installs_without_a_compiler(machine: str) -> None:
    # The final stage has no compiler, and the build stage installs none: each locked package
    # must come as a wheel for the image's CPython 3.11 on Linux.
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    packages = runtime_packages(lock)
    assert {"psycopg-binary", "resvg-py", "manimgx-fonts"} <= set(packages)
    for name, package in packages.items():
        wheels = [wheel["url"].rsplit("/", 1)[1] for wheel in package.get("wheels", [])]
        fits = [
            wheel
            for wheel in wheels
            if wheel.endswith("-none-any.whl")
            or (
                re.search(r"-(cp311-cp311|cp3\d+-abi3)-", wheel)
                and re.search(rf"manylinux[\w.]*_{machine}", wheel)
            )
        ]
        assert fits, f"{name} {package['version']} has no wheel for CPython 3.11 on {machine}"
