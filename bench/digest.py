"""One digest pass over many workspaces, against the fake Slack on loopback:
`uv run python -m bench.digest [--quick] [--memory] [--profile] [--latency-ms N]`.

The default run is 1,000 workspaces with 50 tools each, every workspace installed through the
OAuth installation store with its own bot token and posting its digest to its own channel: the
realistic case. A second, small run puts 20 workspaces on one shared channel id (as a Slack
Connect channel shared by several installed workspaces would be), to see what the pacing does
when several workspaces post to one channel in one pass. `--quick` (for CI) is 50
workspaces with 20 tools each, and the same shared run.

Each run seeds a fresh SQLite file in a temporary folder (in a child process, so the pass's
memory is not mixed with the seeding's), then times one `jobs.digest.run_digests` pass with the
real pacing (time.sleep, time.monotonic) and `tests.fake_slack.FakeSlack` answering on
127.0.0.1 in the same process. It records the pacing sleeps, the time inside the Slack calls
(HTTP to the fake and back) and the token look-ups in the installation store (with making each
workspace's client); what remains of the wall time is our code and the database. Then it checks
the delivery rows and the fake's arrivals, and times a second pass at the same `now`.

The goals: the pass under 60 s; pacing held, that is no workspace posted two messages to one
channel less than 0.95 s apart (Slack's limit is about one message a second per channel, and
rate limits are counted per app per workspace); one delivery row per workspace, sent; a second
pass right after sends nothing. Whether the pass is dominated by pacing or by our code is
reported, as are the gaps per channel id alone, across workspaces. Exit code 1 if a goal fails.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import platform
import pstats
import random
import resource
import shutil
import sqlite3
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.web import SlackResponse
from sqlalchemy import Engine, func
from sqlmodel import col, select

from bot.outbound import Directory, Poster
from core.catalog import load_catalog
from core.text import normalise
from db import open_store
from db.engine import session_scope
from db.models import SENT, Delivery, Tool, Workspace
from db.tools import add_tool, ensure_workspace
from jobs.digest import THREADS, run_digests
from tests.fake_slack import Call, FakeSlack

SEED = 20261130
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday, noon UTC: the pass's `now`
CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # every workspace began long before
CLIENT_ID = "bench"
APP_ID = "A0APP"
FULL = (1_000, 50)  # workspaces, tools each
QUICK = (50, 20)
SHARED = (20, 20)  # the shared-channel run: workspaces, tools each
SHARED_CHANNEL = "C0SHARED"
BATCH = 50  # workspaces seeded per transaction
GOAL_S = 60.0
MIN_GAP_S = 0.95  # one message a second, less a little for the clock
ZONES = (
    "UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles",
    "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney",
)  # fmt: skip


# Seeding (in a child process)


def seed(url: str, *, workspaces: int, tools: int, shared: bool, seed: int = SEED) -> None:
    """`workspaces` workspaces of `tools` tools each, drawn from the catalog with a fixed seed,
    each with its digest channel, day, hour and zone set, and installed with its own bot token.

    Every workspace's digest time for this week or last has passed at NOW, so each is due one
    digest. Tools were added over the last eleven months, a few in the last week (the digest's
    "what changed"); 10% are home-grown (no catalog link); 80% have a cost (15% in EUR); 8% have
    no owner; one in ten has a review due within a month or overdue by up to six weeks.
    """
    rng = random.Random(seed)
    entries = load_catalog().entries
    engine = open_store(url)
    installations = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    try:
        for first in range(1, workspaces + 1, BATCH):
            with session_scope(engine) as session:
                for number in range(first, min(first + BATCH, workspaces + 1)):
                    team = _team(number)
                    workspace = ensure_workspace(session=session, team_id=team, now=CREATED)
                    assert workspace.id is not None
                    workspace.name = f"Bench {number}"
                    workspace.timezone = rng.choice(ZONES)
                    workspace.digest_channel = SHARED_CHANNEL if shared else f"C{number:08d}"
                    workspace.digest_weekday = rng.randrange(7)
                    workspace.digest_hour = rng.randrange(7, 18)
                    workspace.owned_layers = [3, 4] if rng.random() < 0.3 else []
                    session.add(workspace)
                    for entry in rng.sample(entries, tools):
                        home_grown = rng.random() < 0.1
                        name = f"{entry.name} (in-house)" if home_grown else entry.name
                        if rng.random() < 0.06:
                            added = NOW - timedelta(hours=rng.randrange(1, 160))
                        else:
                            added = NOW - timedelta(days=rng.randrange(8, 330))
                        due = added.date() + timedelta(days=365)
                        if rng.random() < 0.1:
                            due = NOW.date() + timedelta(days=rng.randrange(-45, 30))
                        costed = rng.random() < 0.8
                        values: dict[str, Any] = {
                            "name": name,
                            "name_key": normalise(name),
                            "catalog_key": None if home_grown else entry.key,
                            "layers": list(entry.layers),
                            "capabilities": list(entry.capabilities),
                            "vendor": None if home_grown else entry.vendor,
                            "sourcing": "build" if home_grown else entry.sourcing,
                            "cost_cents": rng.randrange(1_000, 500_000) if costed else None,
                            "cost_currency": ("EUR" if rng.random() < 0.15 else "USD")
                            if costed
                            else None,
                            "cost_period": rng.choice(("month", "year")) if costed else None,
                            "owner_id": None
                            if rng.random() < 0.08
                            else f"U{rng.randrange(200):04d}",
                            "next_review_on": due,
                            "review_cycle_start": added,
                        }
                        add_tool(
                            session=session,
                            workspace_id=workspace.id,
                            values=values,
                            actor=f"U{rng.randrange(200):04d}",
                            now=added,
                        )
        for number in range(1, workspaces + 1):
            installations.save(
                Installation(
                    app_id=APP_ID,
                    team_id=_team(number),
                    team_name=f"Bench {number}",
                    bot_token=_token(number),
                    bot_id="BBOT",
                    bot_user_id="UBOT",
                    bot_scopes="commands,chat:write,im:write,users:read",
                    user_id=f"UINST{number:05d}",
                    installed_at=CREATED.timestamp(),
                )
            )
    finally:
        engine.dispose()
    _checkpoint(url)


def _team(number: int) -> str:
    return f"T{number:08d}"


def _token(number: int) -> str:
    return f"xoxb-bench-{number}"


def _checkpoint(url: str) -> None:
    """Fold the WAL into the file, so the file alone can be copied for each run."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def seed_apart(url: str, *, workspaces: int, tools: int, shared: bool) -> float:
    """Seed in a child process; the seconds it took."""
    context = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    child = context.Process(
        target=seed,
        args=(url,),
        kwargs={"workspaces": workspaces, "tools": tools, "shared": shared},
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"seeding failed (exit code {child.exitcode})")
    return time.perf_counter() - start


