"""`stackbot cmd` is a member unless told --admin: the terminal asks for trust, never assumes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import EXIT_OK, EXIT_REJECTED, main


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "s.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    return database


def test_it_refuses_admin_work_without_admin(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cmd", "/stack settings timezone Asia/Tokyo"]) == EXIT_REJECTED
    assert "Only stack admins can change settings" in capsys.readouterr().out
    assert main(["cmd", "/stack settings"]) == EXIT_OK
    assert "Asia/Tokyo" not in capsys.readouterr().out


def test_it_does_admin_work_with_admin(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cmd", "--admin", "/stack settings timezone Asia/Tokyo"]) == EXIT_OK
    assert main(["cmd", "/stack settings"]) == EXIT_OK
    assert "Asia/Tokyo" in capsys.readouterr().out


def test_it_lets_a_member_change_only_what_they_added(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cmd", "--user", "UANA", "/stack add vLLM"]) == EXIT_OK
    assert main(["cmd", "--user", "UBEN", "/stack remove vLLM"]) == EXIT_REJECTED
    assert main(["cmd", "--user", "UBEN", "--admin", "/stack remove vLLM"]) == EXIT_OK
    assert "Retired vLLM." in capsys.readouterr().out
