"""The terminal shows every emoji code a template writes as a symbol, never as `:code:`."""

from __future__ import annotations

import re
from pathlib import Path

from templates.plain import plain
from templates.render import TEMPLATES

CODE = re.compile(r":[a-z][a-z0-9_]*:")


def test_every_emoji_a_template_writes_reads_as_a_symbol_in_the_terminal() -> None:
    codes = {
        code for path in Path(TEMPLATES).glob("*.j2") for code in CODE.findall(path.read_text())
    }
    assert ":moneybag:" in codes  # the scan sees the templates
    assert {code: plain(code) for code in codes if CODE.search(plain(code))} == {}
