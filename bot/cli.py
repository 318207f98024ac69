"""The `stackbot` command: the terminal's way into the same code Slack uses."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.commands import Context, run_command
from bot.demo import run_demo
from bot.terminal import to_text
from core.settings import Settings, SettingsError
from db import open_store
from db.migrate import upgrade

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
    parser.print_help()
    return EXIT_MISUSE


def _cmd(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    text = " ".join(args.text)
    context = Context(
        team_id=args.team,
        user_id=args.user,
        channel_id=args.channel,
        now=now,
        admin=not args.member,
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


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
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
    sub.add_parser("migrate", help="bring DATABASE_URL's schema up to date")
    return parser


if __name__ == "__main__":
    sys.exit(main())
