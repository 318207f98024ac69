"""What the terminal knows about the person at it: their machine's time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import tzlocal


def local_zone() -> str | None:
    """The machine's IANA time zone, as Slack gives a person's (`tz`): a workspace first seen
    from the terminal starts in it, as one first seen in Slack starts in its asker's. None when
    the machine does not say (then UTC)."""
    try:
        name = tzlocal.get_localzone_name()
        ZoneInfo(name)
    except (LookupError, ValueError, OSError):  # a machine with no zone, or a bad TZ
        return None
    return name or None
