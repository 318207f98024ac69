"""`/stack admins`: who may change any tool and the workspace's settings."""

from __future__ import annotations

from sqlmodel import Session

from core import grammar
from core.errors import Rejected
from db import admins as store
from db.models import Workspace
from db.tools import record_event
from stack.base import Context, Reply, is_admin, refuse
from templates.render import render


def admins(
    session: Session, workspace: Workspace, context: Context, command: grammar.Admins
) -> Reply:
    assert workspace.id is not None
    if command.action is None or command.user is None:
        names = store.stack_admins(session=session, workspace_id=workspace.id)
        return Reply(render("admins", admins=names, changed=None, user=None))
    if not is_admin(session, workspace, context):
        return refuse(session, workspace, context, "admins_only", what="name stack admins")
    user = command.user.id
    if command.action == "add":
        changed = store.add_stack_admin(
            session=session, workspace_id=workspace.id, user_id=user, actor=context.user_id,
            now=context.now,
        )  # fmt: skip
    else:
        changed = store.remove_stack_admin(session=session, workspace_id=workspace.id, user_id=user)
    if not changed:
        raise Rejected("admins_unchanged", action=command.action, user=user)
    record_event(
        session=session,
        workspace_id=workspace.id,
        actor=context.user_id,
        action="admins",
        after={command.action: user},
        now=context.now,
    )
    names = store.stack_admins(session=session, workspace_id=workspace.id)
    message = render("admins", admins=names, changed=command.action, user=user)
    return Reply(message, public=True)
