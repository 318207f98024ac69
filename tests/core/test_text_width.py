"""Measuring and cutting text for the pictures."""

from __future__ import annotations

from core.text_width import ELLIPSIS, fit, text_width, wrap


def test_it_keeps_a_name_that_fits_whole() -> None:
    assert fit("vLLM", 200, 18) == "vLLM"


def test_it_cuts_a_long_name_with_an_ellipsis_to_within_the_width() -> None:
    name = "Amazon SageMaker Unified Studio for Enterprise"
    cut = fit(name, 150, 18, bold=True)
    assert cut.endswith(ELLIPSIS)
    assert name.startswith(cut[:-1].rstrip())
    assert text_width(cut, 18, bold=True) <= 150


def test_it_measures_cjk_and_emoji_wider_than_latin() -> None:
    assert text_width("社内ベクトル", 18) > text_width("abcdef", 18)
    assert text_width("🚀🚀", 18) > text_width("ab", 18)


def test_it_never_cuts_inside_an_emoji_sequence_or_before_a_combining_mark() -> None:
    joined = "👩\u200d💻" * 10
    for width in range(20, 200, 7):
        cut = fit(joined, width, 18)[:-1]
        assert not cut.endswith("\u200d")
        assert cut.count("👩") == cut.count("💻")
    accented = "e\u0301" * 30
    for width in range(20, 200, 7):
        assert not fit(accented, width, 18)[:-1].endswith("e")


def test_it_wraps_at_spaces_and_cuts_the_last_line() -> None:
    lines = wrap("Amazon SageMaker Unified Studio for Enterprise Teams", 150, 18, lines=2)
    assert len(lines) == 2
    assert lines[0] == "Amazon"
    assert lines[1].endswith(ELLIPSIS)
    assert all(text_width(line, 18) <= 150 for line in lines)


def test_it_keeps_the_ellipsis_at_the_end_of_cut_right_to_left_text() -> None:
    cut = fit("منصة البيانات الموحدة للمؤسسة", 120, 18)
    assert cut.endswith(ELLIPSIS + "\u200f")
    assert fit("Weights & Biases Enterprise", 80, 18).endswith(ELLIPSIS)
