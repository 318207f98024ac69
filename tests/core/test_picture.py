"""Where the map's bands, boxes and marks go."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from core.analysis import Finding, analyse
from core.picture import OVERLAP_KINDS, layout
from core.picture_shapes import Picture
from core.stack import StackTool, stack_map
from core.text_width import text_width
from tests.core.analysis.helpers import TODAY
from tests.core.analysis.helpers import tool_in as tool


def draw(*tools: StackTool, findings: list[Finding] | None = None) -> Picture:
    found = analyse(tools, today=TODAY) if findings is None else findings
    return layout(stack_map(tools), found)


def many(count: int) -> list[StackTool]:
    """`count` tools spread over the seven layers, a few of them platforms, all costed."""
    out = []
    for i in range(count):
        layers = (i % 7 + 1,) if i % 25 else (2, 5, 6)
        out.append(tool(i + 1, f"Tool {i:03}", layers, cost=100 + i, platform=not i % 25 or None))
    return out


def test_it_draws_an_empty_stack_as_seven_empty_bands_marked_as_gaps() -> None:
    picture = draw()
    assert [b.number for b in picture.bands] == [7, 6, 5, 4, 3, 2, 1]  # governance on top
    assert all(b.empty and b.state == "gap" for b in picture.bands)
    assert picture.boxes == ()
    assert picture.groups == ()
    assert picture.tool_count == 0
    assert picture.title_spend == ""
    assert 600 <= picture.width <= 900
    assert picture.height < 1200


def test_it_puts_each_tool_in_every_band_it_covers_and_a_platform_in_its_own_lane() -> None:
    vllm = tool(1, "vLLM", [2], ["llm-serving"], cost=1500)
    sagemaker = tool(
        2, "SageMaker", [2, 5, 6], ["llm-serving", "model-registry"], cost=9000, platform=True
    )
    picture = draw(vllm, sagemaker)
    platform = [b for b in picture.boxes if b.platform]
    # Inference (2) on its own, MLOps and observability (5, 6) as one box: two runs, one line.
    assert len(platform) == 2
    assert len(picture.connectors) == 1
    band = {b.number: b for b in picture.bands}
    tall = max(platform, key=lambda b: b.h)
    assert tall.y == band[6].content_y
    assert tall.y + tall.h >= band[5].y + band[5].h - 20
    assert all(b.x > max(x.x for x in picture.boxes if not x.platform) for b in platform)


def test_it_marks_the_tools_of_one_overlap_alike_and_lists_the_overlap() -> None:
    a = tool(1, "MLflow", [3], ["experiment-tracking"], cost=100)
    b = tool(2, "Neptune", [3], ["experiment-tracking"], cost=300)
    c = tool(3, "Ray Train", [3], ["distributed-training"])
    findings = analyse([a, b, c], today=TODAY)
    overlaps = [f for f in findings if f.kind in OVERLAP_KINDS]
    picture = layout(stack_map([a, b, c]), findings)
    marked = {box.name[0]: box for box in picture.boxes if box.badges}
    assert set(marked) == {"MLflow", "Neptune"}
    assert {box.colour for box in marked.values()} == {picture.groups[0].colour}
    assert [g.letter for g in picture.groups] == ["A"]
    assert len(overlaps) == 1
    assert picture.groups[0].text.startswith(overlaps[0].reason[:20])


def test_it_does_not_badge_model_apis_or_gpu_clouds_as_paid_twice() -> None:
    # Billed by use: moving traffic between them moves the bill; a group to review, not a badge.
    openai = tool(1, "OpenAI API", [2], ["hosted-model-api"], cost=4000)
    anthropic = tool(2, "Anthropic API", [2], ["hosted-model-api"], cost=3000)
    coreweave = tool(3, "CoreWeave", [1], ["gpu-compute"], cost=40000)
    lambda_ = tool(4, "Lambda", [1], ["gpu-compute"], cost=9000)
    findings = analyse([openai, anthropic, coreweave, lambda_], today=TODAY)
    assert {f.rule for f in findings if f.kind == "duplicate-capability"} == {
        "usage-billed",
        "compute",
    }

    picture = layout(stack_map([openai, anthropic, coreweave, lambda_]), findings)

    assert picture.groups == ()
    assert not any(box.badges for box in picture.boxes)


def test_it_leaves_an_accepted_overlap_and_an_accepted_gap_unmarked() -> None:
    a = tool(1, "MLflow", [3], ["experiment-tracking"])
    b = tool(2, "Neptune", [3], ["experiment-tracking"])
    findings = [replace(f, accepted=True) for f in analyse([a, b], today=TODAY)]
    picture = layout(stack_map([a, b]), findings)
    assert picture.groups == ()
    assert not any(box.badges for box in picture.boxes)
    assert not any(band.state for band in picture.bands)


def test_it_marks_a_thin_layer_named_by_the_analysis() -> None:
    only = tool(1, "Vault", [7], ["access-control"])
    [thin] = [f for f in analyse([only], today=TODAY) if f.kind == "thin-layer"]
    picture = layout(stack_map([only]), [thin])
    assert {b.number: b.state for b in picture.bands}[7] == "thin"


def test_it_shows_owner_and_monthly_cost_in_whole_units() -> None:
    picture = draw(tool(1, "W&B", [3], cost=14000, period="year", owner="UPRIYA"))
    (box,) = picture.boxes
    assert box.detail == ("@UPRIYA · $1,167/mo",)
    named = layout(stack_map([tool(1, "W&B", [3], owner="UPRIYA")]), [], people={"UPRIYA": "priya"})
    assert named.boxes[0].detail == ("@priya",)


def test_it_fits_every_name_in_its_box_whatever_the_script() -> None:
    names = [
        "Weights & Biases Enterprise Edition",
        "社内ベクトルデータベース基盤",
        "منصة البيانات",
        "🚀🔥 Rocket",
        "x" * 80,
    ]
    tools = [tool(i + 1, name, [i % 7 + 1]) for i, name in enumerate(names)]
    for box in draw(*tools).boxes:
        for line in box.name:
            assert text_width(line, 18, bold=True) <= box.w - 20


def test_it_shows_a_large_stack_with_more_boxes_standing_for_what_does_not_fit() -> None:
    tools = many(300)
    picture = draw(*tools)
    assert picture.width <= 1400
    assert picture.height <= 4000
    drawn = Counter(box.name[0] for box in picture.boxes if not box.more)
    more = sum(box.more for box in picture.boxes)
    memberships = sum(len(t.layers) for t in tools)
    platform_boxes = sum(1 for box in picture.boxes if box.platform)
    assert sum(drawn.values()) - platform_boxes + more + 2 * 3 == memberships  # two laned
    # The dearest tools are the ones shown.
    assert "Tool 299" in drawn
    assert "Tool 007" not in drawn


def test_it_widens_the_picture_only_as_the_stack_grows() -> None:
    widths = [draw(*many(n)).width for n in (5, 20, 40, 100, 300)]
    assert widths == sorted(widths)
    assert widths[0] <= 900


def test_a_tool_in_several_layers_that_is_no_platform_gets_a_box_in_each_not_a_lane() -> None:
    mlflow = tool(1, "MLflow", [3, 5, 6], ["experiment-tracking", "model-registry"])
    picture = draw(mlflow)
    assert not any(b.platform for b in picture.boxes)
    assert sum(1 for b in picture.boxes if b.name == ("MLflow",)) == 3


def test_a_box_shows_the_cost_its_band_counts_and_marks_a_tool_nobody_owns() -> None:
    # Main jobs in two layers (training, observability): each band's bar counts half of it.
    caps = ["experiment-tracking", "model-monitoring"]
    both = tool(1, "Tracker", [3, 5], caps, cost=3000, owner=None)
    picture = draw(both)
    # The whole ("of $3,000") is left out where it does not fit; the owner mark never is.
    assert sorted(box.detail for box in picture.boxes) == [("no owner · $1,500/mo",)] * 2
    bars = [bar.label for band in picture.bands for bar in band.bars]
    assert sorted(bars) == ["$1,500", "$1,500"]
    # A platform's box over a run of its bands says what those bands count, and of what.
    lanes = {box.detail for box in layout(stack_map(many(25)), []).boxes if box.platform}
    assert lanes == {("@UALICE", "$33 of $100/mo"), ("@UALICE", "$67 of $100/mo")}
    # In a layer where it has no main job, its cost is counted in the others.
    side = tool(2, "Side", [3, 5], ["experiment-tracking"], cost=1000)
    details = {box.detail for box in draw(side).boxes}
    # (said where there is room; never its cost shown twice)
    assert details in (
        {("@UALICE · $1,000/mo",), ("@UALICE · cost counted elsewhere",)},
        {("@UALICE · $1,000/mo",), ("@UALICE",)},
    )
