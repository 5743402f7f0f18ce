"""Themes page on the themed demo Lab: the list by area, a theme's view, curation, rebuilds."""

from __future__ import annotations

import time

import pytest

from lab_app.core.settings import Settings
from lab_app.themes import views as theme_views
from lab_app.themes.unsorted import unsorted_count
from lab_app.ui import unsorted_review
from lab_app.ui.components import safe_markdown
from lab_app.workspace import Workspace
from lab_app.year import window


@pytest.fixture
def lab(app_home, monkeypatch):
    """The workspace the page shows, and who acts on it."""
    monkeypatch.setenv("QLAB_USER", "sam.staff")
    return Workspace(Settings.from_env(home=app_home))


def _listed(at) -> list[str]:
    """Theme ids in the list's tables, in page order."""
    return [i for frame in at.dataframe if "ID" in frame.value for i in frame.value["ID"]]


def _labels(at) -> list[str]:
    return [t for frame in at.dataframe if "ID" in frame.value for t in frame.value["Theme"]]


def _open(at, theme_id: str):
    return at.selectbox(key="themes-select").select(theme_id).run()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _markdown(at) -> str:
    """Everything the page wrote as markdown, whitespace collapsed."""
    return _flat(" ".join(m.value for m in at.markdown))


def test_the_list_shows_every_active_theme_grouped_by_area(open_page, lab):
    at = open_page("themes")
    assert not at.exception, at.exception
    active = [t for t in lab.list_themes() if t["status"] == "active"]
    assert sorted(_listed(at)) == sorted(t["id"] for t in active)
    areas = {t["area"] for t in active}
    # The sparklines cover the Lab's year by default (docs/time.md).
    months = theme_views.volumes(lab.store.engine)[1]
    months = window.months_between(*window.default_range(lab.store.engine), months)
    by_area = [e.label for e in at.expander if e.label != unsorted_review.HEADING]
    assert len(by_area) == len(areas)
    unsorted = unsorted_count(lab.store.engine)  # the demo's build leaves one or two
    assert len(at.expander) - len(by_area) == (1 if unsorted else 0)
    for area, frame in zip(by_area, [f for f in at.dataframe if "ID" in f.value], strict=True):
        assert any(area.startswith(safe_markdown(a) + " — ") for a in areas)
        in_area = {t["id"] for t in active if area.startswith(safe_markdown(t["area"]) + " — ")}
        assert set(frame.value["ID"]) == in_area
        assert all(len(line) == len(months) for line in frame.value["Volume by month"])
    assert at.button(key="themes-rebuild")
    assert not at.get("plotly_chart")  # no theme open yet


def test_opening_a_theme_shows_its_label_exemplars_and_heatmap(open_page, lab):
    at = open_page("themes")
    rows = theme_views.theme_rows(lab.store.engine)
    theme = max(rows, key=lambda r: r["kinds"].get("survey", 0))
    _open(at, theme["id"])
    assert not at.exception, at.exception
    assert at.subheader[0].value == safe_markdown(theme["label"])
    detail = theme_views.theme_detail(lab.store, theme["id"])
    shown = _markdown(at)
    for extract in detail["exemplars"]:
        assert _flat(safe_markdown(extract["text"])) in shown
    captions = "\n".join(c.value for c in at.caption)
    survey = [e for e in detail["exemplars"] if e["kind"] == "survey"]
    assert survey and safe_markdown(f"row {survey[0]['row']}") in captions
    assert safe_markdown("What is your age?: ") in captions
    assert len(at.get("plotly_chart")) == 1
    at.selectbox(key="themes-matrix-attribute").select("What is your age?").run()
    assert not at.exception and len(at.get("plotly_chart")) == 1


def test_a_theme_named_by_another_page_opens(open_page, lab):
    theme_id = theme_views.theme_rows(lab.store.engine)[-1]["id"]
    at = open_page()
    at.session_state["selected_theme"] = theme_id
    at.switch_page("pages/themes.py")
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="themes-select").value == theme_id
    assert at.subheader[0].value == safe_markdown(theme_views.label_of(lab.store.engine, theme_id))


