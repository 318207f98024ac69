"""The add/edit form, its catalog suggestions, and when `/stack` opens it instead of running."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Engine

from core import grammar, options
from core.catalog import load_catalog
from core.errors import Rejected
from core.layers import LAYER_BY_NUMBER, LAYERS
from core.money import CODES, parse_cost
from core.options import ToolFields
from core.text import normalise
from db.engine import session_scope
from db.tools import cost_of, ensure_workspace
from stack import tools
from stack.base import Context, Reply, refusal
from stack.forms import Outcome, inline
from stack.run import run_parsed
from templates.render import render_view

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
    "ambiguous_amount": "cost", "ambiguous_currency": "cost",
    "far_date": "renews", "bad_date": "renews", "impossible_date": "renews",
    "ambiguous_date": "renews",
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


def tool_form(engine: Engine, context: Context, name: str | None) -> dict[str, Any] | Reply:
    """The add form (no `name`) or the edit form for the tool `name`, or a refusal."""
    metadata = {"channel": context.channel_id, "tool": None}
    # Whether the person is an admin, asked now (the form opens after Slack has its answer) so
    # that the submission, which must answer within 3 s, finds it in the cache.
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.zone
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
        return Outcome(errors={_field_of(reply): inline(reply)})
    return Outcome(reply=reply, channel_id=channel if isinstance(channel, str) else None)


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
        errors["name"] = inline(refusal(rejected))
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
            errors[_block(key)] = inline(refusal(rejected))
    if form.cost.strip():
        try:
            values["cost"] = parse_cost(form.cost, default_currency=form.currency or "USD")
        except Rejected as rejected:
            errors["cost"] = inline(refusal(rejected))
    elif editing:
        values["cost"] = None
    return ToolFields(**values)  # type: ignore[arg-type]


def _block(key: str) -> str:
    return {"layer": "layers", "caps": "caps"}.get(key, key)


def _field_of(reply: Reply) -> str:
    return FIELD_OF_CODE.get(reply.code or "", "name")


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
