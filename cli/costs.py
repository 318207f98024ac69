"""`stackbot pull-costs`: OpenAI's and Anthropic's costs for last month and this month, pulled
with the admin keys in the environment and stored as actual spend (the clock does it daily)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from core.settings import Settings

COMMANDS = frozenset({"pull-costs"})
EXIT_OK, EXIT_REJECTED, EXIT_MISUSE = 0, 1, 2


def add_parsers(sub: Any) -> None:
    pull = sub.add_parser(
        "pull-costs", help="store OpenAI's and Anthropic's costs as actual spend (admin keys)"
    )
    pull.add_argument("--team", help="Slack team id (default: COSTS_TEAM)")
    pull.add_argument("--user", default="U0LOCAL", help="who the history says did it")
    pull.add_argument(
        "--dry-run", action="store_true", help="say what would change; change nothing"
    )


def run(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    # Loaded only when costs are pulled, so that `stackbot --help` starts quickly.
    from db import open_store
    from stack import Context
    from stack.billing import billing_message
    from stack.costs import pull_costs, sources
    from stack.reports import problem_lines
    from templates.plain import to_text

    found = sources(settings)
    if not found:
        print(
            "stackbot: set OPENAI_ADMIN_KEY or ANTHROPIC_ADMIN_KEY (or OPENAI_ADMIN_KEY_FILE, "
            "ANTHROPIC_ADMIN_KEY_FILE) to pull costs",
            file=sys.stderr,
        )
        return EXIT_MISUSE
    team = args.team or settings.costs_team
    if team is None:
        print("stackbot: say whose costs these are: --team T, or set COSTS_TEAM", file=sys.stderr)
        return EXIT_MISUSE
    context = Context(team_id=team, user_id=args.user, now=now)
    engine = open_store(settings.database_url)
    failed = False
    try:
        for source in found:
            report = pull_costs(engine, context, source, dry_run=args.dry_run)
            name = f"{source.provider} costs"
            print(to_text(billing_message(report, source=name, shown=0)))
            for line in problem_lines(report.bill.problems):
                print(line)
            failed = failed or bool(report.bill.problem_count)
    finally:
        engine.dispose()
    return EXIT_REJECTED if failed else EXIT_OK
