"""`stackbot import`, `export` and `import-billing` as a person runs them: `cli.main.main` on a
real SQLite file, output captured (not a terminal, so no progress bar)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli.main import main
from cli.progress import EVERY, Progress

SAMPLES = Path(__file__).parent.parent / "samples"
EXAMPLE = (
    "name,layers,capabilities,vendor,sourcing,cost,currency,period,owner,renews,notice,channel,notes\n"
    "vLLM,inference,,,open-source,1200,USD,month,U0ANA,2027-03-01,30,C0AIINFRA,\n"
    '"Feature Hub",data,feature-store,,build,,,,,,,,"ours, all ours"\n'
)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def test_import_export_and_import_billing_from_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/stack.db")
    monkeypatch.chdir(tmp_path)

    def stackbot(*argv: str) -> Ran:
        code = main(list(argv))
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    stack = tmp_path / "stack.csv"
    stack.write_text(EXAMPLE.replace('ours"\n', 'ours"\nPinecone,,,,,-1,USD,,,,,,\n'))
    refused = stackbot("import", str(stack), "--team", "T1")
    assert refused.returncode == 1
    assert "Nothing was imported from stack.csv" in refused.stdout
    assert "line 4, cost: " in refused.stdout
    stack.write_text(EXAMPLE)
    dry = stackbot("import", str(stack), "--team", "T1", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "2 would be added: vLLM and Feature Hub" in dry.stdout
    done = stackbot("import", str(stack), "--team", "T1")
    assert "2 were added" in done.stdout
    assert "\r" not in done.stderr  # not a terminal: no progress bar
    out = tmp_path / "out.csv"
    exported = stackbot("export", "--team", "T1", "--output", str(out))
    assert exported.returncode == 0
    assert out.read_text().splitlines()[1].startswith("Feature Hub,data,feature-store,")
    yaml_out = stackbot("export", "--team", "T1", "--format", "backstage")
    assert "kind: Component" in yaml_out.stdout
    billed = stackbot(
        "import-billing", str(SAMPLES / "focus_aws.csv"), "--team", "T1")  # fmt: skip
    assert billed.returncode == 0, billed.stdout + billed.stderr
    assert "Amazon Bedrock · Oct 2026: $3,200 → `/stack add “Amazon Bedrock”`" in billed.stdout
    missing = stackbot("export", "--team", "TNONE")
    assert missing.returncode == 1
    # The whole store to one file that opens on its own, with everything the import wrote.
    copy = tmp_path / "copy.db"
    backed = stackbot("backup", str(copy))
    assert backed.returncode == 0, backed.stderr
    assert f"Backed up the store to {copy}" in backed.stdout
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    assert (
        stackbot("export", "--team", "T1", "--output", str(tmp_path / "again.csv")).returncode == 0
    )
    assert (tmp_path / "again.csv").read_text() == out.read_text()
    again = stackbot("backup", str(copy))
    assert again.returncode == 1
    assert "already" in again.stderr
    # Every row into a new store; never into one that holds a team.
    moved = stackbot(
        "copy-store", "--from", f"sqlite:///{copy}", "--to", f"sqlite:///{tmp_path}/moved.db"
    )
    assert moved.returncode == 0, moved.stderr
    assert "Copied" in moved.stdout
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/moved.db")
    assert (
        stackbot("export", "--team", "T1", "--output", str(tmp_path / "moved.csv")).returncode == 0
    )
    assert (tmp_path / "moved.csv").read_text() == out.read_text()
    refused = stackbot(
        "copy-store", "--from", f"sqlite:///{copy}", "--to", f"sqlite:///{tmp_path}/moved.db"
    )
    assert refused.returncode == 1
    assert "never merges" in refused.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_on_a_terminal_only() -> None:
    source = io.BytesIO(b"x" * 1000)
    source.seek(500)
    piped, terminal = io.StringIO(), Terminal()
    for out in (piped, terminal):
        with Progress(1000, source, out=out) as progress:
            for _ in range(EVERY * 2):
                progress(1)
    assert piped.getvalue() == ""
    assert terminal.getvalue().count("\r") == 2
    assert " 50% · 10,000 rows" in terminal.getvalue()
    assert terminal.getvalue().endswith("\n")
