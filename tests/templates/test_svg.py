"""The pictures' SVG: well-formed XML whatever a tool is called, with a font for every script."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from core.analysis import analyse
from core.picture import layout
from core.spend_chart import spend_chart
from core.stack import stack_map
from templates.svg import BASE_FONT, render_svg, runs, svg_text
from tests.core.analysis.helpers import TODAY
from tests.core.analysis.helpers import tool_in as tool

SVG = "{http://www.w3.org/2000/svg}"
NASTY = [
    "</text><script>alert(1)</script>",
    'Tom & "Jerry\'s" <b>',
    "]]><!-- x --><![CDATA[",
    "bell\x07 and\x00nul\x1b",
    "&amp; &#x41; &lt;",
]


def map_of(names: list[str]) -> str:
    tools = [tool(i + 1, name, [i % 7 + 1], cost=100) for i, name in enumerate(names)]
    return render_svg("stack_map", picture=layout(stack_map(tools), analyse(tools, today=TODAY)))


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_it_draws_a_name_trying_to_inject_markup_as_plain_letters() -> None:
    root = ET.fromstring(map_of(NASTY))
    assert root.tag == f"{SVG}svg"
    tags = {node.tag for node in root.iter()}
    assert f"{SVG}script" not in tags
    assert "script" not in tags
    assert f"{SVG}b" not in tags
    drawn = texts(root)
    assert "</text><script>alert(1)</script>"[:15] in "\n".join(drawn)
    assert any(t.startswith('Tom & "Jerry') for t in drawn)
    assert any(t.startswith("&amp; &#x41;") for t in drawn)  # shown as typed, not decoded
    assert any(t.startswith("bell and") for t in drawn)  # control characters dropped


def test_it_draws_an_empty_stack_and_its_spend_chart_as_valid_svg() -> None:
    root = ET.fromstring(map_of([]))
    assert int(root.get("width", 0)) > 600
    assert int(root.get("height", 0)) > 400
    assert sum("nothing here yet" in t for t in texts(root)) == 7
    chart = ET.fromstring(render_svg("spend_chart", chart=spend_chart(stack_map([]))))
    assert any("No tool has a cost yet" in t for t in texts(chart))


def test_it_charts_spend_per_currency_never_mixing_them() -> None:
    tools = [tool(1, "A", [1], cost=900), tool(2, "B", [2], cost=100, currency="EUR")]
    root = ET.fromstring(render_svg("spend_chart", chart=spend_chart(stack_map(tools))))
    drawn = texts(root)
    assert any(t.startswith("USD") and "$900 in all" in t for t in drawn)
    assert any(t.startswith("EUR") and "€100 in all" in t for t in drawn)
    assert sum(t.startswith("$900") and "100%" in t for t in drawn) == 1


def test_it_splits_mixed_scripts_into_runs_each_with_its_font() -> None:
    assert runs("vLLM 社内 مرحبا بكم 🚀 x") == [
        (BASE_FONT, "vLLM "),
        ("Noto Sans CJK TC", "社内 "),
        ("Noto Sans Arabic", "مرحبا بكم "),
        ("Noto Emoji", "🚀"),
        (BASE_FONT, " x"),
    ]
    assert runs("e\u0301") == [(BASE_FONT, "e\u0301")]  # a combining mark stays with its letter


def test_it_names_the_font_of_each_run_in_a_tspan() -> None:
    node = ET.fromstring(f'<text xmlns="http://www.w3.org/2000/svg">{svg_text("a 社 <")}</text>')
    (span,) = list(node)
    assert span.get("font-family", "").startswith("Noto Sans CJK TC")
    assert "".join(node.itertext()) == "a 社 <"
