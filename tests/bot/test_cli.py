"""`stackbot` as a person runs it: a real process, a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.slack_checks import assert_valid_message


def stackbot(
    *args: str, cwd: Path, database: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    if database is not None:
        env["DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(Path(__file__).parents[2])},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_runs_the_demo_twice_without_configuration(tmp_path: Path) -> None:
    for _ in range(2):
        result = stackbot("demo", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "AI stack map" in out
    assert "7 · Governance" in out
    assert "thin: no tool’s main job is access-control" in out  # only a side feature of Arize
    assert "Amazon SageMaker" in out
    assert "Weights & Biases" in out  # entities are unescaped for the terminal
    assert "retired TorchServe" in out
    assert (tmp_path / "stackbot-demo.db").exists()


def test_it_exits_0_1_and_2_for_done_refused_and_misuse(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    done = stackbot("cmd", "/stack add vLLM inference", cwd=tmp_path, database=db)
    assert done.returncode == 0, done.stderr
    assert "added vLLM" in done.stdout
    refused = stackbot("cmd", "/stack add vLLM", cwd=tmp_path, database=db)
    assert refused.returncode == 1
    assert "already in the stack" in refused.stdout
    misuse = stackbot("cmd", cwd=tmp_path, database=db)
    assert misuse.returncode == 2
    bad_env = stackbot("cmd", "/stack list", cwd=tmp_path, database=None)
    assert bad_env.returncode == 0  # no DATABASE_URL: a local SQLite file


def test_it_prints_the_slack_message_as_json(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    result = stackbot(
        "cmd", "--json", "--team", "T1", "--user", "U1", "/stack add MLflow", cwd=tmp_path,
        database=db,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["response_type"] == "in_channel"
    assert_valid_message(payload)
    listing = json.loads(stackbot("cmd", "--json", "--team", "T1", "list", cwd=tmp_path,
                                  database=db).stdout)  # fmt: skip
    assert listing["response_type"] == "ephemeral"
    assert "MLflow" in listing["text"] or any("MLflow" in json.dumps(b) for b in listing["blocks"])


def test_it_says_what_is_wrong_with_a_bad_database_url(tmp_path: Path) -> None:
    env_db = tmp_path / "x"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "cmd", "list"],
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": f"mysql://{env_db}",
             "PYTHONPATH": str(Path(__file__).parents[2])},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "DATABASE_URL must be" in result.stderr


def test_it_writes_the_map_as_png_and_svg_files(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from tests import png

    demo = stackbot("demo", "--database", str(tmp_path / "d.db"), cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    out = stackbot(
        "map", "--team", "TDEMO", "--png", "m.png", "--svg", "m.svg",
        cwd=tmp_path, database=tmp_path / "d.db",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert ET.parse(tmp_path / "m.svg").getroot().get("width") == str(
        png.size((tmp_path / "m.png").read_bytes())[0] // 2
    )
    spend = stackbot("map", "--team", "TDEMO", "--spend", "--png", "s.png",
                     cwd=tmp_path, database=tmp_path / "d.db")  # fmt: skip
    assert spend.returncode == 0
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    unknown = stackbot("map", "--team", "TNONE", "--png", "x.png", cwd=tmp_path,
                       database=tmp_path / "d.db")  # fmt: skip
    assert unknown.returncode == 1
    assert "no stack is stored" in unknown.stderr
    assert not (tmp_path / "x.png").exists()
    nowhere = stackbot("map", "--team", "TDEMO", cwd=tmp_path, database=tmp_path / "d.db")
    assert nowhere.returncode == 2
    assert "--png FILE or --svg FILE" in nowhere.stderr
