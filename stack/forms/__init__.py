"""The modals: the add/edit form, the accept-a-finding form, the review form, the App Home and
the overlaps view, one module each.

What a form says is checked by the same option parsers and the same handlers as a typed
command, so a form cannot store what `/stack edit` would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stack.base import Reply
from templates.plain import plain


@dataclass(frozen=True, slots=True)
class Outcome:
    """A submitted form: errors to show on its fields, or the reply to post where it came from."""

    errors: dict[str, str] = field(default_factory=dict)
    reply: Reply | None = None
    channel_id: str | None = None
    ts: str | None = None  # the message to update in place, when there is one


def inline(reply: Reply) -> str:
    """A refusal as the plain text Slack shows under a form field."""
    return plain(reply.message["text"]).replace("*", "").replace("`", "")[:1900]
