"""Import reports as messages: each problem worded by templates/transfer_error.json.j2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.importing import Problem
from stack.transfer import ImportReport
from templates.plain import plain
from templates.render import Message, render

SHOWN = 20  # problems listed in one Slack message; the rest are counted


@dataclass(frozen=True, slots=True)
class Worded:
    line: int
    column: str | None
    problem: str  # mrkdwn, already escaped
    fix: str


def worded(problem: Problem) -> Worded:
    message = render("transfer_error", code=problem.code, **problem.details)
    section = message["blocks"][0]["text"]["text"]
    fix = section.split("\n", 1)[1] if "\n" in section else ""
    return Worded(problem.line, problem.column, message["text"], fix)


def import_message(
    report: ImportReport, *, source: str, actor: str | None = None, shown: int = SHOWN
) -> Message:
    """The reply to a stack import: what was (or would be) added, changed and left alone, or
    the first `shown` problems and how many there are in all."""
    return render(
        "import_report",
        added=report.added,
        changed=report.changed,
        unchanged=report.unchanged,
        problems=[worded(p) for p in report.problems[:shown]],
        count=len(report.problems),
        notices=report.notices[:shown] if shown else report.notices,
        dry_run=report.dry_run,
        source=source,
        actor=actor,
    )


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    """Every problem as one line of plain text, for the terminal."""
    lines = []
    for problem in problems:
        w = worded(problem)
        where = f"line {w.line}" if w.line else "the file"
        if w.column:
            where += f", {w.column}"
        lines.append(f"{where}: {plain(w.problem)} {plain(w.fix)}".rstrip())
    return lines