def test_curation_round_trip_rename_merge_undo(open_page, lab):
    at = open_page("themes")
    first, second = [r["id"] for r in theme_views.theme_rows(lab.store.engine)[:2]]
    _open(at, first)

    at.text_input(key="themes-rename-text").input("Someone who has *been there*").run()
    at.button(key="themes-rename").click().run()
    assert not at.exception, at.exception
    assert at.success and "been there" in at.success[0].value
    assert "Someone who has *been there*" in _labels(at)
    assert at.subheader[0].value == safe_markdown("Someone who has *been there*")  # inert

    at.multiselect(key="themes-merge-others").select(second).run()
    at.button(key="themes-merge").click().run()
    assert not at.exception, at.exception
    assert second not in _listed(at) and first in _listed(at)

    at.button(key="themes-undo").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Undid your merge of “")
    assert second in _listed(at)
    at.button(key="themes-undo").click().run()
    assert "Someone who has *been there*" not in _labels(at)
    assert lab.list_themes()[0]["label"] != "Someone who has *been there*"


def test_move_exclude_pin_lock_and_describe_through_the_page(open_page, lab):
    engine = lab.store.engine
    at = open_page("themes")
    theme_id, target = [r["id"] for r in theme_views.theme_rows(engine)[:2]]
    _open(at, theme_id)
    members = [m["id"] for m in theme_views.theme_detail(lab.store, theme_id)["members"]]

    at.selectbox(key="themes-move-extract").select(members[-1])
    at.selectbox(key="themes-move-target").select(target).run()
    at.button(key="themes-move").click().run()
    assert not at.exception and at.success, at.error
    at.selectbox(key="themes-exclude-extract").select(members[-2]).run()
    at.button(key="themes-exclude").click().run()
    at.selectbox(key="themes-pin-extract").select(members[-3]).run()
    at.button(key="themes-pin").click().run()
    at.text_area(key="themes-describe-text").input("Why peers matter, in their words.").run()
    at.button(key="themes-describe").click().run()
    at.button(key="themes-lock").click().run()
    assert not at.exception, at.exception

    detail = theme_views.theme_detail(lab.store, theme_id)
    now = [m["id"] for m in detail["members"]]
    assert members[-1] not in now and members[-2] not in now
    assert detail["exemplars"][0]["id"] == members[-3] and detail["locked"]
    assert detail["description"] == "Why peers matter, in their words."
    assert any(c.value.startswith("📌 pinned") for c in at.caption)
    assert at.button(key="themes-lock").label == "Unlock theme"
    assert any("🔒" in flag for frame in at.dataframe if "ID" in frame.value
               for flag in frame.value["Flags"])  # fmt: skip


def test_errors_are_one_line_messages_not_exceptions(open_page, lab):
    at = open_page("themes")
    smallest = theme_views.theme_rows(lab.store.engine)
    theme = min(smallest, key=lambda r: r["size"])
    if theme["size"] >= 16:
        pytest.skip("the demo has no theme small enough to refuse a split")
    _open(at, theme["id"])
    at.number_input(key="themes-split-parts").set_value(theme["size"] // 2 + 1).run()
    at.button(key="themes-split").click().run()
    assert not at.exception, at.exception
    assert "too few to split" in at.error[0].value

    at.text_input(key="themes-rename-text").input("   ").run()
    at.button(key="themes-rename").click().run()
    assert not at.exception and "cannot be empty" in at.error[0].value
    at.button(key="themes-move").click().run()
    assert not at.exception and "choose an extract to move first" in at.error[0].value
    assert theme_views.label_of(lab.store.engine, theme["id"]) == theme["label"]


def test_rebuild_shows_what_changed(open_page, lab):
    at = open_page("themes", timeout=300)
    at.button(key="themes-rebuild").click().run()
    assert not at.exception, at.exception
    shown = _markdown(at)
    assert "Rebuilt (incremental" in shown
    for key in ("New", "Grown", "Faded", "Merged", "Split"):
        assert f"**{key} (" in shown
    assert sorted(_listed(at)) == sorted(
        t["id"] for t in lab.list_themes() if t["status"] == "active"
    )


def test_a_page_run_is_fast_once_its_reads_are_cached(open_page, lab):
    at = open_page("themes")
    _open(at, theme_views.theme_rows(lab.store.engine)[0]["id"])
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception
    # About 0.1 s on an idle machine; the bound leaves room for a busy test run.
    assert elapsed < 3, f"a cached page run took {elapsed:.2f}s"


def test_a_lab_without_themes_says_so_even_after_a_rebuild(empty_app):
    at = empty_app("staff")
    at.run()
    at.switch_page("pages/themes.py")
    at.run()
    assert not at.exception, at.exception
    assert "No themes yet" in at.info[0].value
    at.button(key="themes-rebuild").click().run()
    assert not at.exception, at.exception
    assert "Rebuilt (first" in _markdown(at) and "No themes yet" in at.info[0].value
