"""`/stack settings`: shown to anyone, changed by stack admins, every change audited."""

from __future__ import annotations

from sqlmodel import Session

from core import grammar
from core.preferences import SETTINGS
from db.models import Workspace
from db.tools import record_event
from stack.base import Context, Reply, is_admin, refuse
from templates.render import render


def settings(
    session: Session, workspace: Workspace, context: Context, command: grammar.Settings
) -> Reply:
    assert workspace.id is not None
    if command.name is None:
        return Reply(render("settings", workspace=workspace, changed=None, settings=SETTINGS))
    if not is_admin(session, workspace, context):
        return refuse(session, workspace, context, "admins_only", what="change settings")
    setting = SETTINGS[command.name]
    before = getattr(workspace, setting.column)
    setattr(workspace, setting.column, command.value)
    session.add(workspace)
    record_event(
        session=session,
        workspace_id=workspace.id,
        actor=context.user_id,
        action="settings",
        before={setting.name: before},
        after={setting.name: command.value},
        now=context.now,
    )
    message = render("settings", workspace=workspace, changed=setting.name, settings=SETTINGS)
    return Reply(message, public=True)
