from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from stack.forms.tool import catalog_options


def tool_name_options(ack: Ack, payload: dict[str, Any]) -> None:
    """Suggestions for the add form's tool field, from the catalog, plus what was typed."""
    ack(**catalog_options(str(payload.get("value") or "")))
