"""Every refusal an import can give renders as a valid Slack message that says what would work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from templates.render import render
from tests.slack_checks import assert_valid_message

SOURCE = (Path(__file__).parents[2] / "templates" / "transfer_error.json.j2").read_text()
CODES = re.findall(r'"([a-z_]+)"', SOURCE.split("{% set mine = [", 1)[1].split("]", 1)[0])
DETAILS = {
    "value": "<!channel> & \"x\"", "suggestion": "cost", "kind": "excel", "missing": ["name"],
    "found": ["cots", "layrs"], "position": 2, "other": "tool", "expected": 2, "limit": 1000,
    "reason": "bad \"quote\"", "name": "vLLM", "first": 2, "category": "Usage", "size": "6.0 MB",
    "billing": False, "last": 2027, "scope": "files:read", "what": "read the file",
    "provider": "OpenAI", "status": 400, "pages": 200,
}  # fmt: skip


@pytest.mark.parametrize("code", CODES)
def test_every_import_refusal_renders(code: str) -> None:
    message = render("transfer_error", code=code, **DETAILS)
    assert_valid_message(message)
    section = message["blocks"][0]["text"]["text"]
    assert "\n" in section  # a problem, then what would work
    assert "<!channel>" not in section


def test_codes_it_does_not_know_are_worded_as_slash_command_refusals() -> None:
    message = render(
        "transfer_error", code="unknown_layer", value="infrence", suggestion="inference"
    )
    assert message["text"] == "`infrence` is not a layer."


def test_the_billing_option_refusal_renders() -> None:
    message = render("error", code="bad_billing", value="x" * 201, limit=200)
    assert_valid_message(message)
