"""`stackbot demo`: an example stack, built with the same /stack commands a team would type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from db import open_store
from stack import Context, run_command
from templates.plain import to_text

DEMO_TEAM = "TDEMO"
# Who types what. Ids look like Slack's; the terminal shows them as @UMAYA and so on.
SEED: tuple[tuple[str, str], ...] = (
    ("UMAYA", "/stack add CoreWeave cost:42k/mo owner:<@UMAYA> renews:2027-03-01 notice:60"),
    ("UMAYA", '/stack add "AWS EC2" caps:cpu-compute cost:6,500/mo owner:<@UMAYA>'),
    ("ULI", "/stack add vLLM inference owner:<@ULI> channel:<#CINFRA|ai-infra>"),
    ("ULI", "/stack add Ray Train owner:<@ULI>"),
    ("UPRIYA", "/stack add MLflow owner:<@UPRIYA>"),
    ("UPRIYA", '/stack add "Weights & Biases" cost:14k/yr owner:<@UPRIYA> renews:1 Feb 2027'),
    ("USAM", "/stack add Pinecone cost:2,400/mo owner:<@USAM>"),
    (
        "USAM",
        '/stack add "Feature Hub" data caps:feature-store,data-pipelines sourcing:build'
        " owner:<@USAM> notes:our own feature pipelines, the part of the stack we differentiate on",
    ),
    ("UPRIYA", "/stack add Evidently owner:<@UPRIYA>"),
    ("UPRIYA", "/stack add Arize cost:30k/yr renews:Mar 1, 2027 notice:45"),
    # The platform that overlaps them: bought for serving, MLOps and monitoring.
    (
        "UMAYA",
        "/stack add SageMaker layer:inference,mlops,observability cost:EUR 18,000/month"
        " owner:<@UMAYA> renews:2027-06-30 notice:90",
    ),
    ("ULI", "/stack add TorchServe inference"),
    ("ULI", "/stack remove TorchServe"),
    ("ULI", "/stack edit vLLM cost:1,500/mo notes:GPU nodes are billed under CoreWeave"),
)
SHOW = ("/stack map", "/stack overlaps", "/stack spend", "/stack list", "/stack history")


def _member(user: str, now: datetime) -> Context:
    """The demo's people are ordinary members: each changes only the tools they own."""
    return Context(team_id=DEMO_TEAM, user_id=user, now=now, slack_admin=False)


def run_demo(path: Path, *, now: datetime, out: Callable[[str], None]) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{path}")
    try:
        for user, text in SEED:
            reply = run_command(engine, _member(user, now), text)
            if not reply.ok:
                raise RuntimeError(
                    f"the demo command {text!r} was refused: {reply.message['text']}"
                )
        for text in SHOW:
            reply = run_command(engine, _member("UMAYA", now), text)
            out(f"\n$ {text}\n")
            out(to_text(reply.message))
    finally:
        engine.dispose()
    out(
        f"\nThe example stack is in {path}. Try a command on it:\n"
        f"  DATABASE_URL=sqlite:///{path} uv run stackbot cmd --team {DEMO_TEAM} "
        "'/stack show SageMaker'\n"
        "In Slack, the whole app on one host: uv run stackbot serve --with-worker --with-clock"
    )
