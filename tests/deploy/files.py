"""The deployment files as data: the Dockerfile's stages, compose.yaml, the Kubernetes
manifests, the Procfile, and the stackbot commands each of them runs.

No container daemon or cluster is available where the tests run, so these files are checked as
text and data; docs/operations.md says so.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"

# Commands and endpoints the deployment files already name, built in this release by the
# application-room side of issue 21. A test fails as soon as one of them exists, so that the
# list (and the "coming" notes in docs/operations.md, compose.yaml and deploy/kubernetes/) is
# cleared when it lands instead of going stale.
COMING_COMMANDS: dict[str, str] = {}
COMING_PATHS: dict[str, str] = {}


@dataclass
class Instruction:
    keyword: str
    arguments: str

    def exec_form(self) -> list[str]:
        """The arguments of an instruction written in JSON (exec) form."""
        value = json.loads(self.arguments)
        assert isinstance(value, list), f"{self.keyword} is not in exec form: {self.arguments}"
        return [str(part) for part in value]


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def dockerfile_stages(text: str) -> list[Stage]:
    """The stages of a Dockerfile, with build arguments declared before the first FROM
    substituted into the FROM lines (the only place this Dockerfile uses them)."""
    logical = re.sub(r"\\\n", " ", text)
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        keyword, arguments = keyword.upper(), " ".join(arguments.split())
        if keyword == "ARG" and not stages:
            name, _, default = arguments.partition("=")
            args[name] = default
        elif keyword == "FROM":
            image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], arguments)
            words = image.split()
            named = len(words) == 3 and words[1].upper() == "AS"
            stages.append(Stage(image=words[0], name=words[2] if named else None))
        else:
            assert stages, f"{keyword} before the first FROM"
            stages[-1].instructions.append(Instruction(keyword, arguments))
    return stages


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def compose() -> dict[str, Any]:
    data = load_yaml(ROOT / "compose.yaml")
    assert isinstance(data, dict)
    return data


def kubernetes_documents() -> dict[str, dict[str, Any]]:
    """Every object in deploy/kubernetes/, keyed 'Kind/name'."""
    objects: dict[str, dict[str, Any]] = {}
    for path in sorted(KUBERNETES.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            key = f"{document['kind']}/{document['metadata']['name']}"
            assert key not in objects, f"{key} is defined twice"
            objects[key] = document
    return objects


def procfile() -> dict[str, list[str]]:
    """Process type -> its command, split into words."""
    processes: dict[str, list[str]] = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            kind, _, command = line.partition(":")
            processes[kind.strip()] = command.split()
    return processes


@cache
def cli_commands() -> frozenset[str]:
    """The subcommands the installed `stackbot` offers, as its own --help lists them (whatever
    module the command line lives in)."""
    stackbot = Path(sys.executable).with_name("stackbot")
    help_text = subprocess.run(
        [str(stackbot), "--help"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    # argparse lists subcommands as `{a,b,...}`, or one an indented line each under a metavar.
    choices = re.search(r"\{([a-z][a-z,-]*)\}", help_text)
    found = choices.group(1).split(",") if choices else []
    found += re.findall(r"^ {2,8}([a-z][a-z-]*)(?: {2,}\S|$)", help_text, re.MULTILINE)
    assert {"serve", "migrate"} <= set(found), f"no commands in `stackbot --help`:\n{help_text}"
    return frozenset(found)


def served_paths() -> set[str]:
    """The plain HTTP paths the web process's code names (`"/healthz"` and the like)."""
    code = "\n".join(
        path.read_text() for room in ("bot", "cli", "stack") for path in (ROOT / room).rglob("*.py")
    )
    return set(re.findall(r"[\"'](/(?:healthz|livez|readyz|metrics))[\"']", code))
