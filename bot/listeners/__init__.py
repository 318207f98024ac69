"""Every listener, registered without decorators so tests can import and call them."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.listeners.actions.findings import finding_accept, finding_reopen
from bot.listeners.actions.home import home_add_tool, home_overlaps
from bot.listeners.actions.proposals import home_propose, proposal_approve, proposal_decline
from bot.listeners.actions.reviews import review_button, review_own
from bot.listeners.actions.stale import stale_action
from bot.listeners.actions.typo import add_as_typed, add_suggested
from bot.listeners.commands.stack import stack_command
from bot.listeners.events.app_home import app_home_opened
from bot.listeners.events.user_change import user_change
from bot.listeners.options.catalog import tool_name_options
from bot.listeners.press import acked
from bot.listeners.transfer import register_transfer
from bot.listeners.views.accept_form import accept_form_submitted
from bot.listeners.views.proposal_forms import decline_form_submitted, propose_form_submitted
from bot.listeners.views.review_form import review_form_submitted
from bot.listeners.views.tool_form import tool_form_submitted


def register_listeners(app: App) -> None:
    """Each listener answers Slack as soon as it acks: anything that calls Slack's API runs
    after that answer (bot.slack.later), and a slash command is a row (bot.recorded)."""
    app.command("/stack")(stack_command)
    app.view("tool_form")(tool_form_submitted)
    app.view("accept_form")(accept_form_submitted)
    app.view("review_form")(review_form_submitted)
    app.view("decline_form")(decline_form_submitted)
    app.view("propose_form")(propose_form_submitted)
    app.options("name")(tool_name_options)
    app.event("app_home_opened")(acked(app_home_opened))
    app.event("user_change")(acked(user_change))
    app.action("home_add_tool")(acked(home_add_tool))
    app.action("home_overlaps")(acked(home_overlaps))
    app.action("home_propose")(acked(home_propose))
    app.action("proposal_approve")(acked(proposal_approve))
    app.action("proposal_decline")(acked(proposal_decline))
    app.action("finding_accept")(acked(finding_accept))
    app.action("finding_reopen")(acked(finding_reopen))
    app.action("review_own")(acked(review_own))
    app.action("add_suggested")(acked(add_suggested))
    app.action("add_as_typed")(acked(add_as_typed))
    app.action(re.compile(r"^review_(keep|renegotiate|replace|retire|snooze-7|snooze-30)$"))(
        acked(review_button)
    )
    register_transfer(app)
    # Last: any other button (from an older message, say) gets an answer rather than a 404.
    app.action(re.compile(".*"))(acked(stale_action))
