"""Every listener, registered without decorators so tests can import and call them."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.listeners.actions.findings import finding_accept, finding_reopen
from bot.listeners.actions.home import home_add_tool, home_overlaps
from bot.listeners.actions.proposals import home_propose, proposal_approve, proposal_decline
from bot.listeners.actions.reviews import review_button, review_own
from bot.listeners.actions.stale import stale_action
from bot.listeners.commands.stack import stack_ack, stack_command
from bot.listeners.events.app_home import app_home_opened
from bot.listeners.events.user_change import user_change
from bot.listeners.options.catalog import tool_name_options
from bot.listeners.views.accept_form import accept_form_submitted
from bot.listeners.views.proposal_forms import decline_form_submitted, propose_form_submitted
from bot.listeners.views.review_form import review_form_submitted
from bot.listeners.views.tool_form import tool_form_submitted
from bot.work import HandOver, WorkProcess


def register_listeners(app: App, work: WorkProcess | None = None) -> None:
    """With `work`, a middleware acks `/stack` and the child process runs `stack_command`
    (bot.work); the child's own app, and an app without one, run it on Bolt's threads."""
    if work is not None:
        app.use(HandOver("/stack", stack_command, work))
    app.command("/stack")(ack=stack_ack, lazy=[stack_command])
    app.view("tool_form")(tool_form_submitted)
    app.view("accept_form")(accept_form_submitted)
    app.view("review_form")(review_form_submitted)
    app.view("decline_form")(decline_form_submitted)
    app.view("propose_form")(propose_form_submitted)
    app.options("name")(tool_name_options)
    app.event("app_home_opened")(app_home_opened)
    app.event("user_change")(user_change)
    app.action("home_add_tool")(home_add_tool)
    app.action("home_overlaps")(home_overlaps)
    app.action("home_propose")(home_propose)
    app.action("proposal_approve")(proposal_approve)
    app.action("proposal_decline")(proposal_decline)
    app.action("finding_accept")(finding_accept)
    app.action("finding_reopen")(finding_reopen)
    app.action("review_own")(review_own)
    app.action(re.compile(r"^review_(keep|renegotiate|replace|retire|snooze-7|snooze-30)$"))(
        review_button
    )
    # Last: any other button (from an older message, say) gets an answer rather than a 404.
    app.action(re.compile(".*"))(stale_action)
