"""The `qlab` command: one module per command group, each adding its parsers and handlers."""

from lab_app.cli.qlab import main

__all__ = ["main"]
