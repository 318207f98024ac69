"""The terminal tells the truth: `/stack export` and `import` typed into `stackbot cmd` point
to the terminal's own commands, a closed pipe ends quietly, and no name is broken mid-word."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from templates.plain import to_text


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DATABASE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/s.db")
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("/stack export", "stackbot export --team T0LOCAL [--output FILE]"),
        ("/stack export json", "stackbot export --team T0LOCAL --format json"),
        ("import", "stackbot import FILE --team T0LOCAL [--dry-run]"),
    ],
)
def test_export_and_import_point_to_the_terminal_commands(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], typed: str, said: str
) -> None:
    assert main(["cmd", typed]) == 2
    err = capsys.readouterr().err
    assert said in err
    assert "not a command" not in err


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    environment |= {"PYTHONPATH": str(Path(__file__).parents[2])}
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path}/s.db"
    run = [sys.executable, "-m", "cli.main", "cmd", "/stack help caps"]
    # `| head`, after it has read all it wants: a reader that is gone before the output comes.
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    reader.wait(timeout=10)
    result = subprocess.run(
        run, cwd=tmp_path, stdout=reader.stdin, stderr=subprocess.PIPE, text=True,
        timeout=120, check=False, env=environment,
    )  # fmt: skip
    assert reader.stdin is not None
    reader.stdin.close()
    assert "BrokenPipeError" not in result.stderr
    assert "Traceback" not in result.stderr


def test_the_terminal_never_breaks_a_name_mid_word() -> None:
    text = "Main jobs: " + ", ".join(["experiment-tracking", "model-registry"] * 8)
    message = {
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }
    lines = to_text(message, width=40).split("\n")
    for line in lines:
        for word in line.replace(",", " ").split():
            assert word in text.replace(",", " ").split(), (word, lines)


def test_the_terminal_keeps_a_fields_second_line_under_it_and_words_its_emoji() -> None:
    field = {"type": "mrkdwn", "text": "*Main jobs*\ngpu-compute\n_side features: cpu-compute_"}
    message = {"text": "x", "blocks": [{"type": "section", "fields": [field]}]}
    assert to_text(message) == "  Main jobs: gpu-compute\n    side features: cpu-compute"
    asked = {
        "text": "x",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": ":question: Nothing added yet."}}
        ],
    }
    assert to_text(asked) == "? Nothing added yet."


def test_a_mention_typed_at_the_terminal_is_refused_with_what_to_type_there(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cmd", "--admin", "/stack add vLLM inference owner:@ana"]) == 1
    out = capsys.readouterr().out
    assert "<@U0123ABCD>" in out
    assert main(["cmd", "--admin", "/stack settings digest-channel #ai-infra"]) == 1
    out = capsys.readouterr().out
    assert "<#C0123ABCD>" in out
