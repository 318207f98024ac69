"""The `stackbot` command: the terminal's way into the same code Slack uses."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.commands import Context, run_command
from bot.commands.findings import load_findings
from bot.demo import run_demo
from bot.terminal import to_text
from core.analysis import Finding
from core.layers import LAYER_BY_NUMBER
from core.settings import Settings, SettingsError
from db import open_store
from db.engine import session_scope
from db.migrate import upgrade
from db.tools import get_workspace, purge_workspace

EXIT_OK, EXIT_REJECTED, EXIT_MISUSE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_environ(os.environ)
    except SettingsError as error:
        print(f"stackbot: {error}", file=sys.stderr)
        return EXIT_MISUSE
    now = datetime.now(UTC)  # the one place the terminal reads the clock
    if args.command == "demo":
        run_demo(Path(args.database), now=now, out=print)
        return EXIT_OK
    if args.command == "migrate":
        upgrade(_engine(settings))
        print("The database is up to date.")
        return EXIT_OK
    if args.command == "cmd":
        return _cmd(args, settings, now)
    if args.command == "overlaps":
        return _overlaps(args, settings, now)
    if args.command == "purge-workspace":
        return _purge(args, settings)
    if args.command in ("serve", "socket"):
        from bot import serve
        from bot.app import ConfigurationError

        try:
            (serve.serve if args.command == "serve" else serve.socket)(settings)
        except ConfigurationError as error:
            print(f"stackbot: {error}", file=sys.stderr)
            return EXIT_MISUSE
        return EXIT_OK
    parser.print_help()
    return EXIT_MISUSE


def _cmd(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    text = " ".join(args.text)
    context = Context(
        team_id=args.team,
        user_id=args.user,
        channel_id=args.channel,
        now=now,
        slack_admin=(lambda: False) if args.member else (lambda: True),
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
    return EXIT_OK if reply.ok else EXIT_REJECTED


def _overlaps(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    engine = _engine(settings)
    try:
        with session_scope(engine) as session:
            workspace = get_workspace(session=session, team_id=args.team)
            if workspace is None:
                print(f"stackbot: no stack is stored for team {args.team}", file=sys.stderr)
                return EXIT_REJECTED
            context = Context(team_id=args.team, user_id="", now=now)
            findings = load_findings(session, workspace, context)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps([finding_json(f) for f in findings], ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            mark = "accepted" if finding.accepted else finding.kind
            print(f"{finding.id:40} {mark:24} {finding.reason}")
    return EXIT_OK


def _purge(args: argparse.Namespace, settings: Settings) -> int:
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
            from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

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
        "accepted": finding.accepted,
        "fingerprint": finding.fingerprint,
    }


def _engine(settings: Settings) -> Engine:
    return open_store(settings.database_url)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stackbot", description="Keep your team's seven-layer AI stack honest."
    )
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
    cmd.add_argument("--user", default="U0LOCAL", help="Slack user id (default: %(default)s)")
    cmd.add_argument("--channel", default=None, help="Slack channel id the command came from")
    cmd.add_argument("--member", action="store_true", help="act as an ordinary member, not admin")
    cmd.add_argument(
        "--json", action="store_true", help="print the Slack message as JSON instead of text"
    )
    overlaps = sub.add_parser("overlaps", help="a workspace's findings (overlaps, gaps, ...)")
    overlaps.add_argument("--team", required=True, help="Slack team id")
    overlaps.add_argument("--json", action="store_true", help="print the findings as JSON")
    sub.add_parser("migrate", help="bring DATABASE_URL's schema up to date")
    sub.add_parser("serve", help="serve the Slack app over HTTP on $PORT (gunicorn)")
    sub.add_parser("socket", help="run the Slack app over Socket Mode (SLACK_APP_TOKEN)")
    purge = sub.add_parser("purge-workspace", help="delete a workspace's stack for good")
    purge.add_argument("team", help="Slack team id")
    purge.add_argument("--yes", action="store_true", help="really delete it")
    return parser


if __name__ == "__main__":
    sys.exit(main())
