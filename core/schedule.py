"""When reminders and digests are due: small pure rules over dateutil and IANA time zones.

Every time is computed as a wall-clock time in the workspace's zone, then turned into UTC, so a
09:00 reminder stays at 09:00 across daylight-saving changes. Whether something was already sent
is never decided here: the store's delivery rows say that, one per period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta, weekday

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
OVERDUE_EVERY = timedelta(days=7)


def at_local(day: date, hour: int, zone: str) -> datetime:
    """`hour`:00 on `day` in `zone`, in UTC. On a spring-forward day an hour that does not exist
    lands an hour later; on a fall-back day an hour that happens twice is its first time."""
    local = datetime.combine(day, time(hour), tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


@dataclass(frozen=True, slots=True)
class Stage:
    """One reminder of a review cycle: `days` before the due date (negative once overdue)."""

    days: int
    at: datetime  # when it is sent, in UTC

    @property
    def label(self) -> str:
        if self.days > 0:
            return f"lead-{self.days}"
        if self.days == 0:
            return "due"
        return f"overdue-{-self.days // 7}"

    @property
    def overdue(self) -> bool:
        return self.days < 0


def _counts(stage: Stage, *, cycle_start: datetime | None, zone: str) -> bool:
    """Whether a stage belongs to the cycle: it comes after the cycle began, and a lead time is
    not on the cycle's first day (whoever added or decided the tool that day has just seen it;
    the reminder would only repeat it, or contradict a snooze)."""
    if cycle_start is None:
        return True
    if stage.at <= cycle_start:
        return False
    return stage.days <= 0 or local_date(stage.at, zone) > local_date(cycle_start, zone)


def review_stage(
    *,
    due: date,
    leads: Sequence[int],
    hour: int,
    zone: str,
    now: datetime,
    cycle_start: datetime,
    snoozed: bool = False,
) -> Stage | None:
    """The latest reminder stage whose time has come (at or before `now`) since the cycle began.

    Stages missed while the clock was down collapse into this one: a pass never sends several
    reminders for one tool. Before the cycle began nothing fires, so a tool added (or snoozed)
    today is not reminded of lead times already past. A snoozed review has no lead times: it is
    quiet until the day the snooze ends.
    """
    if now < cycle_start:
        return None
    today = local_date(now, zone)
    candidates = [d for d in sorted({*([] if snoozed else leads), 0}, reverse=True) if d >= 0]
    if today > due:
        weeks = (today - due).days // 7
        candidates += [-7 * w for w in range(1, weeks + 1)]
    latest: Stage | None = None
    for days in candidates:
        stage = Stage(days=days, at=at_local(due - timedelta(days=days), hour, zone))
        if stage.at <= now and _counts(stage, cycle_start=cycle_start, zone=zone):
            latest = stage
    return latest


def next_review_stage(
    *,
    due: date,
    leads: Sequence[int],
    hour: int,
    zone: str,
    now: datetime,
    cycle_start: datetime | None = None,
    snoozed: bool = False,
) -> Stage:
    """The first stage after `now` that the clock will send (`review_stage`'s rules): the next
    lead time, the due date, or the next weekly overdue reminder."""
    for days in sorted({*([] if snoozed else leads), 0}, reverse=True):
        stage = Stage(days=days, at=at_local(due - timedelta(days=days), hour, zone))
        if stage.at > now and _counts(stage, cycle_start=cycle_start, zone=zone):
            return stage
    weeks = max(1, (local_date(now, zone) - due).days // 7)
    while True:
        stage = Stage(days=-7 * weeks, at=at_local(due + timedelta(days=7 * weeks), hour, zone))
        if stage.at > now:
            return stage
        weeks += 1


@dataclass(frozen=True, slots=True)
class DigestSlot:
    period: str  # "2026-W48": one digest per ISO week
    at: datetime  # when it is sent, in UTC


def week_of(period: str) -> date:
    """The Monday a digest period ("2026-W50") begins on: people read weeks by their dates."""
    year, week = period.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def _slot(day: date, hour: int, zone: str) -> DigestSlot:
    year, week, _ = day.isocalendar()
    return DigestSlot(period=f"{year}-W{week:02d}", at=at_local(day, hour, zone))


def digest_slot(*, weekday_index: int, hour: int, zone: str, now: datetime) -> DigestSlot:
    """The latest digest time at or before `now`: this week's if it has come, else last
    week's. After ten days down, that is one catch-up digest, not ten."""
    today = local_date(now, zone)
    day = today + relativedelta(weekday=weekday(weekday_index)(-1))
    slot = _slot(day, hour, zone)
    if slot.at > now:
        slot = _slot(day - timedelta(days=7), hour, zone)
    return slot


def next_digest_slot(*, weekday_index: int, hour: int, zone: str, now: datetime) -> DigestSlot:
    today = local_date(now, zone)
    day = today + relativedelta(weekday=weekday(weekday_index)(+1))
    slot = _slot(day, hour, zone)
    if slot.at <= now:
        slot = _slot(day + timedelta(days=7), hour, zone)
    return slot


def escalations(stage: Stage, *, after: int, has_backup: bool) -> tuple[str, ...]:
    """Who a review undecided at `stage` has climbed to: once `after` weekly overdue reminders
    went unanswered, the backup owner (the next week), then the stack admins (the week after;
    at once when there is no backup). Each is sent once: the caller claims each by name."""
    if not stage.overdue:
        return ()
    unanswered = -stage.days // 7 - 1  # the reminder of this very week is not unanswered yet
    steps = ("backup", "admins") if has_backup else ("admins",)
    return tuple(step for index, step in enumerate(steps) if unanswered >= after + index)
