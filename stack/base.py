"""What every /stack handler takes and gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core.errors import Rejected
from core.options import ToolFields, UserRef, check_backup
from core.people import Person, cannot_own
from db import admins
from db.models import Workspace
from db.tools import record_event
from templates.render import Message, render


@dataclass(frozen=True, slots=True)
class Context:
    """Who is asking, from where, and when."""

    team_id: str
    user_id: str
    now: datetime
    channel_id: str | None = None
    # Everything below is what Slack said before the command began (bot.slack asks it), so no
    # transaction ever waits on Slack. Whether the person is a workspace admin or owner: not
    # said means not an admin (the terminal passes --admin).
    slack_admin: bool = False
    zone: str | None = None  # the person's IANA time zone, for a workspace seen the first time
    # The accounts the command names as owners or backup owners, as Slack describes them. A
    # person not in it is not known (the terminal) and taken at the command's word.
    people: Mapping[str, Person] = field(default_factory=dict)
    # The command as typed (run_command sets it), so a reply can offer it back corrected.
    text: str | None = None
    # The person said a name stackbot took for a typo is meant as typed: the button under the
    # question, or `stackbot cmd --confirm`.
    confirmed: bool = False
    terminal: bool = False  # asked at the terminal, where there are no buttons to press

    def person(self, user_id: str) -> Person | None:
        return self.people.get(user_id)

    def today(self, workspace: Workspace) -> date:
        """The date in the workspace's own time zone."""
        return self.now.astimezone(ZoneInfo(workspace.timezone)).date()


def is_admin(session: Session, workspace: Workspace, context: Context) -> bool:
    """A stack admin: named with `/stack admins add`, or a workspace admin or owner in Slack."""
    assert workspace.id is not None
    named = admins.is_stack_admin(
        session=session, workspace_id=workspace.id, user_id=context.user_id
    )
    return named or context.slack_admin


def check_people(
    session: Session,
    workspace: Workspace,
    context: Context,
    fields: ToolFields,
    *,
    owner_id: str | None,
    backup_id: str | None = None,
) -> Reply | None:
    """A refusal when the owner or backup an add or edit names cannot be one; None when fine.
    A backup equal to the owner is a slip (Rejected); a bot, a guest or someone who left is an
    attempt, recorded."""
    check_backup(fields, owner_id=owner_id, backup_id=backup_id)
    for role, given in (("owner", fields.owner), ("backup owner", fields.backup)):
        if not isinstance(given, UserRef):
            continue
        code = cannot_own(context.person(given.id))
        if code is not None:
            return refuse(session, workspace, context, code, user=given.id, role=role)
    return None


def refuse(
    session: Session, workspace: Workspace, context: Context, code: str, **details: Any
) -> Reply:
    """Refuse an action the person may not take: nothing changes but the audit log, which
    records the attempt (so this returns a reply rather than raising and rolling back)."""
    assert workspace.id is not None
    record_event(
        session=session,
        workspace_id=workspace.id,
        actor=context.user_id,
        action="refused",
        after={k: v for k, v in details.items() if isinstance(v, str)},
        now=context.now,
    )
    return Reply(render("error", code=code, **details), ok=False, code=code)


@dataclass(frozen=True, slots=True)
class Post:
    """A message for someone besides the person who asked: a channel, or a user id (a DM)."""

    to: str
    message: Message


@dataclass(frozen=True, slots=True)
class Reply:
    message: Message
    ok: bool = True
    public: bool = False  # shown to the channel, not only to the person who asked
    code: str | None = None  # why it was refused, when it was
    posts: tuple[Post, ...] = ()  # sent after the answer, by whoever delivers it
    picture: str | None = None  # "map": a picture to send the person after the reply

    def response(self) -> dict[str, Any]:
        """As a slash command's response: https://docs.slack.dev/interactivity/handling-user-interaction"""
        return {
            "response_type": "in_channel" if self.public else "ephemeral",
            "text": self.message["text"],
            "blocks": self.message["blocks"],
        }


def refusal(rejected: Rejected) -> Reply:
    message = render("error", code=rejected.code, **rejected.details)
    return Reply(message, ok=False, code=rejected.code)
