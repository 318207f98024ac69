"""Every notice (core.errors.Notice) renders as a valid Slack message that says what was done
and what to do about it; a code without wording fails instead of speaking for it."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import UndefinedError

from templates.render import render
from tests.slack_checks import assert_valid_message

NOTICES: dict[str, dict[str, Any]] = {
    "title_rows_skipped": {"line": 4, "rows": [(1, "<!channel> stack"), (2, "Exported")]},
    "columns_ignored": {"line": 4, "columns": ["Contract #", "Cost *centre*"]},
    "total_row_skipped": {"line": 13, "label": "TOTAL"},
    "owner_left_empty": {"line": 6, "value": "ana@example.com", "reason": "email_needs_slack"},
    "renewal_past": {"line": 11, "date": "2026-10-01", "days_ago": 67, "next_year": "2027-10-01"},
}


@pytest.mark.parametrize("code", NOTICES)
def test_every_notice_renders(code: str) -> None:
    message = render("notice", code=code, **NOTICES[code])
    assert_valid_message(message)
    section = message["blocks"][0]["text"]["text"]
    assert "\n" in section  # what was done, then what to do about it
    assert "<!channel>" not in section


def test_a_notice_says_which_columns_it_ignored() -> None:
    message = render("notice", code="columns_ignored", line=4, columns=["Contract #", "Team"])
    assert message["text"] == "Ignored 2 columns stackbot does not keep: `Contract #`, `Team`."


def test_a_past_renewal_outside_a_file_names_no_line() -> None:
    message = render("notice", code="renewal_past", date="2026-10-01", days_ago=1, next_year=None)
    assert message["text"] == "The renewal date 1 Oct 2026 is already past (1 day ago)."


def test_a_code_without_wording_fails() -> None:
    with pytest.raises(UndefinedError):
        render("notice", code="something_new")
