from __future__ import annotations

from bot.commands.base import refusal
from bot.listeners.press import Press
from core.errors import Rejected


def stale_action(press: Press) -> None:
    """A button stackbot no longer knows: say so, rather than leave a warning sign on it."""
    press.tell(refusal(Rejected("stale_button")))
