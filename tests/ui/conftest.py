"""App tests: a themed copy of the demo Lab per test, and AppTest pointed at it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "lab_app" / "ui" / "app.py"


@pytest.fixture(scope="session")
def themed_demo_home(demo_home, tmp_path_factory):
    """The demo Lab with themes built, made once per session."""
    from lab_app.settings import Settings
    from lab_app.workspace import Workspace

    home = tmp_path_factory.mktemp("themed-demo")
    shutil.copytree(demo_home, home, dirs_exist_ok=True)
    Workspace(Settings.from_env(home=home)).build_themes()
    return home


@pytest.fixture
def app_home(themed_demo_home, tmp_path, monkeypatch):
    """A private copy of the themed demo Lab; QLAB_HOME points at it for the app."""
    home = tmp_path / "app-home"
    shutil.copytree(themed_demo_home, home)
    monkeypatch.setenv("QLAB_HOME", str(home))
    return home


@pytest.fixture
def open_page(app_home):
    """open_page("themes") -> an AppTest that has run the app and switched to that page."""

    def run(page: str | None = None, timeout: float = 30) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=timeout)
        at.run()
        if page:
            at.switch_page(f"pages/{page}.py")
            at.run()
        return at

    return run