# Measuring


@dataclass
class Timer:
    """Seconds spent in one kind of wait, and how many times."""

    seconds: float = 0.0
    count: int = 0

    def add(self, seconds: float) -> None:
        self.seconds += seconds
        self.count += 1


@dataclass
class Waits:
    pacing: Timer = field(default_factory=Timer)
    slack: Timer = field(default_factory=Timer)
    tokens: Timer = field(default_factory=Timer)

    def sleep(self, seconds: float) -> None:
        """The pacing's sleep: the real one, counted."""
        start = time.perf_counter()
        time.sleep(seconds)
        self.pacing.add(time.perf_counter() - start)


class TimedClient(WebClient):
    """A WebClient that counts the time its Web API calls take (HTTP to the fake and back).

    `latency` seconds are slept before each call, to stand in for a network farther away than
    loopback (0 unless --latency-ms is given)."""

    def __init__(self, timer: Timer, *, latency: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._timer = timer
        self._latency = latency

    def api_call(self, *args: Any, **kwargs: Any) -> SlackResponse:
        start = time.perf_counter()
        try:
            if self._latency:
                time.sleep(self._latency)
            return super().api_call(*args, **kwargs)
        finally:
            self._timer.add(time.perf_counter() - start)


class TimedDirectory(Directory):
    """The real Directory (installation store, pacing and all), with its token look-ups and
    Slack calls timed. Only the client is swapped, for one with the same settings."""

    def __init__(self, waits: Waits, *, latency: float = 0.0, **kwargs: Any) -> None:
        super().__init__(sleep=waits.sleep, **kwargs)
        self._waits = waits
        self._latency = latency
        self._timed: set[str] = set()

    def poster(self, team_id: str) -> Poster | None:
        start = time.perf_counter()
        poster = super().poster(team_id)
        if team_id not in self._timed:  # the first time: the store was asked, a client made
            self._timed.add(team_id)
            if poster is not None:
                client = poster.client
                poster.client = TimedClient(
                    self._waits.slack,
                    latency=self._latency,
                    token=client.token,
                    base_url=client.base_url,
                    retry_handlers=client.retry_handlers,
                )
            self._waits.tokens.add(time.perf_counter() - start)
        return poster


def rss_mb() -> float:
    """The resident set now, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@dataclass(frozen=True)
class Gaps:
    """The tightest gap between two messages to one target, and how many gaps were too tight."""

    targets: int
    repeated: int  # targets that got more than one message
    tightest: float | None
    too_tight: int

    @property
    def held(self) -> bool:
        return self.too_tight == 0

    def text(self) -> str:
        if self.tightest is None:
            return f"none of {self.targets:,} got 2 messages (nothing to pace)"
        verdict = "held" if self.held else f"**{self.too_tight} gaps < {MIN_GAP_S} s**"
        tightest = f"tightest gap {self.tightest:.3f} s"
        return f"{self.repeated:,} of {self.targets:,} got 2+; {tightest}; {verdict}"


def gaps(arrivals: Collection[Sequence[float]]) -> Gaps:
    """`arrivals`: the arrival times of each target's messages."""
    tightest: float | None = None
    too_tight = repeated = 0
    for times in arrivals:
        ordered = sorted(times)
        repeated += len(ordered) > 1
        for before, after in pairwise(ordered):
            gap = after - before
            tightest = gap if tightest is None else min(tightest, gap)
            too_tight += gap < MIN_GAP_S
    return Gaps(len(arrivals), repeated, tightest, too_tight)


def by_workspace_and_channel(calls: Sequence[Call]) -> dict[tuple[str | None, str], list[float]]:
    arrivals: defaultdict[tuple[str | None, str], list[float]] = defaultdict(list)
    for call in calls:
        arrivals[(call.token, str(call.params.get("channel")))].append(call.at)
    return dict(arrivals)


@dataclass(frozen=True)
class Result:
    label: str
    workspaces: int
    tools: int
    seed_s: float
    sent: int
    posts: int
    wall_s: float
    waits: Waits
    rss_before_mb: float
    max_rss_mb: float
    message_kb: float  # mean size of a posted digest's JSON
    per_channel: Gaps
    per_workspace_channel: Gaps
    delivery_rows: int
    delivered_workspaces: int
    sent_rows: int
    second_pass: int
    second_pass_posts: int
    second_pass_s: float
    traced_peak_mb: float | None = None

    @property
    def per_second(self) -> float:
        return self.posts / self.wall_s if self.wall_s else float("inf")

    @property
    def ours_s(self) -> float:
        """Thread-seconds not spent waiting: the pass runs THREADS workspaces side by side, so
        the waits below are thread-seconds too, and can add up to more than the wall time."""
        waits = self.waits
        busy = self.wall_s * min(THREADS, max(1, self.workspaces))
        return max(0.0, busy - waits.pacing.seconds - waits.slack.seconds - waits.tokens.seconds)

    @property
    def deliveries_ok(self) -> bool:
        n = self.workspaces
        return self.delivery_rows == n and self.delivered_workspaces == n and self.sent_rows == n

    @property
    def once_ok(self) -> bool:
        return self.second_pass == 0 and self.second_pass_posts == 0

    @property
    def sent_ok(self) -> bool:
        return self.sent == self.posts == self.workspaces


def delivery_counts(engine: Engine) -> tuple[int, int, int]:
    """Rows, distinct workspaces with a row, and rows sent."""
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(func.count()).select_from(Delivery)).one()
        teams = session.exec(select(func.count(func.distinct(col(Delivery.workspace_id))))).one()
        sent = session.exec(
            select(func.count()).select_from(Delivery).where(col(Delivery.status) == SENT)
        ).one()
    return int(rows), int(teams), int(sent)


