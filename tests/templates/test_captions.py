"""Every kind of finding and every rule core/analysis can emit has its own caption; a rule
nobody wrote a caption for fails to render rather than borrowing another's words."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from core.analysis import model
from stack import Context
from stack.forms.home import home_view
from templates.render import environment
from tests.conftest import ALICE, Stack
from tests.slack_checks import all_text

ANALYSIS = Path(model.__file__).parent


def emitted(keyword: str) -> set[str]:
    """Every string literal core/analysis passes as `keyword=` (the rule or kind of a finding),
    or assigns to a variable of that name first (`rule = "tidy-up"`, `kind, rule, prefix = …`)."""
    found: set[str] = set()
    for path in ANALYSIS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            values: list[ast.expr] = []
            if isinstance(node, ast.keyword) and node.arg == keyword:
                values = [node.value]
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == keyword:
                        values = [node.value]
                    elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        values += [
                            value
                            for name, value in zip(target.elts, node.value.elts, strict=False)
                            if isinstance(name, ast.Name) and name.id == keyword
                        ]
            for value in values:
                found |= {
                    c.value
                    for c in ast.walk(value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                }
    return found


def captions() -> object:
    return environment().get_template("_captions.j2").module


def test_it_finds_the_rules_core_analysis_emits() -> None:
    assert {"spend-share", "core-uncovered", "review-overdue", "redundant"} <= emitted("rule")


def test_every_rule_and_kind_has_its_own_caption() -> None:
    rules: dict[str, str] = captions().rules  # type: ignore[attr-defined]
    kinds: dict[str, str] = captions().kinds  # type: ignore[attr-defined]
    assert emitted("rule") <= rules.keys()
    assert emitted("kind") <= kinds.keys()
    assert len(set(rules.values())) == len(rules)  # no caption speaks for two rules
    assert len(set(kinds.values())) == len(kinds)


@pytest.mark.parametrize("rule", sorted(emitted("rule")))
def test_each_rule_marks_a_layer_in_its_own_words(rule: str) -> None:
    mark = captions().mark  # type: ignore[attr-defined]
    shown = str(mark(rule, (("audit-logging",),)))
    others = [c for r, c in captions().rules.items() if r != rule]  # type: ignore[attr-defined]
    assert not any(other in shown for other in others), shown


def test_an_unknown_rule_fails_to_render_instead_of_borrowing_a_caption() -> None:
    with pytest.raises(UndefinedError):
        str(captions().mark("no-such-rule"))  # type: ignore[attr-defined]


def test_the_app_home_captions_a_thin_governance_layer_as_thin(stack: Stack) -> None:
    stack.ok("add Acme governance")
    context = Context(team_id=stack.team, user_id=ALICE, now=stack.now)
    shown = all_text({"text": "", "blocks": home_view(stack.engine, context)["blocks"]})
    assert "_thin: no tool’s main job is " in shown
    assert "over-invested" not in shown
