"""Form state from a view submission, as plain values."""

from __future__ import annotations

from typing import Any


def state_value(view: dict[str, Any], block_id: str) -> str | list[str]:
    """The value of the one element in input block `block_id`, whatever its kind; "" if unset.
    https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload"""
    values = view.get("state", {}).get("values", {}).get(block_id, {})
    if not isinstance(values, dict) or not values:
        return ""
    element = next(iter(values.values()))
    if not isinstance(element, dict):
        return ""
    if "selected_options" in element:
        return [str(o.get("value", "")) for o in element.get("selected_options") or []]
    for key in ("selected_option",):
        option = element.get(key)
        if isinstance(option, dict):
            return str(option.get("value", ""))
    for key in ("selected_user", "selected_date", "selected_channel", "value"):
        if element.get(key) is not None:
            return str(element[key])
    return ""


def text_value(view: dict[str, Any], block_id: str) -> str:
    value = state_value(view, block_id)
    return value if isinstance(value, str) else ",".join(value)


def list_value(view: dict[str, Any], block_id: str) -> tuple[str, ...]:
    value = state_value(view, block_id)
    return tuple(value) if isinstance(value, list) else ((value,) if value else ())
