"""Records that have gone stale: no owner, or a review overdue."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from core.analysis.model import Draft
from core.profile import Profile


def stale(profiles: Sequence[Profile], today: date) -> Iterator[Draft]:
    for p in profiles:
        tool = p.tool
        if not tool.owner_id:
            # The id stays `owner-t<id>` whichever rule fired, so a decision taken on it holds.
            left = tool.former_owner_id
            yield Draft(
                id=f"owner-t{tool.id}",
                kind="stale-record",
                rule="owner-left" if left else "no-owner",
                layers=tool.layers,
                capabilities=(),
                members=(p,),
                reason=(
                    f"{tool.name} has no owner: its owner (Slack user {left}) left the workspace."
                    if left
                    else f"{tool.name} has no owner."
                ),
                action=f"Give {tool.name} an owner: `/stack edit “{tool.name}” owner:@someone`.",
            )
        if tool.next_review_on is not None and tool.next_review_on < today:
            yield Draft(
                id=f"review-t{tool.id}",
                kind="stale-record",
                rule="review-overdue",
                layers=tool.layers,
                capabilities=(),
                members=(p,),
                reason=f"{tool.name} was due for review on {tool.next_review_on.isoformat()}.",
                action=f"Decide {tool.name}'s review: `/stack review “{tool.name}” keep` "
                "(or renegotiate, replace, retire).",
            )
