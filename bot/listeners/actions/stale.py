from __future__ import annotations

from bot.listeners.press import Press
from core.errors import Rejected
from stack.base import refusal


def stale_action(press: Press) -> None:
    """A button stackbot no longer knows: say so, rather than leave a warning sign on it."""
    press.tell(refusal(Rejected("stale_button")))
