"""Typed refusals: what was wrong with a person's input, as data; templates/ words it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class Notice:
    """Something stackbot read and acted on that a person should hear about: a column it
    ignored, a row it skipped, an owner it left empty, a date already past. Not a refusal:
    nothing is refused for it. `code` picks the wording in templates/; `line` and `column` say
    where, when it comes from a file."""

    code: str
    line: int | None = None
    column: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
