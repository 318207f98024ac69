"""FOCUS 1.0-1.4 as each version defines its columns (https://focus.finops.org/focus-specification/),
and an AWS Data Exports delivery read through its manifest."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from core.billing import manifest_candidates, manifest_files
from core.errors import Rejected
from db.engine import session_scope
from db.models import ActualSpend
from stack import Context
from stack.billing import BillingReport, import_billing
from stack.reports import problem_lines
from tests.conftest import ALICE, NOW, TEAM, Stack

SAMPLES = Path(__file__).parent.parent / "samples"
EXPORT = SAMPLES / "aws_export"
MANIFEST = EXPORT / "metadata" / "BILLING_PERIOD=2026-10" / "focus-Manifest.json"
HEAD = (
    "BilledCost,BillingCurrency,ChargeCategory,ChargeClass,ChargePeriodStart,EffectiveCost,"
    "ServiceProviderName,ServiceCategory,ServiceName\n"
)


def bill(engine: Engine, *files: bytes, dry_run: bool = False) -> BillingReport:
    context = Context(team_id=TEAM, user_id=ALICE, now=NOW)
    return import_billing(
        engine, context, [io.BytesIO(f) for f in files], dry_run=dry_run
    )  # fmt: skip


def stored(engine: Engine) -> list[tuple[str, str, str, int, int | None]]:
    """(provider, currency, service, billed cents, effective cents) per stored total."""
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(ActualSpend).order_by(ActualSpend.provider)).all()
        return [
            (r.provider, r.currency, r.service, r.amount_cents, r.effective_cents) for r in rows
        ]


def test_it_reads_focus_1_3_by_service_provider_with_a_correction_netting_out(
    engine: Engine, stack: Stack
) -> None:
    # FOCUS 1.3 deprecates ProviderName for ServiceProviderName: the file carries both, and
    # they differ (a reseller invoices Acme Cloud's service). A Usage row of ChargeClass
    # Correction takes 200 off; EffectiveCost (900 - 150) is kept beside BilledCost (1200 - 200).
    # HUF is an ISO 4217 code no cost is registered in (not among core.money.CODES).
    report = bill(engine, (SAMPLES / "focus_1_3.csv").read_bytes())
    assert report.applied, problem_lines(report.bill.problems)
    assert stored(engine) == [("Acme Cloud", "HUF", "Acme Inference", 100000, 75000)]


def test_it_reads_focus_1_4_which_has_no_provider_name(engine: Engine, stack: Stack) -> None:
    report = bill(engine, (SAMPLES / "focus_1_4.csv").read_bytes())
    assert report.applied, problem_lines(report.bill.problems)
    assert stored(engine) == [("Acme Cloud", "THB", "Acme Inference", 50000, 45000)]


def test_it_reads_focus_1_0_by_provider_name_with_no_effective_cost_kept_as_unknown(
    engine: Engine, stack: Stack
) -> None:
    # FOCUS 1.0-1.2 name the provider in ProviderName; a gateway's file may leave EffectiveCost
    # out, and one row without it makes the total's effective cost unknown, never partial.
    text = (
        "BilledCost,BillingCurrency,ChargePeriodStart,EffectiveCost,ProviderName,"
        "ServiceCategory,ServiceName\n"
        "10.00,USD,2026-10-01T00:00:00Z,9.00,LiteLLM,AI and Machine Learning,gpt-4o\n"
        "5.00,USD,2026-10-02T00:00:00Z,,LiteLLM,AI and Machine Learning,gpt-4o\n"
    )
    report = bill(engine, text.encode())
    assert report.applied, problem_lines(report.bill.problems)
    assert stored(engine) == [("LiteLLM", "USD", "gpt-4o", 1500, None)]


def test_a_correction_and_its_original_net_out(engine: Engine, stack: Stack) -> None:
    text = HEAD + (
        "80.00,EUR,Usage,,2026-10-01T00:00:00Z,80.00,Acme,AI and Machine Learning,Acme API\n"
        "-80.00,EUR,Usage,Correction,2026-10-01T00:00:00Z,-80.00,Acme,AI and Machine Learning,"
        "Acme API\n"
    )
    report = bill(engine, text.encode())
    assert report.applied, problem_lines(report.bill.problems)
    assert stored(engine) == [("Acme", "EUR", "Acme API", 0, 0)]


def test_it_refuses_a_negative_charge_that_is_no_credit_adjustment_or_correction(
    engine: Engine, stack: Stack
) -> None:
    text = HEAD + "-5.00,USD,Usage,,2026-10-01T00:00:00Z,-5.00,Acme,AI and Machine Learning,X\n"
    report = bill(engine, text.encode())
    assert not report.applied
    [line] = problem_lines(report.bill.problems)
    assert line.startswith("line 2, BilledCost: `-5.00` is negative")
    assert "ChargeClass is `Correction`" in line
    assert stored(engine) == []


@pytest.mark.parametrize(
    ("currency", "effective", "expected"),
    [
        ("XYZ", "1.00", "line 2, BillingCurrency: `XYZ` is not a currency stackbot knows."),
        ("USD", "lots", "line 2, EffectiveCost: `lots` is not a number."),
    ],
)
def test_it_refuses_an_unknown_currency_or_a_bad_effective_cost_and_stores_nothing(
    engine: Engine, stack: Stack, currency: str, effective: str, expected: str
) -> None:
    text = HEAD + f"1.00,{currency},Usage,,2026-10-01T00:00:00Z,{effective},A,Compute,X\n"
    report = bill(engine, text.encode())
    assert not report.applied
    [line] = problem_lines(report.bill.problems)
    assert line.startswith(expected)
    assert stored(engine) == []


def test_a_manifest_lists_its_files_and_where_they_are_found() -> None:
    files = manifest_files(MANIFEST.read_bytes())
    assert [f.rsplit("/", 1)[1] for f in files] == ["focus-00001.csv", "focus-00002.csv"]
    assert manifest_candidates(files[0]) == [
        "focus-00001.csv",
        "data/BILLING_PERIOD=2026-10/focus-00001.csv",
    ]
    assert manifest_candidates("s3://b/../../etc/passwd") == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"[]", "no dataFiles list"),
        (b'{"dataFiles": []}', "no dataFiles list"),
        (b'{"dataFiles": [1]}', "dataFiles is not a list of file names"),
        (b'{"dataFiles": ["a.csv", "a.csv"]}', "a file is listed twice"),
        (b"[" * 100_000, "not JSON"),
    ],
)
def test_a_bad_manifest_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(Rejected) as caught:
        manifest_files(data)
    assert caught.value.code == "bad_manifest"
    assert caught.value.details["reason"] == reason


def test_import_billing_of_a_manifest_reads_only_the_files_of_that_delivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main
    from db import open_store

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/stack.db")
    # focus-old-00001.csv (2,900) sits beside the two listed parts (2,000 + 1,200) as an older
    # delivery's file does: the month is 3,200, however many times the manifest is imported.
    for _ in range(2):
        assert main(["import-billing", str(MANIFEST), "--team", "T1"]) == 0, capsys.readouterr()
        assert "Amazon Bedrock · Oct 2026: $3,200" in capsys.readouterr().out
    engine = open_store(f"sqlite:///{tmp_path}/stack.db")
    try:
        assert stored(engine) == [("AWS", "USD", "Amazon Bedrock", 320000, 300000)]
    finally:
        engine.dispose()
    lost = tmp_path / "metadata" / "p"
    lost.mkdir(parents=True)
    (lost / "x-Manifest.json").write_bytes(MANIFEST.read_bytes())
    assert main(["import-billing", str(lost / "x-Manifest.json"), "--team", "T1"]) == 1
    err = capsys.readouterr().err
    assert "The manifest lists `s3://acme-bills/exports/focus/data/" in err
    assert "nothing was imported" in err
