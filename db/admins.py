"""Stack admins named in stackbot, and Slack deliveries and requests already handled."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from db.models import SlackEvent, SlackRequest, StackAdmin


def stack_admins(*, session: Session, workspace_id: int) -> list[str]:
    statement = select(StackAdmin.user_id).where(StackAdmin.workspace_id == workspace_id)
    return sorted(session.exec(statement).all())


def is_stack_admin(*, session: Session, workspace_id: int, user_id: str) -> bool:
    statement = select(StackAdmin.id).where(
        StackAdmin.workspace_id == workspace_id, StackAdmin.user_id == user_id
    )
    return session.exec(statement).first() is not None


def add_stack_admin(
    *, session: Session, workspace_id: int, user_id: str, actor: str, now: datetime
) -> bool:
    """Name `user_id` a stack admin; False when they already were."""
    if is_stack_admin(session=session, workspace_id=workspace_id, user_id=user_id):
        return False
    session.add(
        StackAdmin(workspace_id=workspace_id, user_id=user_id, added_by=actor, added_at=now)
    )
    session.flush()
    return True


def remove_stack_admin(*, session: Session, workspace_id: int, user_id: str) -> bool:
    result = session.exec(
        delete(StackAdmin).where(
            col(StackAdmin.workspace_id) == workspace_id, col(StackAdmin.user_id) == user_id
        )
    )
    return bool(result.rowcount)


def claim_event(*, session: Session, event_id: str, now: datetime) -> bool:
    """True the first time `event_id` is seen, False for every retry of it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SlackEvent)
        .values(event_id=event_id, received_at=now)
        .on_conflict_do_nothing()
        .returning(col(SlackEvent.event_id))
    )
    return session.connection().execute(statement).first() is not None


def forget_events(*, session: Session, before: datetime) -> int:
    result = session.exec(delete(SlackEvent).where(col(SlackEvent.received_at) < before))
    return int(result.rowcount)


# Slack signs a request with its time; one older than this fails verification anyway, so a
# signature need be remembered no longer. https://docs.slack.dev/authentication/verifying-requests-from-slack
REPLAY_WINDOW = timedelta(minutes=5)


def first_sight(*, session: Session, signature: str, now: datetime) -> bool:
    """True the first time a request signature is seen, False for a replay of it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SlackRequest)
        .values(signature=signature, received_at=now)
        .on_conflict_do_nothing()
        .returning(col(SlackRequest.signature))
    )
    return session.connection().execute(statement).first() is not None


def forget_signatures(*, session: Session, before: datetime) -> int:
    result = session.exec(delete(SlackRequest).where(col(SlackRequest.received_at) < before))
    return int(result.rowcount)
