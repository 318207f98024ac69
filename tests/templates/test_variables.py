"""Every variable a template reads is passed by every call that renders it.

StrictUndefined (templates/render.py) makes a missing variable raise when the template reaches
it; these checks read the code instead, so a branch no other test reaches is covered too (the
reviews list once used a `zone` its handler never passed, and crashed as soon as a review was
due).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from jinja2 import meta, nodes

from templates.render import environment

ROOT = Path(__file__).parents[2]
SOURCES = sorted(
    path
    for room in ("bot", "stack", "cli", "jobs", "core", "templates")
    for path in ROOT.glob(f"{room}/**/*.py")
)
# Read by error.json.j2 only after an `is defined` test.
OPTIONAL_ERROR_DETAILS = {"suggestion", "value"}
# Read only after an `is defined` test: the open finding calling a tool a duplicate, given by
# the callers that have the analysis at hand (core.analysis.doubled_by_tool).
OPTIONAL_CONTEXT = {"doubled"}
# Templates that word refusals, one `{% if code == "..." %}` branch a code.
REFUSAL_TEMPLATES = ("error", "transfer_error")


def _parse(name: str) -> nodes.Template:
    env = environment()
    assert env.loader is not None
    source = env.loader.get_source(env, name)[0]
    return env.parse(source)


def _assigned(tree: nodes.Node) -> set[str]:
    """Names a template sets itself ({% set %}, {% import %}), in any branch."""
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "store"}
    names |= {n.target for n in tree.find_all(nodes.Import)}
    return names


@cache
def needed(template: str) -> frozenset[str]:
    """What the template and the templates it includes read from the caller."""
    tree = _parse(template)
    found = set(meta.find_undeclared_variables(tree)) - _assigned(tree)
    for included in meta.find_referenced_templates(tree):
        if included and included != "_blocks.j2":
            found |= needed(included) - _assigned(tree)
    return frozenset(found)


def _calls(*names: str) -> Iterator[tuple[str, ast.Call]]:
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
            ):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


RENDERS = [
    (where, template, {k.arg for k in call.keywords if k.arg})
    for where, call in _calls("render", "render_view")
    # The refusal templates read each code's details in that code's branch: checked below.
    if call.args and (template := _literal(call.args[0])) and template not in REFUSAL_TEMPLATES
]


@pytest.mark.parametrize(("where", "template", "given"), RENDERS, ids=[r[0] for r in RENDERS])
def test_it_passes_every_variable_the_template_reads(
    where: str, template: str, given: set[str]
) -> None:
    missing = needed(f"{template}.json.j2") - given - OPTIONAL_CONTEXT
    assert missing == set(), f"{where} renders {template}"


def test_it_finds_the_render_calls_it_checks() -> None:
    # The check above must not pass by finding nothing.
    assert {t for _, t, _ in RENDERS} >= {"reviews", "digest", "review_reminder", "tool_show"}


@cache
def _error_branches() -> dict[str, set[str]]:
    """The refusal templates' `{% if code == "..." %}` branches: each code and the details it
    reads (besides what the template sets itself)."""
    branches: dict[str, set[str]] = {}
    for template in REFUSAL_TEMPLATES:
        tree = _parse(f"{template}.json.j2")
        own = _assigned(tree) | {"b", "code"}
        for branch in tree.find_all(nodes.If):
            test = branch.test
            if not (
                isinstance(test, nodes.Compare)
                and isinstance(test.expr, nodes.Name)
                and test.expr.name == "code"
                and test.ops[0].op == "eq"
                and isinstance(test.ops[0].expr, nodes.Const)
            ):
                continue
            read = {
                n.name for body in branch.body for n in body.find_all(nodes.Name) if n.ctx == "load"
            }
            guarded = {  # `x is defined`: read only when given
                t.node.name
                for body in branch.body
                for t in body.find_all(nodes.Test)
                if t.name == "defined" and isinstance(t.node, nodes.Name)
            }
            branches.setdefault(test.ops[0].expr.value, set()).update(read - own - guarded)
    return branches


def _refusals() -> Iterator[tuple[str, str, set[str]]]:
    for where, call in _calls("Rejected", "refuse"):
        position = 0 if isinstance(call.func, ast.Name) and call.func.id == "Rejected" else 3
        if len(call.args) <= position or any(k.arg is None for k in call.keywords):
            continue
        code = _literal(call.args[position])
        if code is not None:
            yield where, code, {k.arg for k in call.keywords if k.arg}


REFUSALS = list(_refusals())


@pytest.mark.parametrize(("where", "code", "given"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_it_gives_every_refusal_the_details_its_wording_reads(
    where: str, code: str, given: set[str]
) -> None:
    branches = _error_branches()
    assert code in branches, f"{where}: {code} has no wording in {REFUSAL_TEMPLATES}"
    assert branches[code] - given - OPTIONAL_ERROR_DETAILS == set(), where
