from __future__ import annotations

from bot.listeners.press import Press
from bot.outbound import send_posts
from core.errors import Rejected
from stack.base import refusal
from stack.forms.proposal import decline_form, proposal_of, propose_form
from stack.proposals import run_decision


def proposal_approve(press: Press) -> None:
    """Approve on a proposal's post: the post then says who approved it, the proposer hears."""
    number = proposal_of(press.value)
    if number is None:
        press.tell(refusal(Rejected("stale_button")))
        return
    reply = run_decision(press.engine, press.stack, number, approve=True, reason=None)
    if not reply.ok:
        press.tell(reply)  # only the presser is told
        return
    if press.respond is not None and press.body.get("response_url"):
        press.respond(**reply.response(), replace_original=True)  # the post, for everyone
    send_posts(press.client, reply)


def proposal_decline(press: Press) -> None:
    """Decline: a form asks why first (the proposer is told), if this person may decide it."""
    number = proposal_of(press.value)
    container = press.body.get("container") or {}
    where = {"channel": container.get("channel_id"), "ts": container.get("message_ts")}
    view = (
        refusal(Rejected("stale_button"))
        if number is None
        else decline_form(press.engine, press.stack, number, where)
    )
    if isinstance(view, dict) and press.trigger_id:
        press.client.views_open(trigger_id=press.trigger_id, view=view)
    elif not isinstance(view, dict):
        press.tell(view)


def home_propose(press: Press) -> None:
    if press.trigger_id:
        press.client.views_open(trigger_id=press.trigger_id, view=propose_form())
