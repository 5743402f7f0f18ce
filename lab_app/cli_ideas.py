"""`qlab` subcommands for ideas and the timeline (filled in by its feature)."""

from __future__ import annotations


def add_commands(commands) -> None:
    """Add this feature's subcommands to the `qlab` parser."""
