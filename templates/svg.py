"""Pictures are SVG drawn from templates, like every other word: templates/<name>.svg.j2.

Every value is escaped for XML (`&`, `<`, `>` and both quotes), and characters XML cannot hold
at all (control characters, unpaired surrogates) are dropped, so a tool named
`</text><script>` is drawn as those letters and the file stays well-formed. Text is split into
runs of one script each, every run naming the one bundled font that has its glyphs: the
renderer's own fallback between fonts is unreliable for mixed scripts (Arabic next to Latin came
out as empty boxes), so the template says which font draws what.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from templates.render import TEMPLATES, month_label

BASE_FONT = "Noto Sans"
# (first, last code point, font family); anything else is drawn in BASE_FONT, which covers
# Latin, Greek and Cyrillic.
SCRIPT_FONTS: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "Noto Sans Hebrew"),
    (0xFB1D, 0xFB4F, "Noto Sans Hebrew"),
    (0x0600, 0x06FF, "Noto Sans Arabic"),
    (0x0750, 0x077F, "Noto Sans Arabic"),
    (0x08A0, 0x08FF, "Noto Sans Arabic"),
    (0xFB50, 0xFDFF, "Noto Sans Arabic"),
    (0xFE70, 0xFEFF, "Noto Sans Arabic"),
    (0x0900, 0x097F, "Noto Sans Devanagari"),
    (0x0E00, 0x0E7F, "Noto Sans Thai"),
    (0x2190, 0x21FF, "Noto Sans Symbols"),
    (0x2460, 0x25FF, "Noto Sans Symbols"),
    (0x2600, 0x27BF, "Noto Emoji"),
    (0x2B00, 0x2BFF, "Noto Emoji"),
    (0x1F000, 0x1FAFF, "Noto Emoji"),
    (0x1100, 0x11FF, "Noto Sans CJK TC"),
    (0x2E80, 0x9FFF, "Noto Sans CJK TC"),
    (0xA960, 0xA97F, "Noto Sans CJK TC"),
    (0xAC00, 0xD7FF, "Noto Sans CJK TC"),
    (0xF900, 0xFAFF, "Noto Sans CJK TC"),
    (0xFE30, 0xFE4F, "Noto Sans CJK TC"),
    (0xFF00, 0xFFEF, "Noto Sans CJK TC"),
    (0x20000, 0x3FFFF, "Noto Sans CJK TC"),
)
EMOJI_FONT = "Noto Emoji"
FONT_FAMILIES = (BASE_FONT, *sorted({family for _, _, family in SCRIPT_FONTS}))
# XML 1.0 cannot hold these even escaped. The zero-width joiner is dropped too: the renderer
# crashed on a joined emoji next to right-to-left text, and without it the emoji still show.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff\u200d]")


def font_for(char: str) -> str | None:
    """The family that draws `char`; None for a character that goes with its neighbours
    (spaces, direction marks, combining marks, variation selectors)."""
    if char in " \u200e\u200f" or unicodedata.combining(char) or "\ufe00" <= char <= "\ufe0f":
        return None
    point = ord(char)
    for first, last, family in SCRIPT_FONTS:
        if first <= point <= last:
            return family
    return BASE_FONT


def runs(text: str) -> list[tuple[str, str]]:
    """`text` as (family, part) runs, each drawn by one font."""
    out: list[tuple[str, str]] = []
    for char in _NOT_XML.sub("", text):
        family = font_for(char) or (out[-1][0] if out else BASE_FONT)
        if char == " " and family == EMOJI_FONT:
            family = BASE_FONT  # the emoji font's space is as wide as an emoji
        if out and out[-1][0] == family:
            out[-1] = (family, out[-1][1] + char)
        else:
            out.append((family, char))
    return out


def svg_text(value: Any) -> Markup:
    """A value as the content of an SVG <text>: escaped, one <tspan> per font run."""
    parts = []
    for family, part in runs(str(value)):
        if family == BASE_FONT:
            parts.append(str(escape(part)))
        else:
            parts.append(f'<tspan font-family="{family}, sans-serif">{escape(part)}</tspan>')
    return Markup("".join(parts))


def _number(value: float) -> str:
    """A coordinate, short: 12, 12.5."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(text=svg_text, n=_number, month=month_label)
    return env


def render_svg(template: str, /, **context: Any) -> str:
    """templates/<template>.svg.j2 rendered to an SVG document."""
    return environment().get_template(f"{template}.svg.j2").render(**context)
