"""Hostile files are refused with a clear reason, quickly and in bounded memory: YAML aliases,
deep nesting, huge cells, lines and files, gzip bombs, blank-line padding, too many rows."""

from __future__ import annotations

import gzip
import io
import json
import struct
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from core import billing, bounded, stackfile
from core.billing import csv_charges
from core.catalog import load_catalog
from core.errors import Rejected
from core.limits import (
    MAX_BLANK_RUN,
    MAX_CELL,
    MAX_DEPTH,
    MAX_LINE,
    STACK_MAX_BYTES,
    STACK_MAX_ROWS,
    YAML_MAX_DOCUMENT_NODES,
)

SAMPLES = Path(__file__).parents[1] / "samples"
HEADER = b"BilledCost,BillingCurrency,ChargePeriodStart,ServiceName,ServiceCategory\n"
# CRC-32s of the generated gzips' contents, worked out once (bench/hostile.py computes them).
CRC_ONE_LINE, CRC_BLANK_LINES, CRC_EMPTY_ROWS = 0xFCF7D30D, 0x16DDF4D2, 0x77C91D26
ROW = b"12.5,USD,2026-10-01T00:00:00Z,Amazon Bedrock,AI and Machine Learning\n"


@contextmanager
def quick_and_small(seconds: float = 1.0, megabytes: float = 64) -> Iterator[None]:
    """The block finishes within `seconds` and allocates at most `megabytes` at its peak."""
    tracemalloc.start()
    began = time.perf_counter()
    try:
        yield
    finally:
        took = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert took < seconds, f"took {took:.2f} s"
    assert peak < megabytes * 2**20, f"peaked at {peak / 2**20:.0f} MB"


def refusal(read: Callable[[], object]) -> Rejected:
    with pytest.raises(Rejected) as caught:
        read()
    return caught.value


def stack(data: bytes) -> list[tuple[int, dict[str, str]]]:
    return list(stackfile.records(io.BytesIO(data)))


def bill(data: bytes, *, gzipped: bool = False) -> list[tuple[int, dict[str, str], str]]:
    return list(csv_charges(io.BytesIO(data), gzipped=gzipped))


