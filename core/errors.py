"""Typed refusals: what was wrong with a person's input, as data; templates/ words it."""

from __future__ import annotations

from typing import Any


class Rejected(Exception):
    """Input a person gave that stackbot will not act on.

    `code` picks the wording in templates/error.json.j2; `details` fills it in. Nothing has been
    changed when this is raised.
    """

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details

    def __repr__(self) -> str:
        return f"Rejected({self.code!r}, {self.details!r})"
