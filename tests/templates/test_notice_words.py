"""Every notice (core.errors.Notice) is worded by templates/_notices.j2: what was done, and
what to do about it; a code without wording fails instead of speaking for it."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from core.errors import Notice
from templates.render import environment

NOTICES = [
    Notice("title_rows_skipped", 4, None, {"rows": [(1, "<!channel> stack"), (2, "Exported")]}),
    Notice("columns_ignored", 4, None, {"columns": ["Contract #", "Team"]}),
    Notice("total_row_skipped", 13, None, {"label": "TOTAL"}),
    Notice("owner_left_empty", 6, "owner",
           {"value": "ana@example.com", "reason": "email_needs_slack"}),
    Notice("renewal_past", 11, "renews",
           {"date": "2026-10-01", "days_ago": 67, "next_year": "2027-10-01"}),
]  # fmt: skip


def words(notice: Notice) -> tuple[str, str]:
    source = '{% import "_notices.j2" as w %}{{ w.said(n) }}\n{{ w.next(n) }}'
    said, next_step = environment().from_string(source).render(n=notice).split("\n")
    return said, next_step


@pytest.mark.parametrize("notice", NOTICES, ids=[n.code for n in NOTICES])
def test_every_notice_says_what_was_done_and_what_to_do(notice: Notice) -> None:
    said, next_step = words(notice)
    assert said
    assert next_step
    assert "<!channel>" not in said


def test_it_names_every_column_it_ignored() -> None:
    said, _ = words(NOTICES[1])
    assert said == "Ignored 2 columns stackbot does not keep: `Contract #`, `Team`."


def test_a_past_renewal_outside_a_file_names_no_line() -> None:
    notice = Notice(
        "renewal_past", details={"date": "2026-10-01", "days_ago": 1, "next_year": None}
    )
    assert words(notice) == (
        "The renewal date 1 Oct 2026 is already past (1 day ago).",
        "If the contract renewed, give its next date; reminders are timed from it.",
    )


def test_a_code_without_wording_fails() -> None:
    with pytest.raises(UndefinedError):
        words(Notice("something_new"))
