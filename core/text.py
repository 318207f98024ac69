"""Small text rules shared by the parser, the catalog and the store."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def normalise(text: str) -> str:
    """The key two spellings of one name share: "Weights & Biases" and "weights&biases".

    Case, width, spaces and punctuation do not count; letters of any script do. A name made only
    of symbols (an emoji) keys on itself, so it is never the empty key.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    key = "".join(ch for ch in folded if ch.isalnum())
    return key or "".join(folded.split())


def nearest(text: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The candidate closest to `text`, compared by their normalised keys, or None."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(normalise(candidate), candidate)
    matches = difflib.get_close_matches(normalise(text), by_key, n=1, cutoff=cutoff)
    return by_key[matches[0]] if matches else None


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200d" for ch in text)