def repeated_gzip(head: bytes, chunk: bytes, times: int, crc: int) -> bytes:
    """A valid gzip of `head` then `chunk` `times` times, built from one compressed chunk: a
    full flush resets the compressor, so every chunk after the first compresses alike. `crc`
    is the CRC-32 of the whole (worked out once; computing it is slower than a test may be)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    size = len(head) + len(chunk) * times
    return b"".join(
        (
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff",
            first,
            block * times,
            compressor.flush(),
            struct.pack("<II", crc, size & 0xFFFFFFFF),
        )
    )


def test_it_refuses_the_billion_laughs_yaml_at_its_first_alias() -> None:
    with quick_and_small():
        refused = refusal(lambda: stack((SAMPLES / "billion_laughs.yaml").read_bytes()))
    assert refused.code == "yaml_alias"
    assert refused.details == {"line": 8, "value": "a"}


def test_it_refuses_a_yaml_date_that_is_no_date_instead_of_failing() -> None:
    refused = refusal(lambda: stack((SAMPLES / "bad_scalars.yaml").read_bytes()))
    assert refused.code == "bad_yaml"


def test_it_refuses_a_yaml_integer_longer_than_python_converts() -> None:
    text = "kind: Component\nmetadata:\n  name: n\n  annotations:\n    stackbot/notice: "
    refused = refusal(lambda: stack((text + "9" * 5_000 + "\n").encode()))
    assert refused.code == "bad_yaml"


@pytest.mark.parametrize(
    "document",
    [
        "kind: Component\nmetadata: " + "[" * 100_000,  # flow, far past Python's recursion
        "kind: Component\nmetadata: " + "[" * 500 + "]" * 500,
        "kind: Component\nmetadata:\n" + "".join(f"{' ' * n}k:\n" for n in range(1, 60)),
    ],
)
def test_it_refuses_yaml_nested_deeper_than_the_cap(document: str) -> None:
    with quick_and_small():
        refused = refusal(lambda: stack(document.encode()))
    assert refused.code == "too_deep"
    assert refused.details["limit"] == MAX_DEPTH


def test_yaml_as_deep_as_the_cap_is_read() -> None:
    # the document, metadata and annotations are three levels
    nested = "[" * (MAX_DEPTH - 3) + "x" + "]" * (MAX_DEPTH - 3)
    text = "kind: Component\nmetadata:\n  name: deep\n  annotations:\n    stackbot/vendor: "
    text += nested
    assert stack(text.encode())[0][1]["vendor"].startswith("[[")


def test_it_refuses_yaml_of_more_nodes_than_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded, "YAML_MAX_NODES", 50)  # the real cap takes seconds to reach
    flat = "kind: Component\nmetadata:\n  name: n\n  tags: [" + "a, " * 60 + "]\n"
    refused = refusal(lambda: stack(flat.encode()))
    assert (refused.code, refused.details) == ("too_many_nodes", {"line": 4, "limit": 50})


def test_one_yaml_document_of_more_nodes_than_an_entity_needs_is_refused() -> None:
    entity = "---\nkind: Component\nmetadata:\n  name: n\n  tags: [a, b]\n"
    assert len(stack((entity * 50).encode())) == 50  # the cap is per document
    huge = entity + "  annotations: {" + ", ".join(f"k{n}: v" for n in range(1_000)) + "}\n"
    refused = refusal(lambda: stack(huge.encode()))
    assert (refused.code, refused.details["limit"]) == ("too_many_nodes", YAML_MAX_DOCUMENT_NODES)


def test_it_refuses_a_yaml_scalar_longer_than_a_cell() -> None:
    text = "kind: Component\nmetadata:\n  name: " + "x" * (MAX_CELL + 1) + "\n"
    assert refusal(lambda: stack(text.encode())).code == "cell_too_long"


@pytest.mark.parametrize("depth", [200, 900, 100_000])
def test_it_refuses_json_nested_deeper_than_the_cap_without_a_recursion_error(depth: int) -> None:
    data = '[{"name": ' + "[" * depth + "]" * depth + "}]"
    with quick_and_small():
        refused = refusal(lambda: stack(data.encode()))
    assert refused.code == "too_deep"


def test_it_refuses_deep_json_even_under_a_deep_call_stack() -> None:
    def down(levels: int) -> Rejected:
        return down(levels - 1) if levels else refusal(lambda: stack(b"[" * 900 + b"]" * 900))

    assert down(800).code == "too_deep"


def test_it_refuses_a_json_string_longer_than_a_cell() -> None:
    data = json.dumps([{"name": "x", "notes": "n" * (MAX_CELL + 1)}]).encode()
    assert refusal(lambda: stack(data)).code == "cell_too_long"


def test_it_refuses_a_json_integer_longer_than_python_converts() -> None:
    assert refusal(lambda: stack(b'[{"name": "x", "notice": ' + b"9" * 5_000 + b"}]")).code == (
        "bad_json"
    )


def test_it_refuses_a_json_file_past_the_size_cap_without_reading_it_all() -> None:
    data = b"[" + b" " * STACK_MAX_BYTES + b"]"
    refused = refusal(lambda: stack(data))
    assert refused.code == "file_too_long"
    assert refused.details["limit"] == STACK_MAX_BYTES


def test_it_refuses_a_stack_csv_line_longer_than_the_cap() -> None:
    data = b"name,notes\nvLLM," + b"x" * (MAX_LINE + 10) + b"\n"
    with quick_and_small():
        refused = refusal(lambda: stack(data))
    assert (refused.code, refused.details["line"]) == ("line_too_long", 2)


def test_a_stack_of_exactly_the_row_cap_is_read_and_one_more_is_refused() -> None:
    rows = b"".join(b"tool-%d,inference\n" % n for n in range(STACK_MAX_ROWS))
    assert len(stack(b"name,layers\n" + rows)) == STACK_MAX_ROWS
    more = rows + b"one-more,inference\n"
    refused = refusal(lambda: stack(b"name,layers\n" + more))
    assert refused.details == {"limit": STACK_MAX_ROWS}


def test_a_json_stack_past_the_row_cap_is_refused() -> None:
    data = json.dumps([{"name": f"t{n}"} for n in range(STACK_MAX_ROWS + 1)]).encode()
    assert refusal(lambda: stack(data)).code == "too_many_rows"


def test_a_yaml_stack_past_the_row_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stackfile, "STACK_MAX_ROWS", 3)  # 10,000 entities take seconds to parse
    entity = "---\nkind: Component\nmetadata:\n  name: t\n"
    assert len(stack((entity * 3).encode())) == 3
    assert refusal(lambda: stack((entity * 4).encode())).code == "too_many_rows"


def test_it_refuses_a_gzip_bill_that_expands_to_two_gigabytes_on_one_line() -> None:
    bomb = repeated_gzip(HEADER + b"1,USD,", b"a" * 2**20, 2048, crc=CRC_ONE_LINE)
    assert len(bomb) < 3 * 2**20
    with quick_and_small(megabytes=16):
        refused = refusal(lambda: bill(bomb, gzipped=True))
    assert (refused.code, refused.details) == ("line_too_long", {"line": 2, "limit": MAX_LINE})


def test_it_refuses_a_gzip_bill_of_two_hundred_megabytes_of_blank_lines() -> None:
    padding = repeated_gzip(HEADER + ROW, b"\n" * 2**20, 200, crc=CRC_BLANK_LINES)
    with quick_and_small():
        refused = refusal(lambda: bill(padding, gzipped=True))
    assert refused.code == "blank_lines"
    assert refused.details["line"] == MAX_BLANK_RUN + 3


def test_it_refuses_a_gzip_bill_of_two_hundred_megabytes_of_empty_rows() -> None:
    padding = repeated_gzip(HEADER + ROW, b",,,,\r\n" * 2**18, 200, crc=CRC_EMPTY_ROWS)
    with quick_and_small():
        refused = refusal(lambda: bill(padding, gzipped=True))
    assert refused.code == "blank_lines"


def test_blank_lines_between_rows_are_still_read() -> None:
    rows = bill(HEADER + ROW + b"\n" * 100 + ROW.replace(b"12.5", b"3"))
    assert [line for line, _, _ in rows] == [2, 103]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut off mid-stream
        lambda data: data[:20] + b"\xff" * 20 + data[40:],  # corrupt deflate data
        lambda data: data[:-8] + b"\x00" * 8,  # a wrong CRC
    ],
)
def test_a_damaged_gzip_bill_is_refused_as_damaged(damage: Callable[[bytes], bytes]) -> None:
    data = gzip.compress(HEADER + ROW * 200)
    refused = refusal(lambda: bill(damage(data), gzipped=True))
    assert refused.code == "bad_gzip"


def test_a_gzip_bill_is_read_like_the_same_bill_in_plain_csv() -> None:
    data = HEADER + ROW * 3
    assert bill(gzip.compress(data), gzipped=True) == bill(data)


def test_lines_refuses_past_the_byte_and_line_caps() -> None:
    def read(data: bytes, **caps: int) -> list[bytes]:
        return list(bounded.lines(io.BytesIO(data), **caps))

    assert read(b"a\nb\n", max_bytes=4, max_lines=2) == [b"a\n", b"b\n"]
    assert refusal(lambda: read(b"a\nb\nc", max_bytes=4, max_lines=9)).code == "file_too_long"
    assert refusal(lambda: read(b"a\nb\nc", max_bytes=9, max_lines=2)).code == "too_many_lines"
    assert read(b"ab\n", max_bytes=9, max_lines=9, max_line=3) == [b"ab\n"]
    too_long = refusal(lambda: read(b"abc\n", max_bytes=9, max_lines=9, max_line=3))
    assert too_long.code == "line_too_long"


def test_a_tags_cell_nested_past_the_recursion_limit_is_no_tag_set() -> None:
    header = HEADER.rstrip(b"\n") + b",Tags\n"
    deep = b'1,USD,2026-10-01,Bedrock,AI and Machine Learning,"{""team"": ' + b"[" * 50_000 + b'"\n'
    matcher = billing.Matcher([billing.Billable(1, "bedrock", None, "team=ml")], load_catalog())
    total = billing.Bill()
    for line, cells, _ in csv_charges(io.BytesIO(header + deep), gzipped=False):
        billing.add_charge(total, matcher, line, cells, today=date(2026, 11, 28))
    assert total.rows == 1
    assert not total.problem_count
