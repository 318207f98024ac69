"""The modals: the add/edit form, the accept-a-finding form, the App Home and the overlaps view.

What a form says is checked by the same option parsers and the same handlers as a typed
command, so a form cannot store what `/stack edit` would refuse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Engine

from bot.commands import findings, reviews, tools
from bot.commands.base import Context, Reply, refusal
from bot.commands.run import run_parsed
from bot.commands.tools import MAP_TOOLS_PER_LAYER
from bot.terminal import plain
from core import grammar, options
from core.catalog import load_catalog
from core.errors import Rejected
from core.layers import LAYER_BY_NUMBER, LAYERS
from core.money import CODES, parse_cost
from core.options import ToolFields
from core.reviews import DECISIONS
from core.text import normalise
from db.engine import session_scope
from db.models import ACTIVE, Tool
from db.tools import cost_of, ensure_workspace, get_workspace, update_tool
from templates.render import render, render_view

OPTIONS_LIMIT = 20
FORM_CURRENCIES = ("USD", "EUR", "GBP", *sorted(CODES - {"USD", "EUR", "GBP"}))
# Which field of the form a refusal belongs on (Slack shows it there, inline).
FIELD_OF_CODE = {
    "empty_name": "name", "name_too_long": "name", "control_characters": "name",
    "misspelt_tool": "name", "unknown_tool_needs_layer": "layers", "tool_exists": "name",
    "name_taken": "name", "unknown_layer": "layers", "unknown_capability": "caps",
    "bad_vendor": "vendor", "bad_cost": "cost", "negative_cost": "cost", "huge_cost": "cost",
    "bad_currency": "currency", "bad_cost_period": "cost", "bad_owner": "owner",
    "backup_is_owner": "backup", "owner_left_slack": "owner", "owner_is_bot": "owner",
    "owner_is_guest": "owner",
    "far_date": "renews", "bad_date": "renews", "impossible_date": "renews",
    "bad_notice": "notice", "notes_too_long": "notes", "bad_sourcing": "sourcing",
    "tool_retired": "name", "no_such_tool": "name", "not_owner": "name",
    "empty_reason": "reason", "reason_too_long": "reason", "unknown_finding": "reason",
    "finding_already_accepted": "reason",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ToolForm:
    """What the add/edit form held when it was submitted, as text, straight from Slack."""

    name: str = ""
    layers: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    vendor: str = ""
    sourcing: str = ""
    cost: str = ""
    currency: str = "USD"
    owner: str = ""
    backup: str = ""
    renews: str = ""
    notice: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A submitted form: errors to show on its fields, or the reply to post where it came from."""

    errors: dict[str, str] = field(default_factory=dict)
    reply: Reply | None = None
    channel_id: str | None = None
    ts: str | None = None  # the message to update in place, when there is one


def tool_form(engine: Engine, context: Context, name: str | None) -> dict[str, Any] | Reply:
    """The add form (no `name`) or the edit form for the tool `name`, or a refusal."""
    metadata = {"channel": context.channel_id, "tool": None}
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.slack_zone
        )
        tool = None
        if name is not None:
            try:
                tool = tools.find_tool(session, workspace, name)
            except Rejected as rejected:
                return refusal(rejected)
            metadata["tool"] = tool.name
        cost = cost_of(tool) if tool else None
        return render_view(
            "tool_form",
            tool=tool,
            metadata=json.dumps(metadata),
            layers=LAYERS,
            layers_by_number=LAYER_BY_NUMBER,
            currencies=FORM_CURRENCIES,
            currency=cost.currency if cost else "USD",
            cost=(f"{cost.amount.normalize():f}" + ("/yr" if cost.period == "year" else ""))
            if cost
            else "",
        )


def submit_tool_form(engine: Engine, context: Context, form: ToolForm, metadata: str) -> Outcome:
    try:
        meta = json.loads(metadata or "{}")
        editing = meta.get("tool") if isinstance(meta, dict) else None
        channel = meta.get("channel") if isinstance(meta, dict) else None
    except json.JSONDecodeError:
        editing, channel = None, None
    errors: dict[str, str] = {}
    fields = _fields(form, context.now.date(), errors, editing=editing is not None)
    name = _form_name(form.name, errors)
    if errors:
        return Outcome(errors=errors)
    command: grammar.Command
    if editing is not None:
        if name and name != editing:
            fields = replace(fields, name=name)
        command = grammar.Edit(name=str(editing), fields=fields)
    else:
        command = grammar.Add(name=name, fields=fields)
    reply = run_parsed(engine, context, command)
    if not reply.ok:
        return Outcome(errors={_field_of(reply): _inline(reply)})
    return Outcome(reply=reply, channel_id=channel if isinstance(channel, str) else None)