def check_seeded(engine: Engine, *, workspaces: int, tools: int) -> None:
    with session_scope(engine, write=False) as session:
        found = session.exec(select(func.count()).select_from(Workspace)).one()
        tool_rows = session.exec(select(func.count()).select_from(Tool)).one()
    if (found, tool_rows) != (workspaces, workspaces * tools):
        raise RuntimeError(f"seeded {found} workspaces and {tool_rows} tools, not as asked")


def timed_pass(
    url: str,
    *,
    label: str,
    workspaces: int,
    tools: int,
    seed_s: float,
    profile: Path | None,
    latency: float = 0.0,
) -> Result:
    """One digest pass with the real pacing, timed; then the checks and a second pass."""
    engine = open_store(url)
    try:
        check_seeded(engine, workspaces=workspaces, tools=tools)
        waits = Waits()
        store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
        with FakeSlack() as fake:
            directory = TimedDirectory(
                waits, latency=latency, base_url=fake.url, installations=store
            )
            rss_before = rss_mb()
            profiler = cProfile.Profile() if profile else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            sent = run_digests(engine, directory, NOW)
            if profiler:
                profiler.disable()
            wall = time.perf_counter() - start
            peak = max_rss_mb()
            if profiler and profile:
                profiler.dump_stats(profile)
            calls = fake.calls_to("chat.postMessage")
            start = time.perf_counter()
            second = run_digests(engine, directory, NOW)
            second_s = time.perf_counter() - start
            second_posts = len(fake.calls_to("chat.postMessage")) - len(calls)
            arrivals = fake.arrivals_by_channel()
        rows, teams, sent_rows = delivery_counts(engine)
    finally:
        engine.dispose()
    sizes = [len(call.body) for call in calls]
    return Result(
        label=label,
        workspaces=workspaces,
        tools=tools,
        seed_s=seed_s,
        sent=sent,
        posts=len(calls),
        wall_s=wall,
        waits=waits,
        rss_before_mb=rss_before,
        max_rss_mb=peak,
        message_kb=sum(sizes) / len(sizes) / 1024 if sizes else 0.0,
        per_channel=gaps(arrivals.values()),
        per_workspace_channel=gaps(by_workspace_and_channel(calls).values()),
        delivery_rows=rows,
        delivered_workspaces=teams,
        sent_rows=sent_rows,
        second_pass=second,
        second_pass_posts=second_posts,
        second_pass_s=second_s,
    )


