"""`/stack`: one entry point shared by Slack and the terminal, so the two cannot drift apart."""

from __future__ import annotations

from stack.base import Context, Reply
from stack.run import run_command

__all__ = ["Context", "Reply", "run_command"]
