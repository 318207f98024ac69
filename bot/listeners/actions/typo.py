"""The two answers to "did you mean …?" under an add that looked like a typo: run the command
corrected, or run it as typed, confirmed."""

from __future__ import annotations

from dataclasses import replace

from bot.listeners.press import Press
from bot.slack import asked
from stack.run import people_named, run_command


def add_suggested(press: Press) -> None:
    _run(press, confirmed=False)


def add_as_typed(press: Press) -> None:
    _run(press, confirmed=True)


def _run(press: Press, *, confirmed: bool) -> None:
    text = press.value
    who = asked(press.client, press.stack, named=people_named(text, today=press.stack.now.date()))
    press.tell(run_command(press.engine, replace(who, confirmed=confirmed), text))
