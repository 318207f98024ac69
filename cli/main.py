"""The `stackbot` command: the terminal's way into the same code Slack uses.

Each command imports what it needs when it runs (the database layer, Slack's SDK, the
scheduler, alembic), so that `stackbot --help` and the quick commands start quickly;
bench/README.md has the figures. Only the standard library and the argument parser load here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.costs import COMMANDS as COSTS_COMMANDS
from cli.costs import add_parsers as add_costs_parsers
from cli.local import local_zone
from cli.transfer import COMMANDS as TRANSFER_COMMANDS
from cli.transfer import add_parsers as add_transfer_parsers
from core.people import TERMINAL_USER
from core.settings import Settings, SettingsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from core.analysis import Finding, Summary

EXIT_OK, EXIT_REJECTED, EXIT_MISUSE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """`stackbot …`. Output piped into a reader that stops early (`| head`) ends quietly, as
    the Python docs advise (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    try:
        code = _main(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # Whatever is still buffered would fail again at exit: send it nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return code


def _main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_environ(os.environ)
    except SettingsError as error:
        print(f"stackbot: {error}", file=sys.stderr)
        return EXIT_MISUSE
    from bot.logs import configure

    # The processes that run for a while log at LOG_LEVEL; one-shot commands print their answer
    # and log only warnings.
    long_running = args.command in {"serve", "socket", "clock", "worker", "run-job"}
    configure(settings.log_level if long_running else "WARNING", settings.log_format)
    try:
        return _run(parser, args, settings)
    except Exception as error:
        # Loaded by whichever command opened the store; a database that never answered is one
        # line, not a traceback.
        from db.engine import StoreUnavailable

        if isinstance(error, StoreUnavailable):
            print(f"stackbot {args.command}: {error}", file=sys.stderr)
            return EXIT_REJECTED
        raise


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    now = datetime.now(UTC)  # the one place the terminal reads the clock
    if args.command == "demo":
        from cli.demo import run_demo

        run_demo(Path(args.database), now=now, out=print)
        return EXIT_OK
    if args.command == "migrate":
        from db import open_store

        # Waits for the database as the processes do: a migrate Job may start before it.
        wait, shown = settings.database_wait_seconds, settings.database_shown
        open_store(settings.database_url, wait_seconds=wait, shown=shown).dispose()
        print("The database is up to date.")
        return EXIT_OK
    if args.command == "health":
        return _health(settings, now)
    if args.command == "cmd":
        return _cmd(args, settings, now)
    if args.command == "overlaps":
        return _overlaps(args, settings, now)
    if args.command == "map":
        return _map(args, settings, now)
    if args.command == "purge-workspace":
        return _purge(args, settings)
    if args.command in TRANSFER_COMMANDS:
        from cli.transfer import run as run_transfer

        return run_transfer(args, settings, now)
    if args.command in COSTS_COMMANDS:
        from cli.costs import run as run_costs

        return run_costs(args, settings, now)
    if args.command == "run-job":
        return _run_job(args, settings, now)
    # The server and the scheduler are imported only by the commands that run them, so that
    # `stackbot cmd` starts quickly.
    if args.command in ("serve", "socket", "clock", "worker"):
        return _long_running(args, settings)
    parser.print_help()
    return EXIT_MISUSE


def _long_running(args: argparse.Namespace, settings: Settings) -> int:
    """serve, socket, clock and worker: a token or secret Slack would refuse stops them at once,
    in one line that names the variable."""
    from bot import serve
    from bot.app import ConfigurationError, check_clock_settings
    from bot.outbound import directory
    from db.engine import close_store

    try:
        if args.command == "clock":
            from jobs.clock import run_clock

            check_clock_settings(settings)
            engine = serve.store(settings)
            serve.announce(settings, engine, "running the clock")
            try:
                run_clock(engine, directory(settings, engine))
            finally:
                close_store(engine)  # the last commits into the database file, not only -wal
        elif args.command == "worker":
            from bot.worker import run_worker

            check_clock_settings(settings)  # it answers as the clock posts
            engine = serve.store(settings)
            serve.announce(settings, engine, "running a worker")
            try:
                run_worker(engine, directory(settings, engine))
            finally:
                close_store(engine)
        elif args.with_worker or args.with_clock:
            beside = ["worker"] * args.with_worker + ["clock"] * args.with_clock
            run = serve.serve if args.command == "serve" else serve.socket
            return serve.serve_with(settings, beside, run)
        else:
            (serve.serve if args.command == "serve" else serve.socket)(settings)
    except ConfigurationError as error:
        print(f"stackbot {args.command}: {error}", file=sys.stderr)
        return EXIT_MISUSE
    return EXIT_OK


def _health(settings: Settings, now: datetime) -> int:
    """`stackbot health clock`: 0 when the clock's last pass is recent, 1 otherwise; one line
    either way (a container's healthcheck keeps it in its log)."""
    from db.engine import make_engine
    from stack.health import clock_health

    engine = make_engine(settings.database_url)  # reads only: no migration, no waiting
    try:
        health = clock_health(engine, now)
    finally:
        engine.dispose()
    print(f"clock {'healthy' if health.ok else 'unhealthy'}: {health.reason}")
    return EXIT_OK if health.ok else EXIT_REJECTED


def _cmd(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    from stack import Context, run_command
    from templates.plain import to_text

    text = " ".join(args.text)
    words = text.split()
    if words and words[0] == "/stack":
        words = words[1:]
    if words and words[0].casefold() in ("export", "import", "import-billing"):
        # In Slack these send or ask for a file; the terminal has its own commands for files.
        verb = words[0].casefold()
        fmt = f" --format {words[1]}" if verb == "export" and len(words) > 1 else ""
        usage = {
            "export": f"stackbot export --team {args.team}{fmt} [--output FILE]",
            "import": f"stackbot import FILE --team {args.team} [--dry-run]",
            "import-billing": f"stackbot import-billing FILE --team {args.team} [--dry-run]",
        }[verb]
        print(f"stackbot: in the terminal, `/stack {verb}` is `{usage}`", file=sys.stderr)
        return EXIT_MISUSE
    context = Context(
        team_id=args.team,
        user_id=args.user,
        channel_id=args.channel,
        now=now,
        # Trust is asked for, never assumed: without --admin the terminal is a member.
        slack_admin=args.admin,
        zone=local_zone(),
        terminal=True,
        confirmed=args.confirm,
    )
    engine = _engine(settings)
    try:
        reply = run_command(engine, context, text)
    finally:
        engine.dispose()
    if args.json:
        payload = {
            "response_type": "in_channel" if reply.public else "ephemeral",
            "text": reply.message["text"],
            "blocks": reply.message["blocks"],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(to_text(reply.message))
    if reply.picture is not None:  # Slack gets the file; a terminal writes one
        print("In a terminal: stackbot map --png FILE", file=sys.stderr)
    return EXIT_OK if reply.ok else EXIT_REJECTED


def _overlaps(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    from core.schedule import local_date
    from db.engine import session_scope
    from db.tools import get_workspace
    from stack.loaded import load_stack

    engine = _engine(settings)
    try:
        with session_scope(engine) as session:
            workspace = get_workspace(session=session, team_id=args.team)
            if workspace is None:
                print(f"stackbot: no stack is stored for team {args.team}", file=sys.stderr)
                return EXIT_REJECTED
            loaded = load_stack(session, workspace, local_date(now, workspace.timezone))
            findings, summary = loaded.findings, loaded.summary
    finally:
        engine.dispose()
    if args.json:
        payload = {
            "summary": summary_json(summary),
            "findings": [finding_json(f) for f in findings],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            mark = "accepted" if finding.accepted else finding.kind
            print(f"{finding.id:40} {mark:24} {finding.reason}")
    return EXIT_OK


def _map(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    """`stackbot map`: the map (or the spend chart) as a picture file."""
    from stack import pictures as images  # the renderer and its fonts load only for this command

    if not (args.png or args.svg):
        print("stackbot map: say where to write it: --png FILE or --svg FILE", file=sys.stderr)
        return EXIT_MISUSE
    engine = _engine(settings)
    try:
        draw = images.spend_svg if args.spend else images.stack_map_svg
        svg = draw(engine, args.team, now)
    finally:
        engine.dispose()
    if svg is None:
        print(f"stackbot: no stack is stored for team {args.team}", file=sys.stderr)
        return EXIT_REJECTED
    if args.svg:
        Path(args.svg).write_text(svg, encoding="utf-8")
    if args.png:
        try:
            Path(args.png).write_bytes(images.to_png(svg))
        except images.RenderError as error:
            print(f"stackbot: {error}", file=sys.stderr)
            return EXIT_REJECTED
    print(f"Wrote {' and '.join(str(f) for f in (args.png, args.svg) if f)}.")
    return EXIT_OK


def _run_job(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    from bot.outbound import directory
    from jobs.deliver import retry
    from jobs.digest import run_digests
    from jobs.reviews import run_reviews
    from stack.letters import Letter
    from templates.plain import to_text

    if args.now is not None:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            print(f"stackbot: --now must be an ISO 8601 time, not {args.now!r}", file=sys.stderr)
            return EXIT_MISUSE
        if now.tzinfo is None:
            print("stackbot: --now needs a time zone, like 2026-11-30T09:00+01:00", file=sys.stderr)
            return EXIT_MISUSE

    def show(letter: Letter) -> None:
        print(f"\n--- would post {letter.key} to {letter.target or 'nobody (no channel set)'}")
        print(to_text(letter.message))

    if not args.dry_run and not (settings.slack_bot_token or settings.slack_client_id):
        print(
            "stackbot: posting needs SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET",
            file=sys.stderr,
        )
        return EXIT_MISUSE
    engine = _engine(settings)
    try:
        slack = directory(settings, engine)
        dry = show if args.dry_run else None
        if args.job == "reviews":
            count = run_reviews(engine, slack, now, team_id=args.team, dry_run=dry)
        else:
            count = run_digests(engine, slack, now, team_id=args.team, dry_run=dry, pictures=True)
        if not args.dry_run:  # what failed before, or a killed clock left half done
            kind = "reminder" if args.job == "reviews" else "digest"
            count += retry(engine, slack, now=now, team_id=args.team, kind=kind)
    finally:
        engine.dispose()
    verb = "would post" if args.dry_run else "posted"
    print(f"{args.job}: {verb} {count} {'message' if count == 1 else 'messages'}")
    return EXIT_OK


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    from db.engine import session_scope
    from db.tools import get_workspace, purge_workspace

    engine = _engine(settings)
    try:
        with session_scope(engine) as session:
            if not args.yes:
                workspace = get_workspace(session=session, team_id=args.team)
                if workspace is None:
                    print(f"stackbot: no stack is stored for team {args.team}", file=sys.stderr)
                    return EXIT_REJECTED
                print(f"This deletes team {args.team}'s stack, history and decisions for good.")
                print(f"Run again with --yes to do it: stackbot purge-workspace {args.team} --yes")
                return EXIT_MISUSE
            counts = purge_workspace(session=session, team_id=args.team)
        if settings.slack_client_id:
            store = SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)
            store.delete_all(enterprise_id=None, team_id=args.team)
    finally:
        engine.dispose()
    if counts is None:
        print(f"stackbot: no stack is stored for team {args.team}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"Purged team {args.team}: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return EXIT_OK


def finding_json(finding: Finding) -> dict[str, Any]:
    """One finding as the JSON `stackbot overlaps --json` prints (schema in the README)."""
    from core.layers import LAYER_BY_NUMBER

    return {
        "id": finding.id,
        "kind": finding.kind,
        "rule": finding.rule,
        "layers": [LAYER_BY_NUMBER[n].key for n in finding.layers],
        "capabilities": list(finding.capabilities),
        "tools": [{"id": t.id, "name": t.name} for t in finding.tools],
        "monthly_cost": {k: str(v) for k, v in finding.monthly_cost.items()},
        "potential_saving": {k: str(v) for k, v in finding.potential_saving.items()},
        "saving_basis": finding.saving_basis,
        "reason": finding.reason,
        "action": finding.action,
        "redundant": [{"id": t.id, "name": t.name} for t in finding.redundant],
        "keep": {"id": finding.keep.id, "name": finding.keep.name} if finding.keep else None,
        "keepers": [{"id": t.id, "name": t.name} for t in finding.keepers],
        "yearly_saving": {k: str(v) for k, v in finding.yearly_saving.items()},
        "decide_by": finding.decide_by.isoformat() if finding.decide_by else None,
        "group": finding.group,
        "accepted": finding.accepted,
        "fingerprint": finding.fingerprint,
    }


def summary_json(summary: Summary) -> dict[str, Any]:
    """The stack's summary in `stackbot overlaps --json` (schema in the README)."""
    return {
        "avoidable_spend": {k: str(v) for k, v in summary.avoidable.items()},
        "monthly_spend": {k: str(v) for k, v in summary.spend.items()},
        "redundant_tools": [{"id": t.id, "name": t.name} for t in summary.redundant],
        "avoidable_yearly": {k: str(v) for k, v in summary.yearly.items()},
        "realisable_by": summary.realisable_by.isoformat() if summary.realisable_by else None,
        "undated_tools": summary.undated,
        "tidy_tools": [{"id": t.id, "name": t.name} for t in summary.tidy],
        "open_findings": summary.open,
        "open_by_kind": dict(summary.counts),
    }


def _engine(settings: Settings) -> Engine:
    from db import open_store

    return open_store(settings.database_url, shown=settings.database_shown)


class _Version(argparse.Action):
    """argparse's own version action wants the text up front: reading the package's metadata
    costs every command a little, so it is read only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from core.version import stackbot_version

        print(f"stackbot {stackbot_version()}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stackbot", description="Keep your team's seven-layer AI stack honest."
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="load an example stack and show it (no Slack needed)")
    demo.add_argument(
        "--database",
        default="stackbot-demo.db",
        help="SQLite file for the example stack, made anew each run (default: %(default)s)",
    )
    cmd = sub.add_parser("cmd", help="run one /stack command against DATABASE_URL")
    cmd.add_argument("text", nargs="+", help='the command, e.g. "/stack add vLLM inference"')
    cmd.add_argument("--team", default="T0LOCAL", help="Slack team id (default: %(default)s)")
    cmd.add_argument("--user", default=TERMINAL_USER, help="Slack user id (default: %(default)s)")
    cmd.add_argument("--channel", default=None, help="Slack channel id the command came from")
    cmd.add_argument(
        "--confirm",
        action="store_true",
        help="add a tool under the name as typed, though it looks like a typo of a known one",
    )
    cmd.add_argument(
        "--admin", action="store_true", help="act as a stack admin (default: an ordinary member)"
    )
    cmd.add_argument(
        "--json", action="store_true", help="print the Slack message as JSON instead of text"
    )
    overlaps = sub.add_parser("overlaps", help="a workspace's findings (overlaps, gaps, ...)")
    overlaps.add_argument("--team", required=True, help="Slack team id")
    overlaps.add_argument("--json", action="store_true", help="print the findings as JSON")
    pic = sub.add_parser("map", help="the seven-layer map (or --spend) as a PNG or SVG file")
    pic.add_argument("--team", default="T0LOCAL", help="Slack team id (default: %(default)s)")
    pic.add_argument("--png", metavar="FILE", help="write the picture as PNG")
    pic.add_argument("--svg", metavar="FILE", help="write the picture as SVG")
    pic.add_argument("--spend", action="store_true", help="the spend per layer, not the map")
    sub.add_parser("migrate", help="bring DATABASE_URL's schema up to date")
    serve = sub.add_parser("serve", help="serve the Slack app over HTTP on $PORT (gunicorn)")
    socket = sub.add_parser("socket", help="run the Slack app over Socket Mode (SLACK_APP_TOKEN)")
    for web in (serve, socket):
        web.add_argument(
            "--with-worker", action="store_true", help="also run a worker (one host, small team)"
        )
        web.add_argument(
            "--with-clock", action="store_true", help="also run the clock (one host, small team)"
        )
    sub.add_parser("worker", help="run slash commands the web process recorded, and answer them")
    sub.add_parser("clock", help="run the scheduler: reminders, digests and retries")
    job = sub.add_parser("run-job", help="run one pass of a job by hand")
    job.add_argument("job", choices=["reviews", "digest"])
    job.add_argument("--now", help="the time to run it at, ISO 8601 with a zone (default: now)")
    job.add_argument("--team", help="only this Slack team id")
    job.add_argument(
        "--dry-run", action="store_true", help="print what would be posted; post nothing"
    )
    health = sub.add_parser("health", help="is a process healthy? exit 0 if so, 1 if not")
    health.add_argument("process", choices=["clock"], help="clock: its last pass is recent")
    purge = sub.add_parser("purge-workspace", help="delete a workspace's stack for good")
    purge.add_argument("team", help="Slack team id")
    purge.add_argument("--yes", action="store_true", help="really delete it")
    add_transfer_parsers(sub)
    add_costs_parsers(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
