"""Shared fixtures: real evaluation data by path, and a fresh workspace home per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


@pytest.fixture
def eval_path():
    """A function giving a path under ../shared/eval; skips if absent (fails in CI)."""
    return _eval_path


@pytest.fixture(autouse=True)
def _workspace_home(tmp_path, monkeypatch):
    """Every test gets its own workspace folder; nothing touches ./workspace."""
    monkeypatch.setenv("QLAB_HOME", str(tmp_path / "home"))


@pytest.fixture
def workspace(tmp_path):
    """A fresh workspace on the real store, the real Chroma and the real model."""
    from lab_app.settings import Settings
    from lab_app.workspace import Workspace

    return Workspace(Settings.from_env(home=tmp_path / "ws"))


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """The demo Lab ingested once per test session (real model, real Chroma)."""
    from lab_app.demo import load_demo
    from lab_app.settings import Settings
    from lab_app.workspace import Workspace

    home = tmp_path_factory.mktemp("demo-home")
    outcomes = list(load_demo(Workspace(Settings.from_env(home=home))))
    assert all(o.status == "ingested" for o in outcomes)
    return home


@pytest.fixture
def demo_workspace(demo_home, tmp_path):
    """A private copy of the ingested demo Lab that a test may change."""
    import shutil

    from lab_app.settings import Settings
    from lab_app.workspace import Workspace

    home = tmp_path / "demo"
    shutil.copytree(demo_home, home)
    return Workspace(Settings.from_env(home=home))
