"""Shared fixtures: real evaluation data by path, and a fresh workspace home per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import time_machine

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"


def _eval_path(*parts: str) -> Path:
    path = EVAL_DIR.joinpath(*parts)
    if not path.exists():
        where = "/".join(("../shared/eval",) + parts)
        if os.environ.get("QLAB_REQUIRE_EVAL") == "1":
            pytest.fail(f"{where} is missing and QLAB_REQUIRE_EVAL=1 (CI must have it)")
        pytest.skip(f"{where} not present: evaluation data ships beside the project, not in it")
    return path


# The demo Lab's year runs 1 December 2025 to 30 November 2026. Every test runs with the clock
# set to a day near its end (and ticking from there), so votes, ideas, builds and sign-ins made
# by a test fall in the Lab's Share phase whatever the machine's date. A test about another day
# moves the clock itself (the `time_machine` fixture).
LAB_TODAY = "2026-11-25T10:00:00+00:00"


@pytest.fixture(scope="session", autouse=True)
def _lab_clock():
    with time_machine.travel(LAB_TODAY, tick=True):
        yield


@pytest.fixture(scope="session")
def eval_path():
    """A function giving a path under ../shared/eval; skips if absent (fails in CI)."""
    return _eval_path


@pytest.fixture(autouse=True)
def _workspace_home(tmp_path, monkeypatch):
    """Every test gets its own workspace folder; nothing touches ./workspace.

    With QLAB_TEST_DATABASE_URL (a PostgreSQL server) or QLAB_TEST_CHROMA_URL (a `chroma run`
    server) set, as `.ci/run` does for its server pass, each test also gets its own database
    and its own collection there, so tests stay as isolated as with the embedded defaults."""
    monkeypatch.setenv("QLAB_HOME", str(tmp_path / "home"))
    unique = "t" + os.urandom(6).hex()
    if os.environ.get("QLAB_TEST_CHROMA_URL"):
        monkeypatch.setenv("QLAB_CHROMA_URL", os.environ["QLAB_TEST_CHROMA_URL"])
        monkeypatch.setenv("QLAB_COLLECTION", unique)
    server = os.environ.get("QLAB_TEST_DATABASE_URL")
    if not server:
        yield
        return
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {unique}"))
    monkeypatch.setenv(
        "QLAB_DATABASE_URL",
        make_url(server).set(database=unique).render_as_string(hide_password=False),
    )
    try:
        yield
    finally:
        with admin.connect() as conn:  # FORCE: a workspace a test left open still holds a link
            conn.execute(text(f"DROP DATABASE IF EXISTS {unique} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def workspace(tmp_path):
    """A fresh workspace on the real store, the real Chroma and the real model."""
    from lab_app.core.settings import Settings
    from lab_app.workspace import Workspace

    return Workspace(Settings.from_env(home=tmp_path / "ws"))


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """The demo Lab ingested once per test session (real model, real Chroma)."""
    from lab_app.core.settings import Settings
    from lab_app.demo import load_demo
    from lab_app.workspace import Workspace

    home = tmp_path_factory.mktemp("demo-home")
    outcomes = list(load_demo(Workspace(Settings.from_env(home=home))))
    assert all(o.status == "ingested" for o in outcomes)
    return home


@pytest.fixture
def demo_workspace(demo_home, tmp_path):
    """A private copy of the ingested demo Lab that a test may change."""
    return _copy_of(demo_home, tmp_path / "demo")


@pytest.fixture(scope="session")
def themed_home(demo_home, tmp_path_factory):
    """The demo Lab with themes built, once per session (tests copy it before changing it)."""
    import shutil

    from lab_app.core.settings import Settings
    from lab_app.workspace import Workspace

    home = tmp_path_factory.mktemp("themed-demo")
    shutil.copytree(demo_home, home, dirs_exist_ok=True)
    workspace = Workspace(Settings.from_env(home=home))
    workspace.build_themes()
    workspace.store.engine.dispose()
    return home


@pytest.fixture
def themed(themed_home, tmp_path):
    """A private copy of the themed demo Lab that a test may change."""
    return _copy_of(themed_home, tmp_path / "themed")


@pytest.fixture(scope="session")
def decided_home(themed_home, tmp_path_factory):
    """The themed demo Lab after `qlab demo`'s first look, once per session: ideas suggested
    and accepted, tensions found, the measured tensions confirmed and the ideas still discussed
    late in the year moved to testing (tests copy it before changing it)."""
    import shutil

    from lab_app.core.settings import Settings
    from lab_app.demo import first_look
    from lab_app.workspace import Workspace

    home = tmp_path_factory.mktemp("decided-demo")
    shutil.copytree(themed_home, home, dirs_exist_ok=True)
    workspace = Workspace(Settings.from_env(home=home))
    first_look(workspace)
    workspace.store.engine.dispose()
    return home


@pytest.fixture
def decided(decided_home, tmp_path):
    """A private copy of the decided demo Lab that a test may change."""
    return _copy_of(decided_home, tmp_path / "decided")


def _copy_of(home, target):
    """A workspace on a private copy of a session's workspace folder."""
    import shutil

    from lab_app.core.settings import Settings
    from lab_app.workspace import Workspace

    shutil.copytree(home, target)
    return Workspace(Settings.from_env(home=target))
