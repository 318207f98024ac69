"""`stackbot import`, `stackbot export` and `stackbot import-billing`: files in and out of a
workspace's stack from the terminal; `stackbot backup` and `stackbot copy-store`: the whole
store to a file, or into another store."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from cli.local import local_zone
from cli.progress import Progress
from core.people import TERMINAL_USER
from core.settings import Settings

if TYPE_CHECKING:
    from stack import Context

# What each command needs is imported when it runs, so that `stackbot --help` stays quick.
COMMANDS = frozenset({"import", "export", "import-billing", "backup", "copy-store"})
FORMATS = ("csv", "json", "backstage")  # stack.transfer.FORMATS; tests/bot/test_cli.py checks
EXIT_OK, EXIT_REJECTED, EXIT_MISUSE = 0, 1, 2


def add_parsers(sub: Any) -> None:
    """The file subcommands, added to `stackbot`'s parser."""
    imp = sub.add_parser("import", help="add and update tools from a CSV, JSON or Backstage file")
    imp.add_argument("file", help="the file (CSV UTF-8, JSON or Backstage YAML)")
    _common(imp)
    exp = sub.add_parser("export", help="write the stack as CSV, JSON or Backstage YAML")
    exp.add_argument("--team", required=True, help="Slack team id")
    exp.add_argument("--format", choices=FORMATS, default="csv", help="default: %(default)s")
    exp.add_argument("--output", help="write to this file instead of standard output")
    bill = sub.add_parser("import-billing", help="read a FOCUS billing export (CSV, .gz, Parquet)")
    bill.add_argument("file", help="the FOCUS file")
    _common(bill)
    copy = sub.add_parser(
        "backup", help="copy a SQLite store to FILE while it serves (PostgreSQL: pg_dump)"
    )
    copy.add_argument("file", help="a new file for the copy")
    move = sub.add_parser(
        "copy-store", help="copy every row of one store into a new one (SQLite or PostgreSQL)"
    )
    move.add_argument("--from", dest="source", required=True, help="the store's URL")
    move.add_argument("--to", dest="target", required=True, help="a new, empty store's URL")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", required=True, help="Slack team id")
    parser.add_argument("--user", default=TERMINAL_USER, help="who the history says did it")
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would change; change nothing"
    )


