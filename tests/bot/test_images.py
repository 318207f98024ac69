"""The pictures as PNG: sizes, real text in every script, and what happens when drawing fails."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli.demo import DEMO_TEAM, run_demo
from core.analysis import analyse
from core.picture import layout
from core.stack import stack_map
from db import open_store
from stack.pictures import RenderError, spend_svg, stack_map_svg, to_png
from stack.rasterise import font_files
from templates.svg import render_svg
from tests import png
from tests.core.analysis.helpers import TODAY
from tests.core.analysis.helpers import tool_in as tool
from tests.core.test_picture import many

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
# One word per script a name may be written in, and the font that must draw it.
SCRIPTS = {
    "Noto Sans": "Straße",
    "Noto Sans CJK TC": "社内ベクトル한국",
    "Noto Sans Arabic": "مرحبا",
    "Noto Sans Hebrew": "שלום",
    "Noto Sans Devanagari": "हिन्दी",
    "Noto Sans Thai": "ภาษาไทย",
    "Noto Emoji": "🚀🔥",
    "Noto Sans Symbols": "→⇄",
}


def word(family: str, text: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60">'
        f'<text x="10" y="40" font-family="{family}" font-size="30">{text}</text></svg>'
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    run_demo(path, now=NOW, out=lambda _: None)
    engine = open_store(f"sqlite:///{path}")
    try:
        svg = stack_map_svg(engine, DEMO_TEAM, NOW)
    finally:
        engine.dispose()
    assert svg is not None
    return svg


@pytest.mark.parametrize("family", sorted(SCRIPTS))
def test_it_has_a_font_that_really_draws_each_script(family: str) -> None:
    drawn = to_png(word(family, SCRIPTS[family]), zoom=1)
    missing = to_png(word(family, "\ue000" * len(SCRIPTS[family])), zoom=1)  # no font has it
    assert png.ink(drawn, (0, 0, 300, 60)) > 100
    assert png.pixels(drawn) != png.pixels(missing)  # glyphs, not the empty boxes of .notdef


def test_it_draws_the_demo_map_at_twice_its_size_with_its_title_in_ink(demo: str) -> None:
    data = to_png(demo)
    width, height = png.size(data)
    assert f'width="{width // 2}"' in demo
    assert f'height="{height // 2}"' in demo
    assert 1400 <= width <= 1800
    assert height < 4000
    assert png.ink(data, (40, 40, 400, 110)) > 2000  # "AI stack map"
    assert len(data) < 600_000


def test_it_draws_a_300_tool_map_at_its_own_size(tmp_path: Path) -> None:
    tools = many(300)
    svg = render_svg("stack_map", picture=layout(stack_map(tools), analyse(tools, today=TODAY)))
    data = to_png(svg)
    width, height = png.size(data)
    assert f'width="{width}"' in svg
    assert height > 2000
    assert len(data) < 1_500_000


def test_it_draws_names_in_every_script_without_the_renderer_failing() -> None:
    names = [
        *SCRIPTS.values(),
        "مرحبا 👩\u200d💻 mixed 社内",
        "a\u200db",
        "Ünïcødé ẞ",
        "e\u0301" * 40,
    ]
    tools = [tool(i + 1, name, [i % 7 + 1], [], cost=10) for i, name in enumerate(names)]
    tools.append(tool(99, "مرحبا 👩\u200d💻 社内 platform", [2, 3, 4]))
    svg = render_svg("stack_map", picture=layout(stack_map(tools), analyse(tools, today=TODAY)))
    width, height = png.size(to_png(svg))
    assert width > 0
    assert height > 0


def test_it_draws_the_spend_chart(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    run_demo(path, now=NOW, out=lambda _: None)
    engine = open_store(f"sqlite:///{path}")
    try:
        svg = spend_svg(engine, DEMO_TEAM, NOW)
        assert stack_map_svg(engine, "TNONE", NOW) is None
    finally:
        engine.dispose()
    assert svg is not None
    data = to_png(svg)
    assert png.size(data) == (1560, int(svg.split('height="')[1].split('"')[0]) * 2)


def test_it_reports_a_picture_it_cannot_draw_as_a_render_error() -> None:
    with pytest.raises(RenderError):
        to_png("<svg")
    with pytest.raises(RenderError):
        to_png("<svg xmlns='http://www.w3.org/2000/svg' width='0' height='0'/>")


def test_it_loads_only_fonts_installed_with_the_project() -> None:
    paths = [Path(p) for p in font_files()]
    assert all(p.is_file() and "site-packages" in str(p) for p in paths)
    assert any("CJK" in p.name for p in paths)
    assert any("Emoji" in p.name for p in paths)


def test_it_gives_up_on_a_drawing_that_takes_too_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stack.pictures.DRAW_SECONDS", 0.001)
    with pytest.raises(RenderError, match="took over"):
        to_png(word("Noto Sans", "slow"))
