"""How `stackbot` starts: --version, a --help that loads none of the heavy libraries (the CPU
figures are in bench/README.md), and a database that does not answer at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cli.transfer import FORMATS
from tests.bot.server import free_port

ROOT = Path(__file__).parents[2]
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "slack_sdk", "slack_bolt", "jinja2", "gunicorn")


def run(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.run(
        [sys.executable, *argv], env=environment, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def test_it_says_its_version() -> None:
    result = run("-m", "cli.main", "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "stackbot 0.1.0"


def test_help_loads_no_database_slack_or_server_library() -> None:
    probe = (
        "import sys\n"
        "from cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    result = run("-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_the_export_formats_it_offers_are_the_ones_stack_writes() -> None:
    from stack.transfer import FORMATS as WRITTEN

    assert FORMATS == WRITTEN


def test_a_database_that_never_answers_stops_it_in_a_line_a_try(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql://stackbot:hunter2@127.0.0.1:{port}/stackbot"
    result = run("-m", "cli.main", "migrate", DATABASE_URL=url, DATABASE_WAIT_SECONDS="1")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    masked = f"postgresql+psycopg://stackbot:***@127.0.0.1:{port}/stackbot"
    assert len(lines) == 2, result.stderr  # one try, a 1 s wait, the last try: no traceback
    assert lines[0].endswith("; trying again in 1 s")
    assert f"the database at {masked} did not answer (try 1)" in lines[0]
    assert lines[1].startswith(
        f"stackbot migrate: the database at {masked} did not answer (tried 2 times in 1 s)"
    )
    assert "hunter2" not in result.stderr + result.stdout