def accept_form(engine: Engine, context: Context, finding_id: str) -> dict[str, Any] | Reply:
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.slack_zone
        )
        found = [
            f for f in findings.load_findings(session, workspace, context) if f.id == finding_id
        ]
    if not found:
        return refusal(Rejected("unknown_finding", value=finding_id, suggestion=None))
    metadata = json.dumps({"finding": finding_id, "channel": context.channel_id})
    return render_view("accept_form", finding=found[0], metadata=metadata)


def submit_accept_form(engine: Engine, context: Context, metadata: str, reason: str) -> Outcome:
    try:
        meta = json.loads(metadata or "{}")
        finding_id = str(meta["finding"])
        channel = meta.get("channel")
    except (json.JSONDecodeError, KeyError, TypeError):
        return Outcome(errors={"reason": "This form is out of date: run /stack overlaps again."})
    command: grammar.Command
    try:
        reason = str(options.parse_option("notes", reason, today=context.now.date()) or "")
        if not reason:
            raise Rejected("empty_reason", finding_id=finding_id)
        command = grammar.AcceptFinding(finding_id, reason)
    except Rejected as rejected:
        return Outcome(errors={"reason": _inline(refusal(rejected))})
    reply = run_parsed(engine, context, command)
    if not reply.ok:
        return Outcome(errors={"reason": _inline(reply)})
    return Outcome(reply=reply, channel_id=channel if isinstance(channel, str) else None)


def home_view(engine: Engine, context: Context) -> dict[str, Any]:
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.slack_zone
        )
        picture = findings.stack_picture(session, workspace, context)
        zone = workspace.timezone
    return render_view(
        "home", map=picture.map, per_layer=MAP_TOOLS_PER_LAYER,
        open_findings=picture.open_findings, summary=picture.summary, now=context.now, zone=zone,
    )  # fmt: skip


def overlaps_view(engine: Engine, context: Context) -> dict[str, Any]:
    reply = run_parsed(engine, context, grammar.Overlaps())
    return render_view("overlaps_modal", message=reply.message)


def catalog_options(typed: str) -> dict[str, Any]:
    """Catalog tools whose name or alias starts with or contains what was typed, best first."""
    key = normalise(typed)
    catalog = load_catalog()
    scored = []
    for entry in catalog.entries:
        names = [normalise(n) for n in (entry.name, *entry.aliases)]
        if any(n.startswith(key) for n in names):
            scored.append((0, entry.name.casefold(), entry))
        elif any(key in n for n in names):
            scored.append((1, entry.name.casefold(), entry))
    entries = [entry for _, _, entry in sorted(scored, key=lambda s: s[:2])][:OPTIONS_LIMIT]
    exact = catalog.find(typed) is not None
    typed = typed.strip()[: options.MAX_NAME]
    return render_view(
        "catalog_options", entries=entries, typed=typed if typed and not exact else ""
    )


def _form_name(value: str, errors: dict[str, str]) -> str:
    if value.startswith("catalog:"):
        entry = load_catalog().by_key.get(value.removeprefix("catalog:"))
        if entry is not None:
            return entry.name
    name = value.removeprefix("new:")
    try:
        return options.check_name(name)
    except Rejected as rejected:
        errors["name"] = _inline(refusal(rejected))
        return ""


def _fields(form: ToolForm, today: date, errors: dict[str, str], *, editing: bool) -> ToolFields:
    """The form's fields as a command's options. An empty field is left alone when adding and
    cleared when editing, as the form shows every field's current value."""
    texts = {
        "layer": ",".join(form.layers),
        "caps": ",".join(form.capabilities),
        "vendor": form.vendor,
        "sourcing": form.sourcing,
        "owner": f"<@{form.owner}>" if form.owner else "",
        "backup": f"<@{form.backup}>" if form.backup else "",
        "renews": form.renews,
        "notice": form.notice,
        "notes": form.notes,
    }
    values: dict[str, object] = {}
    for key, text in texts.items():
        attribute = options.KEYS[key]
        if not text.strip():
            # Layers and capabilities are never emptied from the form: a tool keeps at least
            # what it has.
            if editing and key not in {"layer", "caps"}:
                values[attribute] = None
            continue
        try:
            values[attribute] = options.parse_option(key, text, today=today)
        except Rejected as rejected:
            errors[_block(key)] = _inline(refusal(rejected))
    if form.cost.strip():
        try:
            values["cost"] = parse_cost(form.cost, default_currency=form.currency or "USD")
        except Rejected as rejected:
            errors["cost"] = _inline(refusal(rejected))
    elif editing:
        values["cost"] = None
    return ToolFields(**values)  # type: ignore[arg-type]


