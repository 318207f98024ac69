"""Reading back the PNGs the pictures are drawn as: size, and pixels (8-bit RGBA, as resvg
writes them), so a test can tell a drawn name from an empty box."""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == SIGNATURE, "not a PNG"
    out, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        out.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return out


def size(data: bytes) -> tuple[int, int]:
    kind, body = chunks(data)[0]
    assert kind == b"IHDR"
    width, height = struct.unpack(">II", body[:8])
    return width, height


def pixels(data: bytes, *, rows_upto: int | None = None) -> list[bytearray]:
    """Rows of RGBA bytes (the first `rows_upto` of them)."""
    header = chunks(data)[0][1]
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (8, 6), "8-bit RGBA expected"
    raw = zlib.decompress(b"".join(body for kind, body in chunks(data) if kind == b"IDAT"))
    stride, rows, previous = width * 4, [], bytearray(width * 4)
    for y in range(min(height, rows_upto or height)):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - 4] if i >= 4 else 0
            up, corner = previous[i], previous[i - 4] if i >= 4 else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        rows.append(line)
        previous = line
    return rows


def ink(data: bytes, box: tuple[int, int, int, int]) -> int:
    """How many pixels in (x0, y0, x1, y1) are dark: text, lines, bars."""
    x0, y0, x1, y1 = box
    count = 0
    for row in pixels(data, rows_upto=y1)[y0:y1]:
        for x in range(x0, x1):
            r, g, b, a = row[4 * x : 4 * x + 4]
            count += a > 128 and r + g + b < 300
    return count
