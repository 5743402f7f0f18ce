"""App tests: a themed copy of the demo Lab per test, and AppTest pointed at it, signed in."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "lab_app" / "ui" / "app.py"
# One account per role in every test home; role=None in open_page means nobody signed in.
TEST_ACCOUNTS = {"staff": "test-staff", "participant": "test-participant"}
TEST_PASSWORD = "test-password-not-secret"  # a throwaway workspace made for tests


@pytest.fixture(scope="session")
def themed_demo_home(themed_home, tmp_path_factory):
    """The themed demo Lab with a test account per role, made once per session."""
    from lab_app.core.settings import Settings
    from lab_app.people import accounts
    from lab_app.workspace import Workspace

    home = tmp_path_factory.mktemp("themed-demo-accounts")
    shutil.copytree(themed_home, home, dirs_exist_ok=True)
    workspace = Workspace(Settings.from_env(home=home))

    for role, name in TEST_ACCOUNTS.items():  # made once here, so each test's copy has them
        accounts.add_user(workspace.store.engine, name, role, password=TEST_PASSWORD)
    workspace.store.engine.dispose()
    return home


@pytest.fixture
def app_home(themed_demo_home, tmp_path, monkeypatch):
    """A private copy of the themed demo Lab; QLAB_HOME points at it for the app."""
    home = tmp_path / "app-home"
    shutil.copytree(themed_demo_home, home)
    monkeypatch.setenv("QLAB_HOME", str(home))
    return home


def signed_in(at: AppTest, role: str) -> AppTest:
    """Sign an AppTest session in as the test account for this role, the way the sign-in page
    leaves the session (the app still checks the account against the store on every run)."""
    from lab_app.ui.auth import SESSION_KEY

    at.session_state[SESSION_KEY] = {"name": TEST_ACCOUNTS[role], "role": role, "at": time.time()}
    return at


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """empty_app(role) -> an AppTest of the app on a new, empty workspace, signed in with an
    account of that role (an empty workspace has no account of its own to sign in with)."""
    from lab_app.core.settings import Settings
    from lab_app.people import accounts
    from lab_app.workspace import Workspace

    def make(role: str = "staff", timeout: float = 60) -> AppTest:
        home = tmp_path / "empty"
        monkeypatch.setenv("QLAB_HOME", str(home))
        engine = Workspace(Settings.from_env(home=home)).store.engine
        accounts.add_user(engine, TEST_ACCOUNTS[role], role, password=TEST_PASSWORD)
        engine.dispose()
        return signed_in(AppTest.from_file(str(APP), default_timeout=timeout), role)

    return make


@pytest.fixture
def open_page(app_home):
    """open_page("themes") -> an AppTest that has run the app, signed in as staff (or
    role="participant", or role=None for nobody), and switched to that page."""

    def run(page: str | None = None, timeout: float = 30, role: str | None = "staff") -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=timeout)
        if role is not None:
            signed_in(at, role)
        at.run()
        if page:
            at.switch_page(f"pages/{page}.py")
            at.run()
        return at

    return run
