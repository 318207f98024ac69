"""Proposals nobody decided in 30 days expire, with a note to whoever proposed them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.outbound import Directory
from db import proposals
from db.engine import session_scope
from db.models import EXPIRED
from db.tools import record_event
from jobs.deliver import send
from stack.letters import Letter
from templates.render import render


def expire_proposals(engine: Engine, directory: Directory, now: datetime) -> int:
    """Expire what is older than 30 days; returns how many notes went out. The expiry is a
    conditional update (a decision that lands first wins) and the note a claimed delivery."""
    letters = []
    with session_scope(engine) as session:
        stale = proposals.older_than(
            session=session, before=now - timedelta(days=proposals.EXPIRY_DAYS)
        )
        for proposal, workspace in stale:
            assert workspace.id is not None
            if not proposals.settle(session=session, proposal=proposal, status=EXPIRED,
                                    actor=None, now=now):  # fmt: skip
                continue
            record_event(
                session=session, workspace_id=workspace.id, actor=proposal.proposed_by,
                action="proposal-expired", after={"proposal": proposal.name}, now=now,
            )  # fmt: skip
            message = render("proposal_expired", proposal=proposal, days=proposals.EXPIRY_DAYS)
            letters.append(
                Letter(
                    workspace_id=workspace.id,
                    team_id=workspace.team_id,
                    key=f"proposal:{proposal.id}:expired",
                    kind="proposal",
                    period=now.date().isoformat(),
                    message=message,
                    target=proposal.proposed_by,  # a user id: the post lands in their DM
                )
            )
    return sum(send(engine, directory, letter, now=now) for letter in letters)