def traced_peak(url: str) -> float:
    """Peak traced memory of one pass, in MB: a separate run, as tracemalloc slows it down."""
    engine = open_store(url)
    try:
        store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
        with FakeSlack() as fake:
            directory = Directory(base_url=fake.url, installations=store)
            tracemalloc.start()
            try:
                run_digests(engine, directory, NOW)
                return tracemalloc.get_traced_memory()[1] / 1_000_000
            finally:
                tracemalloc.stop()
    finally:
        engine.dispose()


# Running and reporting


def run(
    folder: Path,
    *,
    label: str,
    workspaces: int,
    tools: int,
    shared: bool,
    memory: bool,
    profile: Path | None,
    latency: float,
) -> Result:
    template = folder / f"{label}-seeded.db"
    seed_s = seed_apart(f"sqlite:///{template}", workspaces=workspaces, tools=tools, shared=shared)
    timed = folder / f"{label}-timed.db"
    shutil.copyfile(template, timed)
    result = timed_pass(
        f"sqlite:///{timed}",
        label=label,
        workspaces=workspaces,
        tools=tools,
        seed_s=seed_s,
        profile=profile,
        latency=latency,
    )
    if memory:
        traced = folder / f"{label}-traced.db"
        shutil.copyfile(template, traced)
        peak = traced_peak(f"sqlite:///{traced}")
        result = replace(result, traced_peak_mb=peak)
    return result


