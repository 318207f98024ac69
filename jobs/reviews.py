"""The reminder pass: for every tool whose review stage has come, one reminder, once; and for a
review left undecided too long, one escalation to the backup owner, then one to the stack
admins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.outbound import Directory
from core.review_facts import ReviewFacts
from core.schedule import Stage, escalations, local_date, review_stage
from db import deliveries
from db.admins import stack_admins
from db.engine import session_scope
from db.models import Tool, Workspace
from jobs.deliver import send
from stack.letters import Letter
from stack.review_facts import load_review_facts
from stack.reviews import Deciders, reminder_message

# Leads are at most a year: a tool due later than this has no stage yet.
HORIZON = timedelta(days=366)

Report = Callable[[Letter], None]


def run_reviews(
    engine: Engine,
    directory: Directory,
    now: datetime,
    *,
    team_id: str | None = None,
    dry_run: Report | None = None,
) -> int:
    """Send the reminders due at `now`; returns how many were sent (or, with `dry_run`, would
    be: each is handed to it instead of posted, and nothing is claimed)."""
    with session_scope(engine) as session:
        due = deliveries.due_tools(session=session, before=(now + HORIZON).date(), team_id=team_id)
        snoozed = deliveries.snoozed(session=session, tools=[tool for _, tool in due])
        owed: list[tuple[Workspace, Tool, Stage, str | None, str, ReviewFacts | None]] = []
        named: dict[int, list[str]] = {}
        for workspace, tool in due:
            assert workspace.id is not None
            assert tool.next_review_on is not None
            stage = review_stage(
                due=tool.next_review_on,
                leads=workspace.review_leads,
                hour=workspace.reminder_hour,
                zone=workspace.timezone,
                now=now,
                cycle_start=tool.review_cycle_start or tool.added_at,
                snoozed=tool.id in snoozed,
            )
            if stage is None:
                continue
            steps = escalations(
                stage, after=workspace.escalate_after, has_backup=bool(tool.backup_owner_id)
            )
            facts: ReviewFacts | None = None
            read = False
            for step in (None, *steps):
                key = _key(tool, stage, step)
                if not deliveries.exists(session=session, workspace_id=workspace.id, key=key):
                    if not read:  # in this transaction; the letter is built after it
                        today = local_date(now, workspace.timezone)
                        facts, read = load_review_facts(session, workspace, tool, today), True
                    owed.append((workspace, tool, stage, step, key, facts))
                    if workspace.id not in named:
                        named[workspace.id] = stack_admins(
                            session=session, workspace_id=workspace.id
                        )
    # Who decides what nobody owns or answered is asked of Slack outside the transaction, once
    # per workspace, and only where no stack admin was named.
    deciders: dict[int, Deciders] = {}
    letters = []
    for workspace, tool, stage, step, key, facts in owed:
        assert workspace.id is not None
        needed = step == "admins" or not (tool.owner_id or tool.backup_owner_id)
        if needed and workspace.id not in deciders:
            deciders[workspace.id] = _deciders(directory, workspace.team_id, named[workspace.id])
        who = deciders[workspace.id] if needed else Deciders()
        letters.append(_letter(workspace, tool, stage, now, step, key, who, facts))
    if dry_run is not None:
        for letter in letters:
            dry_run(letter)
        return len(letters)
    return sum(send(engine, directory, letter, now=now) for letter in letters)


def _key(tool: Tool, stage: Stage, escalation: str | None) -> str:
    """Keys name the cycle's due date, so a decision (a new due date) ends them all at once."""
    assert tool.next_review_on is not None
    due = tool.next_review_on.isoformat()
    if escalation is not None:
        return f"escalate:{tool.id}:{due}:{escalation}"
    return f"review:{tool.id}:{due}:{stage.label}"


def _deciders(directory: Directory, team_id: str, named: list[str]) -> Deciders:
    """The stack admins; else the workspace's admins and owners, as Slack lists them; else
    whoever installed stackbot."""
    if named:
        return Deciders(people=tuple(named), who="stack")
    admins = directory.workspace_admins(team_id)
    if admins:
        return Deciders(people=tuple(admins), who="workspace")
    installer = directory.installer(team_id)
    if installer:
        return Deciders(people=(installer,), who="installer")
    return Deciders(people=(), who="nobody")


def _letter(
    workspace: Workspace,
    tool: Tool,
    stage: Stage,
    now: datetime,
    escalation: str | None,
    key: str,
    deciders: Deciders,
    facts: ReviewFacts | None,
) -> Letter:
    """The week's reminder (`escalation` None), or the one escalation to "backup" or "admins"."""
    assert workspace.id is not None
    assert tool.next_review_on is not None
    due = tool.next_review_on.isoformat()
    today = local_date(now, workspace.timezone)
    message = reminder_message(
        tool, due=tool.next_review_on, today=today,
        escalation=escalation, deciders=deciders, unanswered=workspace.escalate_after,
        facts=facts,
    )  # fmt: skip
    channel = tool.channel_id or workspace.review_channel or workspace.digest_channel
    # Reminders go to the owner; while there is none, to the backup owner, else the admins.
    person = tool.owner_id or tool.backup_owner_id
    if escalation == "backup":
        # To the backup owner in person: a DM (posting to a user id lands there).
        channel, person = tool.backup_owner_id, None
    elif escalation == "admins":
        person = None
    return Letter(
        workspace_id=workspace.id,
        team_id=workspace.team_id,
        key=key,
        kind="reminder" if escalation is None else "escalation",
        period=f"{due}:{escalation or stage.label}",
        message=message,
        target=channel,
        person=person,
        dm_person=workspace.dm_owners and escalation is None,
        tool_id=tool.id,
    )