def run(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    from bot.outbound import make_client
    from bot.slack import email_lookup
    from db import open_store
    from stack import Context
    from stack.reports import import_message, problem_lines
    from stack.transfer import import_stack
    from templates.plain import to_text

    if args.command == "export":
        return _export(args, settings)
    if args.command == "backup":
        return _backup(Path(args.file), settings)
    if args.command == "copy-store":
        return _copy_store(args.source, args.target)
    path = Path(args.file)
    if not path.is_file():
        print(f"stackbot: no such file: {path}", file=sys.stderr)
        return EXIT_MISUSE
    context = Context(team_id=args.team, user_id=args.user, now=now, zone=local_zone())
    if args.command == "import-billing":
        return run_billing_cli(path, context, settings, dry_run=args.dry_run)
    engine = open_store(settings.database_url)
    client = make_client(settings.slack_bot_token, base_url=settings.slack_api_url)
    lookup = email_lookup(client if settings.slack_bot_token else None)
    try:
        with path.open("rb") as binary, Progress(path.stat().st_size, binary) as progress:
            report = import_stack(
                engine, context, binary, dry_run=args.dry_run, lookup=lookup, progress=progress
            )
    finally:
        engine.dispose()
    print(to_text(import_message(report, source=path.name, shown=0)))
    for line in problem_lines(report.problems):
        print(line)
    return EXIT_REJECTED if report.problems else EXIT_OK


def _backup(target: Path, settings: Settings) -> int:
    from core.errors import Rejected
    from db import open_store
    from db.backup import backup
    from stack.base import refusal
    from templates.plain import to_text

    engine = open_store(settings.database_url)
    try:
        made = backup(engine, target)
    except Rejected as rejected:
        print(to_text(refusal(rejected).message), file=sys.stderr)
        return EXIT_REJECTED
    finally:
        engine.dispose()
    print(f"Backed up the store to {made.path} ({made.size:,} bytes).")
    return EXIT_OK


def _copy_store(source_url: str, target_url: str) -> int:
    from core.errors import Rejected
    from db import open_store
    from db.copy import copy_store
    from stack.base import refusal
    from templates.plain import to_text

    # Read as DATABASE_URL is: postgres:// accepted, a bad URL refused without its password.
    source, target = (
        open_store(Settings.from_environ({"DATABASE_URL": url}).database_url)
        for url in (source_url, target_url)
    )
    try:
        copied = copy_store(source, target)
    except Rejected as rejected:
        print(to_text(refusal(rejected).message), file=sys.stderr)
        return EXIT_REJECTED
    finally:
        source.dispose()
        target.dispose()
    print(f"Copied {sum(copied.values()):,} rows in {len(copied)} tables.")
    return EXIT_OK


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from db import open_store
    from stack.transfer import export_stack

    engine = open_store(settings.database_url)
    try:
        text = export_stack(engine, args.team, args.format)
    finally:
        engine.dispose()
    if text is None:
        print(f"stackbot: no stack is stored for team {args.team}", file=sys.stderr)
        return EXIT_REJECTED
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run_billing_cli(path: Path, context: Context, settings: Settings, *, dry_run: bool) -> int:
    from core.errors import Rejected
    from core.importing import Problem
    from db import open_store
    from stack.billing import billing_message, import_billing
    from stack.reports import problem_lines
    from templates.plain import to_text

    if path.suffix.casefold() == ".json":
        try:
            parts = manifest_parts(path)
        except Rejected as rejected:
            for line in problem_lines([Problem.of(rejected, line=0)]):
                print(f"stackbot: {path.name}: {line}", file=sys.stderr)
            return EXIT_REJECTED
    else:
        parts = [path]
    engine = open_store(settings.database_url)
    try:
        with ExitStack() as files:
            binaries = [files.enter_context(part.open("rb")) for part in parts]
            size = sum(part.stat().st_size for part in parts)
            progress = files.enter_context(Progress(size, _Parts(binaries)))
            report = import_billing(engine, context, binaries, dry_run=dry_run, progress=progress)
    finally:
        engine.dispose()
    print(to_text(billing_message(report, source=path.name, shown=0)))
    for line in problem_lines(report.bill.problems):
        print(line)
    if report.bill.problem_count > len(report.bill.problems):
        print(
            f"…and {report.bill.problem_count - len(report.bill.problems):,} more rows like these"
        )
    return 1 if report.bill.problem_count else 0


def manifest_parts(manifest: Path) -> list[Path]:
    """The files an AWS Data Exports manifest lists, found in the export's folder as copied from
    S3 (core.billing.manifest_candidates); files of older deliveries beside them are not read."""
    from core.billing import MANIFEST_MAX_BYTES, manifest_candidates, manifest_files
    from core.errors import Rejected

    root = manifest.resolve().parent
    export = root.parent.parent  # <export>/metadata/<partition>/<name>-Manifest.json
    found = []
    with manifest.open("rb") as file:
        data = file.read(MANIFEST_MAX_BYTES + 1)  # a bigger one is refused, never read whole
    for uri in manifest_files(data):
        candidates = manifest_candidates(uri)
        places = [root / candidates[0]] if candidates else []
        places += [export / c for c in candidates[1:]]
        part = next((p for p in places if p.is_file()), None)
        if part is None:
            raise Rejected("manifest_file_missing", value=uri[:200])
        found.append(part)
    return found


class _Parts:
    """How far through all of a manifest's files the import has read, for the progress bar:
    the files are read in order, so the bytes read are the sum of their positions."""

    def __init__(self, binaries: Sequence[IO[bytes]]) -> None:
        self.binaries = binaries

    def tell(self) -> int:
        return sum(binary.tell() for binary in self.binaries)