def yes(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def report(results: Sequence[Result], *, memory: bool) -> bool:
    """Print the tables and the goals; True when every goal holds."""
    header = (
        "| run | workspaces × tools | digests | wall s | msg/s | pacing sleep s | Slack calls s "
        "| token look-ups s | our code s | our code % | max RSS MB | RSS before MB | digest KB |"
    )
    if memory:
        header += " traced peak MB |"
    print(header)
    print("|---|---:|" + "---:|" * (header.count("|") - 3))
    for index, r in enumerate(results):
        w = r.waits
        # The high-water mark is the process's: after the first run it no longer says much.
        peak = f"{r.max_rss_mb:.0f}" if index == 0 else "–"
        row = (
            f"| {r.label} | {r.workspaces:,} × {r.tools} | {r.posts:,} | {r.wall_s:.1f} "
            f"| {r.per_second:.1f} | {w.pacing.seconds:.1f} ({w.pacing.count}) "
            f"| {w.slack.seconds:.1f} | {w.tokens.seconds:.1f} | {r.ours_s:.1f} "
            f"| {100 * r.ours_s / (r.wall_s * THREADS):.0f} | {peak} | {r.rss_before_mb:.0f} "
            f"| {r.message_kb:.1f} |"
        )
        if memory:
            traced = r.traced_peak_mb
            row += f" {traced:.1f} |" if traced is not None else " – |"
        print(row)
    print()
    print("| check | " + " | ".join(r.label for r in results) + " |")
    print("|---|" + "---|" * len(results))
    checks: list[tuple[str, list[str]]] = [
        ("digests sent = posts = workspaces", [yes(r.sent_ok) for r in results]),
        (
            "one delivery row per workspace, all sent",
            [
                f"{yes(r.deliveries_ok)} ({r.delivery_rows:,} rows, {r.sent_rows:,} sent)"
                for r in results
            ],
        ),
        (
            "second pass right after sends 0",
            [
                f"{yes(r.once_ok)} ({r.second_pass} sent, {r.second_pass_posts} posts, "
                f"{r.second_pass_s:.1f} s)"
                for r in results
            ],
        ),
        ("pacing per workspace and channel", [r.per_workspace_channel.text() for r in results]),
        ("gaps per channel id alone (not a goal)", [r.per_channel.text() for r in results]),
        ("seeding s (not timed)", [f"{r.seed_s:.1f}" for r in results]),
    ]
    for name, cells in checks:
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    main = results[0]
    fast = main.wall_s < GOAL_S
    paced = all(r.per_workspace_channel.held for r in results)
    correct = all(r.sent_ok and r.deliveries_ok and r.once_ok for r in results)
    waited = main.waits.pacing.seconds
    print(f"- {main.label} pass under {GOAL_S:.0f} s: {yes(fast)} ({main.wall_s:.1f} s)")
    print(
        f"- pacing held (no workspace posted to a channel twice within {MIN_GAP_S} s): {yes(paced)}"
    )
    print(f"- every workspace got exactly one digest, and a second pass sent none: {yes(correct)}")
    shares = {
        "pacing": waited,
        "Slack calls": main.waits.slack.seconds,
        "token look-ups": main.waits.tokens.seconds,
        "our code": main.ours_s,
    }
    dominant = max(shares, key=lambda name: shares[name])
    parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in shares.items())
    print(
        f"- {main.label} pass dominated by: {dominant} ({parts}, thread-seconds over "
        f"{THREADS} threads, in {main.wall_s:.1f} s)"
    )
    return fast and paced and correct


def print_profile(path: Path, lines: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(lines)
    print(out.getvalue())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK[0]} workspaces × {QUICK[1]} tools"
    )
    parser.add_argument("--workspaces", type=int, help="override the number of workspaces")
    parser.add_argument("--tools", type=int, help="override the tools per workspace")
    parser.add_argument("--no-shared", action="store_true", help="skip the shared-channel run")
    parser.add_argument(
        "--memory", action="store_true", help="also a tracemalloc pass (slower) for peak memory"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the main pass; print the top functions"
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="sleep this long before each Slack call, as a farther network would take",
    )
    args = parser.parse_args(argv)
    workspaces, tools = QUICK if args.quick else FULL
    workspaces = args.workspaces or workspaces
    tools = args.tools or tools
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{multiprocessing.cpu_count()} CPUs; now = {NOW.isoformat()}; "
        f"added latency per Slack call: {args.latency_ms:g} ms"
    )
    print()
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        folder = Path(tmp)
        profile = folder / "pass.prof" if args.profile else None
        results = [
            run(
                folder,
                label="own channels",
                workspaces=workspaces,
                tools=tools,
                shared=False,
                memory=args.memory,
                profile=profile,
                latency=args.latency_ms / 1000,
            )
        ]
        if not args.no_shared:
            results.append(
                run(
                    folder,
                    label="one shared channel",
                    workspaces=SHARED[0],
                    tools=SHARED[1],
                    shared=True,
                    memory=args.memory,
                    profile=None,
                    latency=args.latency_ms / 1000,
                )
            )
        ok = report(results, memory=args.memory)
        if profile is not None:
            print()
            print_profile(profile, 30)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
