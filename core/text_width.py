"""How wide a line of text will be drawn, measured conservatively, and cutting it to fit.

No font is opened here: the widths are upper bounds per character class for the sans-serif
fonts the pictures are drawn in (Noto Sans and its CJK, Arabic and emoji companions), so a
name measured to fit a box never spills out of it, whatever script it is in.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
# Zero-width joiners and variation selectors glue emoji together; a cut must not separate them.
_GLUE = {"\u200d", "\ufe0e", "\ufe0f"}


def char_em(char: str, *, bold: bool = False) -> float:
    """The width of one character in ems, rounded up for its class."""
    if char in _GLUE or unicodedata.combining(char):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F") or _is_emoji(char):
        return 1.05  # CJK ideographs, kana, hangul, full-width forms, emoji
    if char == " ":
        return 0.28
    if char.isupper() or char in "mwMW@%&":
        return 0.78 if bold else 0.72
    if char in "ilj.,:;'|!()[]" or char == "\u200b":
        return 0.32
    return 0.64 if bold else 0.6


def _is_emoji(char: str) -> bool:
    point = ord(char)
    return 0x1F000 <= point <= 0x1FAFF or 0x2600 <= point <= 0x27BF


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """An upper bound on the drawn width of `text` at `size` pixels."""
    return sum(char_em(c, bold=bold) for c in text) * size


def fit(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """`text` as it fits in `width` pixels: whole, or cut with "…" between two characters
    that may be parted (never inside an emoji sequence or before a combining mark)."""
    if text_width(text, size, bold=bold) <= width:
        return text
    room = width - text_width(ELLIPSIS, size, bold=bold)
    used = 0.0
    cut = 0
    for index, char in enumerate(text):
        used += char_em(char, bold=bold) * size
        if used > room:
            break
        if char not in _GLUE and _may_part(text[index + 1 : index + 2]):
            cut = index + 1
    kept = text[:cut].rstrip()
    # After right-to-left text the ellipsis would be drawn at its start; a right-to-left mark
    # keeps it at the end, where the text was cut.
    return kept + ELLIPSIS + ("\u200f" if _ends_rtl(kept) else "")


def _ends_rtl(text: str) -> bool:
    """Whether the last letter of `text` is Arabic or Hebrew (a right-to-left letter)."""
    for char in reversed(text):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _may_part(following: str) -> bool:
    """Whether a cut may fall before `following` (the end of the text, or a new character)."""
    return not following or (following not in _GLUE and not unicodedata.combining(following))


def wrap(text: str, width: float, size: float, *, lines: int, bold: bool = False) -> list[str]:
    """`text` broken at spaces into at most `lines` lines of `width`; the last is cut to fit."""
    out: list[str] = []
    current = ""
    words = text.split(" ")
    for index, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if text_width(trial, size, bold=bold) <= width or not current:
            current = trial
            continue
        out.append(current)
        if len(out) == lines - 1:
            current = " ".join(words[index:])
            break
        current = word
    out.append(fit(current, width, size, bold=bold))
    return [fit(line, width, size, bold=bold) for line in out[:lines]]
