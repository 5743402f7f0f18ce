"""The app's shared caches (ui/cached.py) and its start (ui/serve.py), on real workspaces."""

from __future__ import annotations

import gc

from lab_app.material.consent import set_consent
from lab_app.opinions import participation
from lab_app.themes import curation
from lab_app.ui import cached, serve
from lab_app.ui.components import safe_markdown


def test_the_cache_key_moves_with_what_pages_show_not_with_votes(themed):
    engine = themed.store.engine
    key = cached.store_key(engine)
    extract_id = sorted(themed.store.extract_ids())[0]
    participation.vote(engine, "someone", extract_id, 1)
    assert cached.store_key(engine) == key  # votes are read fresh on every run instead

    set_consent(engine, "source", "somewhere.csv", "staff", show_to_participants=False)
    after_consent = cached.store_key(engine)
    assert after_consent != key  # what participants may see has changed

    theme = next(t for t in themed.list_themes() if t["status"] == "active")
    curation.rename(engine, theme["id"], "Renamed for the cache test")
    assert cached.store_key(engine) not in (key, after_consent)


def test_explore_shows_a_rename_at_once(open_page, app_home):
    from lab_app.core.settings import Settings
    from lab_app.workspace import Workspace

    at = open_page("explore", role="participant")
    ws = Workspace(Settings.from_env(home=app_home))
    first = ws.list_themes()[0]  # the index of themes lists it
    opener = f"explore-open-{first['id']}"
    assert at.button(key=opener).label == safe_markdown(first["label"])
    curation.rename(ws.store.engine, first["id"], "Lifts to the group (renamed)")
    at.run()
    assert not at.exception, at.exception
    assert at.button(key=opener).label == safe_markdown("Lifts to the group (renamed)")


def test_serve_loads_the_pages_modules_the_model_and_the_workspace_first(themed, monkeypatch):
    from lab_app.material import embedder

    monkeypatch.setenv("QLAB_HOME", str(themed.settings.home))
    names = serve.page_modules()
    assert {"plotly.graph_objects", "lab_app.opinions.participation", "lab_app.ui.cached"} <= set(
        names
    )
    try:
        assert serve.warm_up().startswith("model, workspace and pages loaded in ")
    finally:
        gc.unfreeze()  # the server freezes its start-up objects; this test process need not
    assert embedder.default_model_path().resolve().as_posix() in embedder._models
    assert cached.store_key(cached_workspace().store.engine).startswith("sqlite:///")


def test_a_start_without_the_database_still_serves(tmp_path, monkeypatch):
    monkeypatch.setenv("QLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QLAB_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    line = serve.warm_up()
    assert line.startswith("warm-up stopped (") and line.endswith("pages load on first use")


def cached_workspace():
    from lab_app.ui.resources import workspace

    return workspace()
