"""A workspace's stack, read once per request: every view takes what it needs from one `Loaded`,
and nothing it holds is worked out twice."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import cached_property

from sqlmodel import Session

from core.actuals import Actuals
from core.analysis import Finding, Summary, analyse, summarise
from core.coverage import LayerCoverage, coverage
from core.stack import StackMap, StackTool, stack_map
from db import findings as decisions
from db import tools as store
from db.models import Workspace
from stack.actual import load_actuals

# The layer notes the map shows, by the rule that found them.
MARKED_RULES = frozenset({"tools-exceed-capabilities", "spend-share", "core-uncovered"})


def workspace_tools(session: Session, workspace: Workspace) -> list[StackTool]:
    assert workspace.id is not None
    return store.stack_tools(session=session, workspace_id=workspace.id)


class Loaded:
    """The tools as stored; the findings (accepted ones marked), summary, map, coverage and
    billed spend are each worked out from them the first time a view asks."""

    def __init__(self, session: Session, workspace: Workspace, today: date) -> None:
        assert workspace.id is not None
        self.workspace = workspace
        self.today = today  # in the workspace's own time zone
        self.tools = workspace_tools(session, workspace)
        self._session = session

    @cached_property
    def findings(self) -> list[Finding]:
        assert self.workspace.id is not None
        accepted = decisions.accepted_findings(
            session=self._session, workspace_id=self.workspace.id
        )
        return analyse(
            self.tools,
            owned_layers=self.workspace.owned_layers,
            today=self.today,
            accepted=accepted,
        )

    @cached_property
    def summary(self) -> Summary:
        return summarise(self.findings, self.tools)

    @cached_property
    def map(self) -> StackMap:
        """The seven layers, with over-invested and thin layers marked by the rule that fired."""
        marked: dict[int, list[str]] = defaultdict(list)
        for finding in self.findings:
            if finding.rule in MARKED_RULES and not finding.accepted:
                for layer in finding.layers:
                    marked[layer].append(finding.rule)
        return stack_map(self.tools, marked={n: tuple(rules) for n, rules in marked.items()})

    @cached_property
    def coverage(self) -> tuple[LayerCoverage, ...]:
        return coverage(self.tools)

    @cached_property
    def actual(self) -> Actuals | None:
        """The latest bill's spend; None until a bill has been imported."""
        return load_actuals(self._session, self.workspace, self.tools)


def load_stack(session: Session, workspace: Workspace, today: date) -> Loaded:
    return Loaded(session, workspace, today)
