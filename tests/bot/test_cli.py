"""`stackbot` as a person runs it: `cli.main.main(argv)` in this process, on a real SQLite file,
and once as a real process (the smoke test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from tests.fake_slack import FakeSlack
from tests.slack_checks import assert_valid_message


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with no Slack settings and a store of the test's own."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DATABASE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/s.db")
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.process
def test_it_runs_the_demo_twice_without_configuration_as_a_process(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "cli.main", "demo"], cwd=tmp_path, capture_output=True,
            text=True, timeout=120, check=False,
            env={**environment, "PYTHONPATH": str(Path(__file__).parents[2])},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "AI stack map" in out
    assert "7 · Governance" in out
    assert "thin: no tool’s main job is access-control" in out  # only a side feature of Arize
    assert "Amazon SageMaker" in out
    assert "Weights & Biases" in out  # entities are unescaped for the terminal
    assert "retired TorchServe" in out
    assert (tmp_path / "stackbot-demo.db").exists()


def test_it_exits_0_1_and_2_for_done_refused_and_misuse(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cmd", "/stack add vLLM inference"]) == 0
    assert "added vLLM" in capsys.readouterr().out
    assert main(["cmd", "/stack add vLLM"]) == 1
    assert "already in the stack" in capsys.readouterr().out
    with pytest.raises(SystemExit) as misuse:
        main(["cmd"])
    assert misuse.value.code == 2
    env.delenv("DATABASE_URL")
    assert main(["cmd", "/stack list"]) == 0  # no DATABASE_URL: a local SQLite file


def test_it_prints_the_slack_message_as_json(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cmd", "--json", "--team", "T1", "--user", "U1", "/stack add MLflow"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["response_type"] == "in_channel"
    assert_valid_message(payload)
    assert main(["cmd", "--json", "--team", "T1", "list"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["response_type"] == "ephemeral"
    assert "MLflow" in json.dumps(listing)


def test_it_says_what_is_wrong_with_a_bad_database_url(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("DATABASE_URL", "mysql://x")
    assert main(["cmd", "list"]) == 2
    assert "DATABASE_URL must be" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "settings", "named"),
    [
        (["serve"], {"SLACK_BOT_TOKEN": "xoxb-test"}, "SLACK_SIGNING_SECRET"),
        (["serve"], {"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_SIGNING_SECRET": "s"},
         "SLACK_BOT_TOKEN"),
        (["serve"], {"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        (["socket"], {"SLACK_BOT_TOKEN": "xoxb-test"}, "SLACK_APP_TOKEN"),
        (["socket"], {"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_APP_TOKEN": "xapp-1"},
         "SLACK_BOT_TOKEN"),
        (["clock"], {"SLACK_BOT_TOKEN": "xoxb-wrong"}, "SLACK_BOT_TOKEN"),
        (["clock"], {}, "SLACK_BOT_TOKEN"),
    ],
    ids=["serve-no-secret", "serve-wrong-token", "serve-no-token", "socket-no-app-token",
         "socket-wrong-token", "clock-wrong-token", "clock-no-token"],
)  # fmt: skip
def test_a_wrong_or_missing_setting_stops_it_in_one_line(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_slack: FakeSlack,
    command: list[str], settings: dict[str, str], named: str,
) -> None:  # fmt: skip
    fake_slack.invalid_tokens.add("xoxb-wrong")
    env.setenv("SLACK_API_URL", fake_slack.url)
    for name, value in settings.items():
        env.setenv(name, value)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line, no traceback
    assert named in err
    assert err.startswith(f"stackbot {command[0]}: ")


def test_it_writes_the_map_as_png_and_svg_files(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import xml.etree.ElementTree as ET

    from tests import png

    assert main(["demo", "--database", str(tmp_path / "d.db")]) == 0
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/d.db")
    assert main(["map", "--team", "TDEMO", "--png", "m.png", "--svg", "m.svg"]) == 0
    assert ET.parse(tmp_path / "m.svg").getroot().get("width") == str(
        png.size((tmp_path / "m.png").read_bytes())[0] // 2
    )
    assert main(["map", "--team", "TDEMO", "--spend", "--png", "s.png"]) == 0
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    capsys.readouterr()
    assert main(["map", "--team", "TNONE", "--png", "x.png"]) == 1
    assert "no stack is stored" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
    assert main(["map", "--team", "TDEMO"]) == 2
    assert "--png FILE or --svg FILE" in capsys.readouterr().err
