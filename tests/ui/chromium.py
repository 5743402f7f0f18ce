"""Debian's Chromium for the browser tests: where it is, how it starts here, why it cannot."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Chromium on these machines: background networking off (the network is closed), no sandbox
# (root). Playwright gives every launch a new empty profile (its own --user-data-dir).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing() -> str | None:
    """Why the browser cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (install Debian's chromium: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def launch(playwright):
    """Chromium as every browser test starts it. It never inherits a preloaded clock shim
    (`make test-year-ahead` preloads libfaketime): Chromium traps on it, and the browser's
    clock is not the product's; the app server it talks to keeps the shifted clock."""
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=env)
