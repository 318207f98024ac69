"""Files read with bounds: lines of at most so many bytes, JSON and YAML of at most so many
levels, no YAML aliases, and so many rows. Each bound that is crossed raises Rejected with the
bound, so the person is told what was wrong and what would work; the caps are in core/limits.py.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any, Protocol, TypeVar

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, ScalarEvent
from yaml.nodes import Node
from yaml.resolver import Resolver

from core.errors import Rejected
from core.limits import (
    MAX_BLANK_RUN,
    MAX_CELL,
    MAX_DEPTH,
    MAX_LINE,
    STACK_MAX_BYTES,
    YAML_MAX_DOCUMENT_NODES,
    YAML_MAX_NODES,
)

T = TypeVar("T")

# libyaml's parser is five times as fast as PyYAML's; both hand events to the composer below.
try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]

_EMPTY = b" \t\r\n,;"  # a blank line, or a row of empty cells
_UNREADABLE = (OSError, EOFError, zlib.error)  # what gzip raises for a damaged stream


class Readable(Protocol):
    """A file opened in binary, or a gzip stream."""

    def readline(self, size: int = -1, /) -> bytes: ...


def lines(
    binary: Readable, *, max_bytes: int, max_lines: int, max_line: int = MAX_LINE
) -> Iterator[bytes]:
    """The file's lines, each read up to `max_line` bytes and no further, so a file that is one
    huge line (or a gzip that expands to one) never sits in memory. Refuses past `max_bytes` in
    all, `max_lines` lines, or MAX_BLANK_RUN blank lines (or rows of empty cells) in a row."""
    total = number = blank = 0
    while True:
        try:
            raw = binary.readline(max_line + 1)
        except _UNREADABLE as error:
            raise Rejected("bad_gzip", line=number + 1, reason=str(error)[:100]) from None
        if not raw:
            return
        number += 1
        total += len(raw)
        if len(raw) > max_line:
            raise Rejected("line_too_long", line=number, limit=max_line)
        if total > max_bytes:
            raise Rejected("file_too_long", line=number, limit=max_bytes)
        if number > max_lines:
            raise Rejected("too_many_lines", line=number, limit=max_lines)
        blank = blank + 1 if not raw.strip(_EMPTY) else 0
        if blank > MAX_BLANK_RUN:
            raise Rejected("blank_lines", line=number, limit=MAX_BLANK_RUN)
        yield raw


def gunzipped(binary: IO[bytes]) -> gzip.GzipFile:
    """A gzip stream, decompressed as it is read; `lines` bounds what comes out of it."""
    return gzip.GzipFile(fileobj=binary, mode="rb")


def at_most(items: Iterable[T], limit: int) -> Iterator[T]:
    """The items, refusing the file at the one past `limit`."""
    for count, item in enumerate(items, start=1):
        if count > limit:
            raise Rejected("too_many_rows", limit=limit)
        yield item


def whole(binary: IO[bytes], *, max_bytes: int = STACK_MAX_BYTES) -> str:
    """A file read whole (JSON and YAML are), up to `max_bytes`, as UTF-8 text."""
    data = binary.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Rejected("file_too_long", line=0, limit=max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Rejected("not_utf8", line=data.count(b"\n", 0, error.start) + 1) from None


def json_document(text: str) -> object:
    """A JSON document no deeper than MAX_DEPTH whose strings are cells of at most MAX_CELL."""
    data = json_value(text)
    check_tree(data)
    return data


def json_value(text: str) -> object:
    """The JSON `text` as Python values, a nesting deeper than Python's parser goes refused;
    `check_tree` then bounds its depth and cells (a caller may check its shape first)."""
    try:
        return json.loads(text)
    except RecursionError:  # the C decoder counts its levels against Python's recursion limit
        raise Rejected("too_deep", line=1, limit=MAX_DEPTH) from None
    except ValueError as error:  # also an integer of more digits than Python converts
        raise Rejected("bad_json", line=getattr(error, "lineno", 1)) from None


def check_tree(data: object) -> None:
    """Depth and string lengths, walked without recursion; only containers wait on the stack,
    so a list of millions of numbers costs no memory beyond itself."""
    if isinstance(data, str):
        _check_cell(data)
    stack: list[tuple[list[Any] | dict[Any, Any], int]] = []
    if isinstance(data, list | dict):
        stack.append((data, 1))
    while stack:
        container, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Rejected("too_deep", line=1, limit=MAX_DEPTH)
        children = container.values() if isinstance(container, dict) else container
        for child in children:
            if isinstance(child, str):
                _check_cell(child)
            elif isinstance(child, list | dict):
                stack.append((child, depth + 1))
        if isinstance(container, dict):
            for key in container:  # JSON keys are strings
                _check_cell(key)


def _check_cell(text: str) -> None:
    if len(text) > MAX_CELL:
        raise Rejected("cell_too_long", line=0, limit=MAX_CELL)


class _Loader(Composer, _Parser, SafeConstructor, Resolver):
    """PyYAML's safe loader, composing with bounds: an alias is refused (the "billion laughs"
    file expands a few hundred bytes into billions of nodes through aliases), as are more than
    MAX_DEPTH levels, YAML_MAX_NODES nodes (YAML_MAX_DOCUMENT_NODES in one document), or a
    scalar longer than MAX_CELL."""

    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.depth = 0
        self.nodes = 0
        self.document_nodes = 0

    def compose_document(self) -> Node | None:
        # A document's nodes are all held until it is built: counted per document too, so one
        # huge document is refused early and in little memory.
        self.document_nodes = 0
        return super().compose_document()

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event is not None and event.start_mark else 1
        if isinstance(event, AliasEvent):
            raise Rejected("yaml_alias", line=line, value=str(event.anchor)[:40])
        if isinstance(event, ScalarEvent) and len(event.value) > MAX_CELL:
            raise Rejected("cell_too_long", line=line, limit=MAX_CELL)
        self.nodes += 1
        self.document_nodes += 1
        if self.nodes > YAML_MAX_NODES:
            raise Rejected("too_many_nodes", line=line, limit=YAML_MAX_NODES)
        if self.document_nodes > YAML_MAX_DOCUMENT_NODES:
            raise Rejected("too_many_nodes", line=line, limit=YAML_MAX_DOCUMENT_NODES)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH and not isinstance(event, ScalarEvent):
                raise Rejected("too_deep", line=line, limit=MAX_DEPTH)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def yaml_documents(text: str) -> Iterator[tuple[int, object]]:
    """(line, document) for each YAML document, built with the bounds of `_Loader`."""
    loader = _Loader(text)
    line = 1
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                line = node.start_mark.line + 1
                yield line, loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        at = mark.line + 1 if mark else line
        if "nesting depth" in (error.problem or ""):  # libyaml's own limit, 1,000 flow levels
            raise Rejected("too_deep", line=at, limit=MAX_DEPTH) from None
        raise Rejected("bad_yaml", line=at) from None
    except yaml.YAMLError:
        raise Rejected("bad_yaml", line=line) from None
    except (ValueError, TypeError, OverflowError):
        # The safe constructor's own conversions: `2026-02-31` matches the timestamp pattern and
        # then is no date; an integer of 5,000 digits is more than Python converts.
        raise Rejected("bad_yaml", line=line) from None
    finally:
        loader.dispose()
