"""The tool commands: add, edit, remove, list, show, map, history and help."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core import grammar
from core.catalog import CatalogEntry, load_catalog
from core.errors import Rejected
from core.layers import CAPABILITIES, LAYER_BY_NUMBER, LAYERS, find_layer, layer_names
from core.options import UNSET, ToolFields, Unset, implied_layers
from core.profile import profile
from core.reviews import next_review
from core.text import nearest, normalise
from db import tools as store
from db.models import ACTIVE, RETIRED, Tool, Workspace
from stack.base import Context, Reply, check_people, is_admin, refuse
from stack.loaded import load_stack
from templates.render import render

LIST_LIMIT = 40  # tools in one list reply; the rest are counted and the reader told how to narrow
MAP_TOOLS_PER_LAYER = 8
HISTORY_LIMIT = 20


def put_tool(
    session: Session,
    workspace: Workspace,
    context: Context,
    values: dict[str, Any],
    *,
    existing: Tool | None,
) -> Tool:
    """Add a tool with `values` (columns), its first review due from today; a retired tool of
    the same name (`existing`) is brought back instead, the same row, history and all."""
    assert workspace.id is not None
    values["next_review_on"] = next_review(
        since=context.today(workspace), renews_on=values.get("renews_on"),
        notice_days=values.get("notice_days"),
    )  # fmt: skip
    values["review_cycle_start"] = context.now
    if existing is None:
        return store.add_tool(
            session=session, workspace_id=workspace.id, values=values, actor=context.user_id,
            now=context.now,
        )  # fmt: skip
    values.update(status=ACTIVE, retired_at=None, last_review_on=None)
    store.update_tool(
        session=session, workspace_id=workspace.id, tool=existing, values=values,
        actor=context.user_id, action="restore", now=context.now,
    )  # fmt: skip
    return existing


def add(session: Session, workspace: Workspace, context: Context, command: grammar.Add) -> Reply:
    assert workspace.id is not None
    catalog = load_catalog()
    entry = catalog.find(command.name)
    fields = command.fields
    layers_given = fields.layers is not UNSET or fields.capabilities is not UNSET
    hint: CatalogEntry | None = None
    if entry is None:
        hint = catalog.suggest(command.name)
        asked = None if context.confirmed else did_you_mean(context, command.name, hint)
        if asked is not None:
            return asked
        if not layers_given:
            if hint is not None:
                raise Rejected("misspelt_tool", value=command.name, suggestion=hint.name)
            raise Rejected("unknown_tool_needs_layer", value=command.name)
    name = entry.name if entry else command.name
    existing = store.find_tool(
        session=session,
        workspace_id=workspace.id,
        name_key=normalise(name),
        catalog_key=entry.key if entry else None,
    )
    if existing is not None and existing.status == ACTIVE:
        raise Rejected("tool_exists", name=existing.name)
    refused = check_people(session, workspace, context, fields, owner_id=None)
    if refused is not None:
        return refused
    values = column_values(fields, entry=entry, current=None)
    values.setdefault("name", name)
    values["name_key"] = normalise(values["name"])
    values["catalog_key"] = entry.key if entry else None
    tool = put_tool(session, workspace, context, values, existing=existing)
    message = render(
        "tool_added",
        tool=tool,
        cost=store.cost_of(tool),
        entry=entry,
        given=sorted(fields.given()),
        restored=existing is not None,
        hint=hint,
        actor=context.user_id,
    )
    return Reply(message, public=True)


def edit(session: Session, workspace: Workspace, context: Context, command: grammar.Edit) -> Reply:
    assert workspace.id is not None
    tool = find_tool(session, workspace, command.name)
    if tool.status != ACTIVE:
        raise Rejected("tool_retired", name=tool.name)
    if not command.fields.given():
        raise Rejected("nothing_to_change", name=tool.name)
    if not may_change(session, workspace, context, tool):
        return refuse(
            session, workspace, context, "not_owner", what="edit", name=tool.name,
            owner=tool.owner_id or tool.added_by,
        )  # fmt: skip
    refused = check_people(
        session, workspace, context, command.fields,
        owner_id=tool.owner_id, backup_id=tool.backup_owner_id,
    )  # fmt: skip
    if refused is not None:
        return refused
    values = column_values(command.fields, entry=None, current=tool)
    new_name = values.get("name")
    if new_name is not None:
        clash = store.find_tool(
            session=session, workspace_id=workspace.id, name_key=normalise(new_name)
        )
        if clash is not None and clash.id != tool.id:
            raise Rejected("name_taken", name=new_name, other=clash.name)
        values["name_key"] = normalise(new_name)
    if {"renews_on", "notice_days"} & values.keys():
        since = tool.last_review_on or tool.added_at.date()
        values["next_review_on"] = next_review(
            since=since,
            renews_on=values.get("renews_on", tool.renews_on),
            notice_days=values.get("notice_days", tool.notice_days),
        )
        if values["next_review_on"] != tool.next_review_on:
            # A new due date is a new review cycle: a snooze or decision of the old one ends.
            values["review_cycle_start"] = context.now
    old_name = tool.name
    changed = store.update_tool(
        session=session,
        workspace_id=workspace.id,
        tool=tool,
        values=values,
        actor=context.user_id,
        action="edit",
        now=context.now,
    )
    message = render("tool_edited", tool=tool, old_name=old_name, changes=changed)
    return Reply(message, public=bool(changed))


def remove(
    session: Session, workspace: Workspace, context: Context, command: grammar.Remove
) -> Reply:
    assert workspace.id is not None
    tool = find_tool(session, workspace, command.name)
    if tool.status == RETIRED:
        raise Rejected("already_retired", name=tool.name)
    if not may_change(session, workspace, context, tool):
        return refuse(
            session, workspace, context, "not_owner", what="remove", name=tool.name,
            owner=tool.owner_id or tool.added_by,
        )  # fmt: skip
    store.update_tool(
        session=session,
        workspace_id=workspace.id,
        tool=tool,
        values={"status": RETIRED, "retired_at": context.now},
        actor=context.user_id,
        action="remove",
        now=context.now,
    )
    return Reply(render("tool_removed", tool=tool), public=True)


def did_you_mean(
    context: Context, name: str, hint: CatalogEntry | None, *, verb: str = "add"
) -> Reply | None:
    """A name that looks like a typo (of a catalog tool, or a layer word typed after it) is
    asked about before any record exists: answered with the command corrected, or confirmed as
    typed. None when the name looks meant (nothing near it, or typed in quotes)."""
    said = context.text or f"{verb} “{name}”"
    if any(f"{left}{name}{right}" in said for left, right in ("“”", '""', "''", "‘’")):
        return None  # a name in quotes is meant as typed
    words = name.split()
    meant: str | None = None
    typed = name
    if len(words) > 1 and find_layer(words[-1]) is None:
        layer = nearest(words[-1], layer_names(), cutoff=0.8)
        if layer is not None:
            typed, meant = words[-1], layer.lower()
    if meant is None and hint is not None:
        meant = hint.name
    if meant is None:
        return None
    corrected = _swap(said, typed, meant)
    message = render(
        "did_you_mean", name=name, typed=typed, meant=meant, corrected=corrected, said=said,
        terminal=context.terminal, layer=typed != name, verb=verb,
    )  # fmt: skip
    return Reply(message, ok=False, code="did_you_mean")


def _swap(text: str, typed: str, meant: str) -> str:
    """`text` with its first `typed` (the typo, as typed, in any case) replaced by `meant`."""
    at = text.casefold().find(typed.casefold())
    if at < 0:
        return text
    shown = f"“{meant}”" if " " in meant and text[at - 1 : at] not in ("“", '"') else meant
    return text[:at] + shown + text[at + len(typed) :]


def list_tools(
    session: Session, workspace: Workspace, context: Context, command: grammar.List
) -> Reply:
    assert workspace.id is not None
    page, total = store.page_tools(
        session=session,
        workspace_id=workspace.id,
        status=RETIRED if command.retired else ACTIVE,
        layer=command.layer,
        limit=LIST_LIMIT,
    )
    shown = [(t, store.cost_of(t)) for t in page]
    layer = LAYER_BY_NUMBER[command.layer] if command.layer is not None else None
    message = render("tool_list", tools=shown, total=total, layer=layer, retired=command.retired)
    return Reply(message)


def show(session: Session, workspace: Workspace, context: Context, command: grammar.Show) -> Reply:
    tool = find_tool(session, workspace, command.name)
    entry = load_catalog().by_key.get(tool.catalog_key or "")
    jobs = profile(store.to_stack_tool(tool))
    loaded = load_stack(session, workspace, context.today(workspace))
    actual = loaded.actual
    # Who else does each of its main jobs: the overlap at a glance.
    others = {
        c.capability: [t.name for t in c.primary if t.id != tool.id]
        for layer in loaded.coverage
        for c in layer.capabilities
        if c.capability in jobs.primary
    }
    message = render(
        "tool_show", tool=tool, cost=store.cost_of(tool), entry=entry, zone=workspace.timezone,
        platform=jobs.platform, others=others, workspace=workspace,
        billed=actual.of(tool.id or 0) if actual else None,
        billed_month=actual.month if actual else None,
        primary=sorted(jobs.primary, key=CAPABILITIES.index),
        secondary=sorted(jobs.secondary, key=CAPABILITIES.index),
    )  # fmt: skip
    return Reply(message)


def show_map(
    session: Session, workspace: Workspace, context: Context, command: grammar.Map
) -> Reply:
    if command.image:
        return Reply(render("picture_coming", picture="map"), picture="map")
    loaded = load_stack(session, workspace, context.today(workspace))
    return Reply(
        render(
            "stack_map",
            map=loaded.map,
            coverage=loaded.coverage,
            summary=loaded.summary,
            per_layer=MAP_TOOLS_PER_LAYER,
            actual=loaded.actual,
        )
    )


def history(
    session: Session, workspace: Workspace, context: Context, command: grammar.History
) -> Reply:
    assert workspace.id is not None
    tool = find_tool(session, workspace, command.name) if command.name else None
    events, total = store.list_history(
        session=session,
        workspace_id=workspace.id,
        tool_id=tool.id if tool else None,
        limit=HISTORY_LIMIT,
    )
    message = render("history", events=events, total=total, tool=tool, zone=workspace.timezone)
    return Reply(message)


def help_(session: Session, workspace: Workspace, context: Context, command: grammar.Help) -> Reply:
    return Reply(render("help", topic=command.topic, layers=LAYERS))


def may_change(session: Session, workspace: Workspace, context: Context, tool: Tool) -> bool:
    """Anyone may add a tool; its owner (or, while it has none, whoever added it) and its backup
    owner, who stands in for the owner, may change it; stack admins may change any tool."""
    owner = tool.owner_id or tool.added_by
    if context.user_id in (owner, tool.backup_owner_id):
        return True
    return is_admin(session, workspace, context)


def find_tool(session: Session, workspace: Workspace, name: str) -> Tool:
    """The workspace's tool called `name` (or a catalog alias of it), or a refusal that suggests
    the closest name it does have."""
    assert workspace.id is not None
    entry = load_catalog().find(name)
    tool = store.find_tool(
        session=session,
        workspace_id=workspace.id,
        name_key=normalise(name),
        catalog_key=entry.key if entry else None,
    )
    if tool is None:
        names = store.tool_names(session=session, workspace_id=workspace.id)
        raise Rejected("no_such_tool", value=name, suggestion=nearest(name, names))
    return tool


def column_values(
    fields: ToolFields, *, entry: CatalogEntry | None, current: Tool | None
) -> dict[str, Any]:
    """The column values an add or edit sets: what the person gave wins over the catalog, and
    layers and capabilities stay consistent with each other."""
    values: dict[str, Any] = {}
    layers = None if isinstance(fields.layers, Unset) else fields.layers
    caps = None if isinstance(fields.capabilities, Unset) else fields.capabilities
    known = current or entry
    if layers is not None or caps is not None or entry is not None:
        base = list(layers if layers is not None else known.layers if known else ())
        if caps is None:
            # Keep the capabilities that still fit the layers (all of them when layers are kept).
            fitting = _caps_of(base)
            caps = tuple(c for c in (known.capabilities if known else ()) if c in fitting)
        values["capabilities"] = list(caps)
        values["layers"] = sorted({*base, *implied_layers(caps)})
    if entry is not None:
        values["vendor"] = entry.vendor
        values["sourcing"] = entry.sourcing
    simple = {
        "name": fields.name,
        "vendor": fields.vendor,
        "sourcing": fields.sourcing,
        "renews_on": fields.renews,
        "notice_days": fields.notice_days,
        "notes": fields.notes,
        "platform": fields.platform,
        "billing_match": fields.billing,
    }
    values.update({k: v for k, v in simple.items() if not isinstance(v, Unset)})
    if not isinstance(fields.cost, Unset):
        values.update(store.cost_columns(fields.cost))
    if not isinstance(fields.owner, Unset):
        values["owner_id"] = fields.owner.id if fields.owner else None
        if fields.owner:
            values["former_owner_id"] = None  # someone owns it again
    if not isinstance(fields.backup, Unset):
        values["backup_owner_id"] = fields.backup.id if fields.backup else None
    if not isinstance(fields.channel, Unset):
        values["channel_id"] = fields.channel.id if fields.channel else None
    return values


def _caps_of(layers: list[int]) -> set[str]:
    return {c for n in layers for c in LAYER_BY_NUMBER[n].capabilities}
