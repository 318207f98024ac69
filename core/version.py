"""stackbot's version, as installed (pyproject.toml's, through the package's metadata)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def stackbot_version() -> str:
    try:
        return version("stackbot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"
