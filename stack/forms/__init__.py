"""The modals: the add/edit form, the accept-a-finding form, the review form, the App Home and
the overlaps view, one module each.

What a form says is checked by the same option parsers and the same handlers as a typed
command, so a form cannot store what `/stack edit` would refuse.
"""

from __future__ import annotations

import re
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
    """A refusal as the plain text Slack shows under a form field: what was wrong and what
    would work (the refusal's first section), on one line."""
    blocks = reply.message.get("blocks") or []
    section = blocks[0].get("text") if blocks and isinstance(blocks[0], dict) else None
    words = section.get("text") if isinstance(section, dict) else None
    text = words if isinstance(words, str) and words else reply.message["text"]
    text = re.sub(r"^:[a-z_]+:\s*", "", text)  # the refusal's emoji: the field is red already
    return " ".join(plain(text).replace("*", "").replace("`", "").split())[:1900]
