"""Overspend said the day it is found: after a bill import or a provider pull, each tool billed
well above its registered cost (core.billing.overspent) in a month the bill covered gets one
letter to the review channel (else the digest channel, else its owner), claimed once per tool
and month (stack.letters.queue) and posted by the clock's next pass (jobs.deliver.retry).
A tool whose registered cost was raised before the import, or that is no longer over, gets none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from core.billing import OVERSPEND_FLOOR, OVERSPEND_RATIO, overspent
from core.money import CENT
from db.engine import session_scope
from db.spend import month_spend
from db.tools import get_workspace
from stack.letters import Letter, queue
from stack.loaded import workspace_tools
from templates.render import Message, render

KIND = "overspend"


@dataclass(frozen=True, slots=True)
class Overspend:
    """The figures an alert shows: `over_by` is `billed` less `registered` as shown (cents)."""

    tool: str
    month: date
    currency: str
    billed: Decimal
    registered: Decimal  # the registered monthly cost, to the cent
    over_by: Decimal
    percent: int  # over_by as a whole percentage of registered, rounded down


def queue_overspend(engine: Engine, team_id: str, months: Iterable[date], *, now: datetime) -> int:
    """Queue an alert for each tool well above its registered cost in `months`; how many were
    newly queued (a tool and month alerted before is not queued again)."""
    letters = []
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=team_id)
        if workspace is None or workspace.id is None:
            return 0
        tools = workspace_tools(session, workspace)
        target = workspace.review_channel or workspace.digest_channel
        for month in sorted(set(months)):
            spend = month_spend(session=session, workspace_id=workspace.id, month=month)
            if spend is None:
                continue
            for tool in tools:
                billed = spend.by_tool.get(tool.id)
                if billed is None or tool.cost is None or not overspent(tool.cost, billed):
                    continue
                found = _figures(tool.name, month, tool.cost.currency, billed, tool.cost.monthly)
                message = overspend_message(found)
                letters.append(
                    Letter(
                        workspace_id=workspace.id,
                        team_id=team_id,
                        key=f"{KIND}:{tool.id}:{month:%Y-%m}",
                        kind=KIND,
                        period=f"{month:%Y-%m}",
                        message=dict(message),
                        target=target,
                        person=tool.owner_id,
                        tool_id=tool.id,
                    )
                )
    return sum(queue(engine, letter, now=now) for letter in letters)


def overspend_message(found: Overspend) -> Message:
    """The alert for one tool and month: billed, registered, and the difference between them."""
    return render(KIND, o=found, ratio=OVERSPEND_RATIO, floor=OVERSPEND_FLOOR)


def _figures(
    name: str, month: date, currency: str, billed: Mapping[str, Decimal], monthly: Decimal
) -> Overspend:
    amount = billed[currency]
    registered = monthly.quantize(CENT)
    over_by = amount - registered
    percent = int(over_by * 100 / registered) if registered else 0
    return Overspend(name, month, currency, amount, registered, over_by, percent)
