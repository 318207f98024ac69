"""What every message stackbot sends must satisfy (../shared/SLACK.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100


def assert_valid_message(message: dict[str, Any], *, max_blocks: int = MAX_BLOCKS) -> None:
    assert isinstance(message.get("text"), str)
    assert message["text"].strip(), "a message needs fallback text"
    _assert_valid_blocks(message.get("blocks", []), max_blocks)


def assert_valid_view(view: dict[str, Any]) -> None:
    """A modal or an App Home: up to 100 blocks, and a view Slack's model reads back whole."""
    _assert_valid_blocks(view["blocks"], MAX_VIEW_BLOCKS)
    assert View(**view).to_dict() == view  # titles, submit labels and ids within their limits


def _assert_valid_blocks(blocks: list[dict[str, Any]], max_blocks: int) -> None:
    assert len(blocks) <= max_blocks
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        assert parsed.to_dict() == block, block  # to_dict() validates lengths and drops unknowns
        if block["type"] == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            for field in block.get("fields", []):
                assert len(field["text"]) <= 2000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150


def all_text(message: dict[str, Any]) -> str:
    """Every piece of text in a message, joined, for asserting on what a person reads."""
    parts = [message["text"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks", []))
    return "\n".join(parts)


def mrkdwn_text(message: dict[str, Any]) -> str:
    """The texts Slack parses for mentions: the fallback `text` and every mrkdwn object.
    (plain_text shows `<!channel>` as it is and pings nobody.)"""
    parts = [message["text"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks", []))
    return "\n".join(parts)


MARKERS = "*_~`"
# A marker between two letters or digits is literal in Slack (`channel_not_found`,
# `:rotating_light:`); only one at a word's edge can open or close formatting.
_INTRAWORD = re.compile(r"(?<=[^\W_])[*_~`](?=[^\W_])")


def mrkdwn_texts(node: Any) -> Iterator[str]:
    """Every mrkdwn text object's text, however deep."""
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield node["text"]
        for value in node.values():
            yield from mrkdwn_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn_texts(item)


def assert_markers_pair(text: str) -> None:
    """Each line's formatting markers come in pairs, as stackbot writes its own: none from a
    name is left over to pair with them."""
    for line in _INTRAWORD.sub("", text).split("\n"):
        for marker in MARKERS:
            assert line.count(marker) % 2 == 0, (marker, line)


def assert_no_typed_markers(rendered: dict[str, Any], typed: Iterable[str]) -> None:
    """What people typed (`typed`) reaches no mrkdwn with its formatting characters intact."""
    for text in [rendered.get("text", ""), *mrkdwn_texts(rendered.get("blocks", []))]:
        assert_markers_pair(text)
        for name in typed:
            assert name not in text, (name, text)


# Slack formats `*x*` only when the opening marker starts a word (after a space, the line's
# start or an opening bracket or quote) and the closing one ends it (before a space, the line's
# end or punctuation). A template whose whitespace control swallowed a line break glues them to
# the words around: `…(also MLflow)_side features: …_` shows its underscores as they are.
_OPENS_AFTER = " \t([{“‘\"'>/-—"
_CLOSES_BEFORE = " \t.,;:!?)]}”’\"'…/-—<"
_CODE = re.compile(r"`[^`\n]*`")
# A sentence end glued to the next sentence: `declined by <@UX>.Why: …`.
_GLUED_SENTENCE = re.compile(r"(?<=[^\s.])[.!?](?=[A-Z][a-z]{2})")


def assert_formatting_reads(text: str) -> None:
    """Every line's bold, italics, strike and code open at a word's start and close at its end,
    in pairs, and no sentence runs into the next: what a lost line break breaks."""
    assert not _GLUED_SENTENCE.search(text), ("a line break lost", text)
    for line in text.split("\n"):
        assert line.count("`") % 2 == 0, ("unbalanced code", line)
        bare = _INTRAWORD.sub("", _CODE.sub("", line))
        # An emoji code (`:white_check_mark:`) is not formatting.
        bare = re.sub(r":[a-z0-9_+-]+:", "", bare)
        open_: dict[str, bool] = dict.fromkeys("*_~", False)
        for index, char in enumerate(bare):
            if char not in open_:
                continue
            before = bare[index - 1] if index else " "
            after = bare[index + 1] if index + 1 < len(bare) else " "
            if open_[char]:
                assert after in _CLOSES_BEFORE or after in "*_~", ("closes mid-word", char, line)
                open_[char] = False
            else:
                assert before in _OPENS_AFTER or before in "*_~", ("opens mid-word", char, line)
                assert after not in " \t", ("opens before a space", char, line)
                open_[char] = True
        assert not any(open_.values()), ("left open", line)


def assert_message_reads(rendered: dict[str, Any]) -> None:
    for text in [rendered.get("text", ""), *mrkdwn_texts(rendered.get("blocks", []))]:
        assert_formatting_reads(text)
