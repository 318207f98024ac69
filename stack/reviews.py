"""Vendor reviews: deciding them (`/stack review`, or the buttons on a reminder), listing what
is due, and the clock's status."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from core import grammar
from core.errors import Rejected
from core.review_facts import ReviewFacts
from core.reviews import DECISION_WORDS, PENDING, REVIEWED, cancel_by, decide
from core.schedule import (
    Stage,
    digest_slot,
    local_date,
    next_digest_slot,
    next_review_stage,
)
from core.text import nearest
from db import deliveries
from db.models import ACTIVE, RETIRED, Tool, Workspace
from db.tools import cost_of, list_tools, record_event
from stack.base import Context, Reply, refuse
from stack.tools import find_tool, may_change
from templates.render import Message, render

SOON = timedelta(days=30)


def review(
    session: Session,
    workspace: Workspace,
    context: Context,
    command: grammar.Review,
    *,
    due: date | None = None,
) -> Reply:
    """Record a decision. `due` is the cycle a reminder's button belongs to: a button from an
    earlier cycle changes nothing."""
    assert workspace.id is not None
    tool = find_tool(session, workspace, command.name)
    if tool.status != ACTIVE:
        raise Rejected("review_retired", name=tool.name)
    assert tool.id is not None
    decided = decided_already(session, workspace, tool, due)
    if decided is not None:
        raise decided
    if not may_change(session, workspace, context, tool):
        return refuse(
            session, workspace, context, "not_owner", what="decide the review of",
            name=tool.name, owner=tool.owner_id or tool.added_by,
        )  # fmt: skip
    today = context.today(workspace)
    cycle = tool.next_review_on or today
    outcome = decide(
        command.decision,
        today=today,
        cycle_due=cycle,
        last_review_on=tool.last_review_on,
        renews_on=tool.renews_on,
        notice_days=tool.notice_days,
    )
    deliveries.record_decision(
        session=session, workspace_id=workspace.id, tool_id=tool.id, due=cycle,
        decision=command.decision, reason=command.reason, actor=context.user_id, now=context.now,
    )  # fmt: skip
    before = tool.next_review_on
    tool.next_review_on = outcome.next_review_on
    tool.last_review_on = outcome.last_review_on
    tool.review_cycle_start = context.now
    tool.updated_at = context.now
    if outcome.retire:
        tool.status, tool.retired_at = RETIRED, context.now
    session.add(tool)
    record_event(
        session=session,
        workspace_id=workspace.id,
        actor=context.user_id,
        action="review",
        tool=tool,
        before={"next_review_on": before.isoformat() if before else None},
        after={
            "decision": command.decision,
            "reason": command.reason,
            "next_review_on": tool.next_review_on.isoformat() if tool.next_review_on else None,
        },
        now=context.now,
    )
    session.flush()
    message = render(
        "review_decided", tool=tool, decision=command.decision, reason=command.reason,
        actor=context.user_id, due=cycle, cost=cost_of(tool),
        reminder=next_reminder(session, workspace, tool, context.now),
        cancel_by=cancel_by(tool.renews_on, tool.notice_days), zone=workspace.timezone,
    )  # fmt: skip
    return Reply(message, public=True)


def missing_decision(words: str) -> Rejected:
    """`/stack review` without a decision word, saying only what is wrong: with a tool's name
    and one more word, that word is the decision that was not understood (and the nearest one is
    offered); with one word, the decision is what is missing."""
    name, _, last = words.strip().rpartition(" ")
    if not name:
        return Rejected("missing_decision", value=words.strip() or None)
    near = nearest(last, DECISION_WORDS)
    meant = DECISION_WORDS[near] if near else None
    typed = {"snooze-7": "snooze", "snooze-30": "snooze 30"}.get(meant or "", meant)
    return Rejected(
        "unknown_decision", name=name, value=last, suggestion=typed, missing_tool=False,
        tool_suggestion=None,
    )  # fmt: skip


def decided_already(
    session: Session, workspace: Workspace, tool: Tool, due: date | None
) -> Rejected | None:
    """Why a decision on the cycle due `due` (None: the current one) is too late: someone decided
    it already, who, what and when; None while it is open."""
    assert workspace.id is not None
    assert tool.id is not None
    last = deliveries.last_decision(session=session, workspace_id=workspace.id, tool_id=tool.id)
    cycle_start = tool.review_cycle_start or tool.added_at
    # A renegotiation (or replacement) under way leaves the cycle open until the cancel-by date.
    pending = tool.next_review_on == cancel_by(tool.renews_on, tool.notice_days)
    decided = (
        last is not None
        and last.decision in REVIEWED
        and not (last.decision in PENDING and pending)
        and last.decided_at >= cycle_start
    )
    if not decided and (due is None or due == tool.next_review_on):
        return None
    return Rejected(
        "already_decided",
        name=tool.name,
        decision=last.decision if last else None,
        by=last.decided_by if last else None,
        on=last.decided_at.date().isoformat() if last else None,
        next=tool.next_review_on.isoformat() if tool.next_review_on else None,
    )


def next_reminder(
    session: Session, workspace: Workspace, tool: Tool, now: datetime
) -> Stage | None:
    """The next reminder the clock will send for `tool` after `now`, by the clock's own rules
    (None for a tool that is not reviewed)."""
    if tool.status != ACTIVE or tool.next_review_on is None:
        return None
    return next_review_stage(
        due=tool.next_review_on, leads=workspace.review_leads, hour=workspace.reminder_hour,
        zone=workspace.timezone, now=now, cycle_start=tool.review_cycle_start or tool.added_at,
        snoozed=tool.id in deliveries.snoozed(session=session, tools=[tool]),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Deciders:
    """Who decides a review nobody owns or nobody answered, and why them: the named stack
    admins ("stack"), else the workspace's admins and owners in Slack ("workspace"), else
    whoever installed stackbot ("installer"); "nobody" when none of these is known."""

    people: tuple[str, ...] = ()
    who: str = "nobody"


def reminder_message(
    tool: Tool,
    *,
    due: date,
    today: date,
    escalation: str | None = None,
    deciders: Deciders | None = None,
    unanswered: int = 0,
    facts: ReviewFacts | None = None,
) -> Message:
    """A tool's review reminder as the clock posts it, and as it is updated in place; with
    `escalation` ("backup" or "admins"), the one that climbs after `unanswered` reminders.
    `deciders` are mentioned while nobody owns the tool, and when it climbs to the admins."""
    cancel_by = tool.renews_on - timedelta(days=tool.notice_days or 0) if tool.renews_on else None
    value = json.dumps({"tool": tool.id, "due": due.isoformat()})
    return render(
        "review_reminder", tool=tool, due=due, today=today, cancel_by=cancel_by,
        cost=cost_of(tool), value=value, escalation=escalation, deciders=deciders or Deciders(),
        unanswered=unanswered, facts=facts,
    )  # fmt: skip


def reviews(
    session: Session, workspace: Workspace, context: Context, command: grammar.Reviews
) -> Reply:
    assert workspace.id is not None
    today = context.today(workspace)
    due = [t for t in list_tools(session=session, workspace_id=workspace.id) if _due_soon(t, today)]
    due.sort(key=lambda t: (t.next_review_on, t.name.casefold()))
    snoozed = deliveries.snoozed(session=session, tools=due)
    stages = {
        t.id: next_review_stage(
            due=t.next_review_on, leads=workspace.review_leads, hour=workspace.reminder_hour,
            zone=workspace.timezone, now=context.now,
            cycle_start=t.review_cycle_start or t.added_at, snoozed=t.id in snoozed,
        )
        for t in due
        if t.next_review_on is not None
    }  # fmt: skip
    message = render(
        "reviews", tools=due[:40], total=len(due), today=today, stages=stages,
        zone=workspace.timezone,
    )  # fmt: skip
    return Reply(message)


def status(
    session: Session, workspace: Workspace, context: Context, command: grammar.Status
) -> Reply:
    assert workspace.id is not None
    zone = workspace.timezone
    week_start = digest_slot(weekday_index=0, hour=0, zone=zone, now=context.now).at
    recent = deliveries.recent(session=session, workspace_id=workspace.id, since=week_start)
    problems = [
        d
        for d in deliveries.recent(
            session=session, workspace_id=workspace.id, since=context.now - timedelta(days=30)
        )
        if d.status in ("failed", "undeliverable") or d.error
    ]
    message = render(
        "status",
        workspace=workspace,
        last_digest=deliveries.last_digest(session=session, workspace_id=workspace.id),
        next_digest=next_digest_slot(
            weekday_index=workspace.digest_weekday,
            hour=workspace.digest_hour,
            zone=zone,
            now=context.now,
        ),
        reminders_sent=sum(1 for d in recent if d.kind == "reminder" and d.status == "sent"),
        problems=problems[:10],
        problem_count=len(problems),
        zone=zone,
        today=local_date(context.now, zone),
    )
    return Reply(message)


def _due_soon(tool: Tool, today: date) -> bool:
    return tool.next_review_on is not None and tool.next_review_on <= today + SOON
