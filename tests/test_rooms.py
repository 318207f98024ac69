"""The rooms of the house and who may import whom (README, "How the code is laid out")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# room -> the top-level packages its modules may never import
FORBIDDEN = {
    "core": {"bot", "cli", "db", "jobs", "stack", "templates", "slack_sdk", "slack_bolt"},
    "db": {"bot", "cli", "jobs", "stack", "templates", "slack_sdk", "slack_bolt"},
    "templates": {"bot", "cli", "db", "jobs", "stack", "slack_sdk", "slack_bolt"},
    "stack": {"bot", "cli", "jobs", "slack_sdk", "slack_bolt"},
    "jobs": {"cli"},
    "bot": {"cli", "jobs"},
}
# The migration that creates slack_sdk's OAuth tables builds them from slack_sdk's own definitions.
ALLOWED = {("db/migrations/versions/0003_slack.py", "slack_sdk")}


def imports(path: Path) -> set[str]:
    """The top-level packages `path` imports, at the top of the module or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_each_room_imports_only_what_it_may(room: str) -> None:
    broken = []
    for path in sorted((ROOT / room).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        for package in sorted(imports(path) & FORBIDDEN[room]):
            if (name, package) not in ALLOWED:
                broken.append(f"{name} imports {package}")
    assert broken == []


def test_the_rule_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f() -> None:\n    from jobs.clock import run\n    import bot.app\n")
    assert imports(module) == {"jobs", "bot"}