def _block(key: str) -> str:
    return {"layer": "layers", "caps": "caps"}.get(key, key)


def _field_of(reply: Reply) -> str:
    return FIELD_OF_CODE.get(reply.code or "", "name")


def _inline(reply: Reply) -> str:
    """A refusal as the plain text Slack shows under a form field."""
    return plain(reply.message["text"]).replace("*", "").replace("`", "")[:1900]


@dataclass(frozen=True, slots=True)
class FormRequest:
    name: str | None  # None: the add form; a name: the edit form for that tool


def wants_form(text: str, *, today: date) -> FormRequest | None:
    """`/stack add` alone opens the add form, `/stack edit <tool>` alone the edit form."""
    try:
        command = grammar.parse(text, today=today)
    except Rejected as rejected:
        words = text.split()
        adding = (
            len(words) == 1
            and grammar.SUBCOMMAND_ALIASES.get(words[0].casefold(), words[0].casefold()) == "add"
        )
        return FormRequest(None) if rejected.code == "missing_name" and adding else None
    if isinstance(command, grammar.Edit) and not command.fields.given():
        return FormRequest(command.name)
    return None


def reopen_finding(engine: Engine, context: Context, finding_id: str) -> Reply:
    return run_parsed(engine, context, grammar.ReopenFinding(finding_id))


def review_form(
    engine: Engine, context: Context, value: str, decision: str, where: dict[str, Any]
) -> dict[str, Any] | Reply:
    """The modal behind a reminder's decision buttons: an optional reason, then the decision."""
    try:
        button = json.loads(value)
        tool_id, due = int(button["tool"]), str(button["due"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return refusal(Rejected("stale_button"))
    if decision not in DECISIONS:
        return refusal(Rejected("stale_button"))
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=context.team_id)
        tool = session.get(Tool, tool_id)
        if workspace is None or tool is None or tool.workspace_id != workspace.id:
            return refusal(Rejected("stale_button"))
        name = tool.name
    metadata = json.dumps({"tool": name, "due": due, "decision": decision, **where})
    return render_view("review_form", name=name, decision=decision, metadata=metadata)


def submit_review_form(engine: Engine, context: Context, metadata: str, reason: str) -> Outcome:
    try:
        meta = json.loads(metadata)
        name, due, decision = (
            str(meta["tool"]),
            date.fromisoformat(meta["due"]),
            str(meta["decision"]),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return Outcome(errors={"reason": "This form is out of date: use /stack reviews."})
    command = grammar.Review(name=name, decision=decision, reason=reason.strip() or None)
    try:
        with session_scope(engine) as session:
            workspace = ensure_workspace(session=session, team_id=context.team_id, now=context.now)
            reply = reviews.review(session, workspace, context, command, due=due)
    except Rejected as rejected:
        reply = refusal(rejected)
    if not reply.ok:
        return Outcome(errors={"reason": _inline(reply)})
    channel, ts = meta.get("channel"), meta.get("ts")
    return Outcome(
        reply=reply,
        channel_id=channel if isinstance(channel, str) else None,
        ts=ts if isinstance(ts, str) else None,
    )


def claim_tool(engine: Engine, context: Context, tool_id: int) -> Reply:
    """ "I own this" on a reminder for a tool nobody owns."""
    # Taking a tool nobody owns is open to anyone: that is what the button is for.
    with session_scope(engine) as session:
        workspace = ensure_workspace(session=session, team_id=context.team_id, now=context.now)
        tool = session.get(Tool, tool_id)
        if tool is None or tool.workspace_id != workspace.id or tool.status != ACTIVE:
            return refusal(Rejected("stale_button"))
        if tool.owner_id:
            return refusal(Rejected("already_owned", name=tool.name, owner=tool.owner_id))
        old_name = tool.name
        changes = update_tool(
            session=session, workspace_id=tool.workspace_id, tool=tool,
            values={"owner_id": context.user_id}, actor=context.user_id, action="edit",
            now=context.now,
        )  # fmt: skip
        message = render("tool_edited", tool=tool, old_name=old_name, changes=changes)
    return Reply(message, public=True)
