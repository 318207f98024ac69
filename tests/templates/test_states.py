"""Every template, rendered in every state it can show, checked against Slack's block models.

Each state (tests/templates/states.py) is a real store built through /stack commands and the
clock's passes; each view is what a person sees of it: a command's reply, a reminder, the
digest, the App Home, a modal. Rendering the reviews list with a review due is what would have
caught its crash on a time zone its handler never passed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from core.proposals import assess
from db import deliveries
from db.engine import session_scope
from db.models import Proposal, Tool
from db.tools import get_workspace
from stack import Reply
from stack.billing import billing_message, import_billing
from stack.digest import build_digest
from stack.files import export_file, file_refusal, import_file
from stack.forms import finding as finding_forms
from stack.forms import home, review, tool
from stack.forms.proposal import propose_form
from stack.loaded import workspace_tools
from stack.overspend import Overspend, overspend_message
from stack.proposals import as_stack_tool, proposal_cost
from templates.render import TEMPLATES, render, render_view
from tests.conftest import ALICE, NOW
from tests.slack_checks import (
    all_text,
    assert_message_reads,
    assert_no_typed_markers,
    assert_valid_message,
    assert_valid_view,
    mrkdwn_text,
)
from tests.templates.states import STATES, TRICKY, Built, recording

Rendered = tuple[str, dict[str, Any]]  # ("message" | "view" | "options", what was rendered)
View = Callable[[Built], list[Rendered]]


def _command(text: str) -> View:
    def view(built: Built) -> list[Rendered]:
        text_ = text.replace("{focus}", f"“{built.focus}”" if built.focus else "nothing")
        return [("message", built.stack(text_).message)]

    return view


def _digest(built: Built) -> list[Rendered]:
    with session_scope(built.stack.engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=built.stack.team)
        assert workspace is not None
        previous = deliveries.last_digest(session=session, workspace_id=workspace.id or 0)
        digest = build_digest(
            session, workspace, now=built.stack.now, period="2026-W48", previous=previous
        )
    return [("message", digest.message)]


def _forms(built: Built) -> list[Rendered]:
    engine, context = built.stack.engine, built.context()
    shown: list[Rendered] = [
        ("view", home.home_view(engine, context)),
        ("view", finding_forms.overlaps_view(engine, context)),
    ]
    for name in (None, built.focus):
        form = tool.tool_form(engine, context, name)
        shown.append(("message", form.message) if isinstance(form, Reply) else ("view", form))
    for finding in [*built.findings()[:1], "no-such-finding"]:
        form = finding_forms.accept_form(engine, context, finding)
        shown.append(("message", form.message) if isinstance(form, Reply) else ("view", form))
    return shown


def _review_forms(built: Built) -> list[Rendered]:
    """The modal behind a reminder's buttons, for every decision, from the buttons' own value."""
    values = [
        next(b for b in letter.message["blocks"] if b["type"] == "actions")["elements"][0]["value"]
        for letter in built.letters
    ]
    shown: list[Rendered] = []
    for value in values[:1] or ['{"tool": 1, "due": "2026-12-01"}']:
        for decision in ("keep", "renegotiate", "replace", "retire", "snooze-7", "snooze-30"):
            where = {"channel": "CDIGEST", "ts": "1.2"}
            form = review.review_form(built.stack.engine, built.context(), value, decision, where)
            kind = "view" if isinstance(form, dict) else "message"
            shown.append((kind, form if isinstance(form, dict) else form.message))
    return shown


def _options(built: Built) -> list[Rendered]:
    typed = ("ml", "v", built.focus or "x", "<!channel> *x*" + "y" * 100)
    return [("options", tool.catalog_options(t)) for t in typed]


SAMPLES = Path(__file__).parents[1] / "samples"


def _transfer(built: Built) -> list[Rendered]:
    """An export, a dry run of importing it back, a file with a bad row, an unreadable file, a
    bill, and the import form: the words of moving a stack in and out."""
    engine, context = built.stack.engine, built.context()
    name, text, count = export_file(engine, context, "csv", context.now.date())
    new = b"name,layers\nBrand New Tool,data\n"
    bad = b"name,layers\nSomething,nope\n"
    with (SAMPLES / "focus_aws.csv").open("rb") as bill:
        billed = import_billing(engine, context, bill, dry_run=True)
    return [
        ("message", render("export_sent", filename=name, count=count)),
        *(
            ("message", import_file(
                engine, context, data, name="stack.csv", dry_run=True, lookup=lambda e: None,
                file_id="F123",
            ))
            for data in (text.encode(), new, bad)
        ),
        ("message", file_refusal("empty_file")),
        ("message", billing_message(billed, source="focus_aws.csv")),
        ("message", overspend_message(
            Overspend("SageMaker", date(2026, 10, 1), "USD", Decimal("3200"), Decimal("2000"),
                      Decimal("1200"), 60),
        )),
        ("view", render_view("import_form")),
    ]  # fmt: skip


def _pictures(built: Built) -> list[Rendered]:
    """What a person is told about a picture: that it is coming, or why it did not come."""
    return [
        ("message", built.stack("map image").message),
        ("message", built.stack("spend image").message),
        *(
            ("message", render("picture_failed", kind=kind, reason=reason))
            for kind in ("map", "spend")
            for reason in ("missing_scope", "upload_failed", "drawing_failed")
        ),
    ]


def _people(built: Built) -> list[Rendered]:
    """Proposals in every stage, the note about someone who left, and the two forms, over the
    state's own tools; built in memory, so the state's store is left as it is."""
    with session_scope(built.stack.engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=built.stack.team)
        stack = workspace_tools(session, workspace) if workspace else []
    shown: list[Rendered] = []
    values = {"layers": [6], "capabilities": ["drift-detection", "model-monitoring"],
              "cost_cents": 120_000, "cost_currency": "USD", "cost_period": "month"}  # fmt: skip
    for name in {built.focus or "WhyLabs", "WhyLabs", "<!channel> *x*"}:
        proposal = Proposal(
            id=7, workspace_id=1, name=name, name_key=name, values=values, why=" ".join(TRICKY),
            proposed_by="UCAROL", created_at=NOW,
        )  # fmt: skip
        found, cost = assess(as_stack_tool(proposal), stack), proposal_cost(proposal)
        for audience, channel in (("proposer", "CREV"), ("proposer", None), ("reviewers", "C")):
            message = render("proposal", proposal=proposal, found=found, cost=cost,
                             audience=audience, channel=channel)  # fmt: skip
            shown.append(("message", message))
        shown.append(("message", render("proposals", shown=[(proposal, found, cost)], zone="UTC")))
        shown.append(("message", render("proposal_expired", proposal=proposal, days=30)))
        for status in ("approved", "declined"):
            decided = proposal.model_copy(
                update={"status": status, "decided_by": ALICE, "reason": "<!here> *no*"}
            )
            for audience in ("proposer", "reviewers"):
                shown.append(("message", render("proposal_decided", proposal=decided,
                                                cost=cost, audience=audience)))  # fmt: skip
    names = [t.name for t in stack] or ["Arize"]
    backups = {names[0]: "UCAROL"}
    for admins in ([], [ALICE, "UDAN"]):
        shown.append(("message", render("owner_left", user="UBOB", tools=names, admins=admins,
                                        backups=backups)))  # fmt: skip
    shown.append(("message", built.stack("proposals").message))
    shown.append(("view", render_view("decline_form", metadata='{"proposal": 7}')))
    shown.append(("view", propose_form()))
    return shown


def _fallback(built: Built) -> list[Rendered]:
    return [
        ("message", render("fallback_note", channel=channel, error=code))
        for channel, code in (("CGONE", "channel_not_found"), (None, "no_channel"))
    ]


VIEWS: dict[str, View] = {
    **{
        text: _command(text)
        for text in (
            "list", "list inference", "list retired", "show {focus}", "map", "history",
            "history {focus}", "overlaps", "overlaps accepted", "overlaps data", "spend",
            "reviews", "status", "settings", "admins", "help", "help caps", "help add",
            "help review", "show Databricks", "add Pinecon data", "add Foo infrence",
        )
    },
    "replies": lambda built: [("message", r.message) for r in built.replies],
    "reminders": lambda built: [("message", letter.message) for letter in built.letters],
    "digest": _digest,
    "forms": _forms,
    "review forms": _review_forms,
    "options": _options,
    "fallback": _fallback,
    "people": _people,
    "transfer": _transfer,
    "pictures": _pictures,
}  # fmt: skip
# Not Block Kit: the comment, alt text and title of an uploaded picture (tests/bot/test_images.py).
NOT_BLOCKS = {"picture_posted"}

# What a person must read in some of these, besides valid blocks.
EXPECT: dict[tuple[str, str], tuple[str, ...]] = {
    ("empty", "reviews"): ("Nothing is due in the next 30 days",),
    ("empty", "list"): ("No tools yet",),
    ("empty", "map"): ("gap: nothing here yet",),
    ("nothing_due", "reviews"): ("Nothing is due in the next 30 days",),
    ("nothing_due", "reminders"): (),
    ("due", "reviews"): ("due 5 Dec 2026", "due 29 Nov 2026", "Next reminder", "(UTC)"),
    ("due", "reminders"): ("due in 7 days, on 5 Dec 2026", "due tomorrow", "cancel by"),
    ("due", "digest"): ("Vendor reviews", "due 5 Dec 2026"),
    ("overdue", "reviews"): ("overdue since 24 Oct 2026", "_no owner_"),
    ("overdue", "reminders"): ("overdue since 24 Oct 2026", "Nobody owns this tool"),
    ("overdue", "status"): ("What went wrong", "invalid_blocks", "sent to <@UBOB> instead"),
    ("overdue", "digest"): ("overdue since 24 Oct 2026", "Spend per layer"),
    ("decided", "reviews"): ("due 28 Dec 2026",),
    ("decided", "replies"): (
        "kept it",
        "snoozed it for 30 days",
        "retired it",
        "accepted",
        "will replace it",
        "The last day to cancel is",
    ),
    ("decided", "show Databricks"): ("\n_side features: ", "\n_a platform", "\nbackup <@UBOB>"),
    ("decided", "history"): ("decided the review of", "changed settings", "accepted finding"),
    ("decided", "overlaps accepted"): ("1 accepted",),
    ("decided", "settings"): ("Europe/Berlin", "Data and vector databases, Governance"),
    ("no_owner", "reminders"): ("Nobody owns this tool", "I own this", "due today"),
    ("no_owner", "map"): ("_no owner_",),
    ("retired", "list retired"): ("retired 28 Nov 2026",),
    ("retired", "replies"): ("Retired", "brought back"),
    ("big", "list"): ("Showing 40 of 501",),
    ("big", "reviews"): ("Showing the 40 due first, of",),
    ("big", "map"): ("more: `/stack list compute`",),
}
# What bot/listeners/__init__.py registers: a button or form nothing answers is a broken one.
ACTIONS = re.compile(
    r"home_add_tool|home_overlaps|finding_accept|finding_reopen|review_own"
    r"|review_(keep|renegotiate|replace|retire|snooze-7|snooze-30)"
    r"|home_propose|proposal_approve|proposal_decline|add_suggested|add_as_typed"
    r"|name|layers|caps|vendor|sourcing|cost|currency|owner|backup|renews|notice|notes|reason|why"
    r"|import_apply|file"
)
CALLBACKS = {
    *("", "tool_form", "accept_form", "review_form", "overlaps_modal", "import_form"),
    *("decline_form", "propose_form"),
}


def check(kind: str, rendered: dict[str, Any]) -> str:
    """Checked against Slack's models and limits; returns the text a person reads."""
    if kind == "options":
        for option in rendered["options"]:
            assert len(option["text"]["text"]) <= 75
            assert len(option["value"]) <= 150
        return json.dumps(rendered, ensure_ascii=False)
    if kind == "message":
        assert_valid_message(rendered)
    else:
        assert_valid_view(rendered)
        assert rendered.get("callback_id", "") in CALLBACKS
    for action in re.findall(r'"action_id": "([^"]*)"', json.dumps(rendered)):
        assert ACTIONS.fullmatch(action), action  # a button a listener answers
    assert_no_typed_markers(rendered, TRICKY)  # see test_mrkdwn.py
    assert_message_reads(rendered)  # no line break lost, no marker mid-word
    shown = mrkdwn_text({"text": rendered.get("text", " "), "blocks": rendered["blocks"]})
    # Nothing anybody typed reaches Slack as markup: no ping, no link, no raw tag.
    for markup in ("<!channel>", "<https://x.test", "<b>", "<Gov>"):
        assert markup not in shown
    return all_text({"text": rendered.get("text", ""), "blocks": rendered["blocks"]})


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("state", STATES)
def test_it_renders_every_view_in_every_state(
    built: Callable[[str], Built], state: str, view: str
) -> None:
    shown = "\n".join(check(kind, r) for kind, r in VIEWS[view](built(state)))
    for expected in EXPECT.get((state, view), ()):
        assert expected in shown, (state, view, expected)


def test_it_builds_the_states_it_claims(built: Callable[[str], Built]) -> None:
    assert {len(built(s).letters) for s in ("due", "overdue", "no_owner")} >= {2, 3}
    assert not built("nothing_due").letters
    assert not built("decided").letters
    with session_scope(built("big").stack.engine, write=False) as session:
        assert len(session.exec(select(Tool)).all()) == 501


def test_it_renders_every_template_in_some_state(built: Callable[[str], Built]) -> None:
    rendered: set[str] = set()
    with recording(rendered):
        for state in STATES:
            rendered |= built(state).rendered
            for view in VIEWS.values():
                view(built(state))
    templates = {p.name.removesuffix(".json.j2") for p in Path(TEMPLATES).glob("*.json.j2")}
    assert templates - rendered - NOT_BLOCKS == set()
