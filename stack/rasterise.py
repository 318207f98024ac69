"""SVG in on standard input, PNG out on standard output: `python -m stack.rasterise ZOOM`.

stack.pictures runs this as a child process for every picture. resvg holds Python's interpreter
lock for the whole drawing (measured: another thread ran at 2% of its speed during a 0.65 s
drawing), so drawn in a web worker it would stall that worker's acks to Slack; in a child it
cannot, it runs at the lowest CPU priority, and a crash in the Rust code ends the child, not
the server. It imports nothing of stackbot but this module, so it starts in tens of ms.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def font_files() -> tuple[str, ...]:
    """Every font file the pictures may name, found inside the installed packages: Noto Sans and
    its companions (manimgx-fonts) and Noto Sans CJK (cvttf-NotoSansCJK-Regular)."""
    noto = Path(str(files("manimgx_fonts")))
    cjk = Path(str(files("cvttf_NotoSansCJK_Regular")))
    wanted = [
        *sorted(p for p in noto.iterdir() if p.suffix == ".ttf" and "Italic" not in p.name),
        *sorted(cjk.glob("*.otf")),
    ]
    return tuple(str(p) for p in wanted)


def rasterise(svg: str, zoom: float) -> bytes:
    import resvg_py

    # System fonts are never read, so a picture looks the same on every machine.
    data = resvg_py.svg_to_bytes(
        svg_string=svg,
        skip_system_fonts=True,
        font_files=list(font_files()),
        sans_serif_family="Noto Sans",
        zoom=zoom,
    )
    return bytes(data)


def main(argv: list[str]) -> int:
    if hasattr(os, "nice"):
        os.nice(19)
    try:
        png = rasterise(sys.stdin.buffer.read().decode("utf-8"), float(argv[0]))
    # resvg is Rust: a bug in it surfaces as pyo3's PanicException, a BaseException.
    except BaseException as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
