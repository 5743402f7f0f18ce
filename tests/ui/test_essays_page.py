"""Essays page: staff draft an essay from chosen themes, edit a section into a new version,
check the quotations and prepare the three downloads."""

from __future__ import annotations

from lab_app.core.settings import Settings
from lab_app.essays import store
from lab_app.essays.markup import parse
from lab_app.essays.material import active_themes
from lab_app.workspace import Workspace


def test_draft_edit_check_and_download(open_page, app_home):
    at = open_page("essays", timeout=120)
    assert not at.exception
    engine = Workspace(Settings.from_env(home=app_home)).store.engine
    chosen = [t["id"] for t in active_themes(engine)[:2]]

    at.multiselect(key="essay-themes").set_value(chosen)
    at.text_input(key="essay-audience").set_value("the Lab's participants")
    at.radio(key="essay-length").set_value("short")
    at.button(key="essay-draft").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    essay = store.list_essays(engine)[0]
    assert essay["audience"] == "the Lab's participants"
    assert [s["key"] for s in store.load_essay(engine, essay["id"])["sections"]] == [
        "opening",
        *[f"theme:{t}" for t in chosen],
        "closing",
    ]

    key = f"theme:{chosen[0]}"
    body_box = at.text_area(key=f"essay-body-{essay['id']}-{key}-v1")
    body_box.set_value(body_box.value + "\nA paragraph the Lab team wrote itself.\n")
    at.button(key=f"essay-save-{essay['id']}-{key}").click().run()
    assert not at.error, [e.value for e in at.error]
    section = store.section_of(store.load_essay(engine, essay["id"]), key)
    assert section["version"] == 2 and section["body"].endswith("wrote itself.\n")
    assert at.text_area(key=f"essay-body-{essay['id']}-{key}-v2").value == section["body"]

    at.button(key="essay-check").click().run()
    assert not at.error and any("word for word" in s.value for s in at.success)

    at.button(key="essay-prepare").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("ready to download" in s.value for s in at.success)
    files = at.session_state["essay-files"]
    assert files["docx"][:2] == b"PK" and b"<blockquote>" in files["html"]
    assert b"A paragraph the Lab team wrote itself." in files["md"]


def test_an_altered_quote_shows_as_an_error_not_a_traceback(open_page, app_home):
    engine = Workspace(Settings.from_env(home=app_home)).store.engine
    from lab_app.essays.draft import draft_essay

    workspace = Workspace(Settings.from_env(home=app_home))
    theme = active_themes(engine)[0]["id"]
    essay_id = draft_essay(workspace, "test-staff", theme_ids=[theme], length="short")
    key = f"theme:{theme}"
    body = store.section_of(store.load_essay(engine, essay_id), key)["body"]
    quoted = next(line for line in body.splitlines() if line.startswith("> ") and "—" not in line)
    store.save_section(engine, essay_id, key, body.replace(quoted, quoted + " (sic)", 1), "staff")

    at = open_page("essays", timeout=120)
    at.button(key="essay-prepare").click().run()
    assert not at.exception
    assert any("not word for word" in e.value for e in at.error)
    assert "essay-files" not in at.session_state


def test_each_section_previews_as_it_will_read_with_its_checks(open_page, app_home):
    from lab_app.essays.draft import draft_essay
    from lab_app.essays.markup import quotations

    workspace = Workspace(Settings.from_env(home=app_home))
    engine = workspace.store.engine
    theme = active_themes(engine)[0]["id"]
    essay_id = draft_essay(workspace, "test-staff", theme_ids=[theme], length="short")
    key = f"theme:{theme}"
    body = store.section_of(store.load_essay(engine, essay_id), key)["body"]
    quoted = len(quotations(parse(body)))

    at = open_page("essays", timeout=120)
    assert not at.exception
    shown = [m.value for m in at.markdown]
    assert any("\\[Q1\\]" in m or "[Q1]" in m for m in shown)  # numbered as the export numbers
    assert not [m for m in shown if "[#" in m or "\\[\\#" in m]  # no raw store markers
    assert any(
        m.startswith("✅ **Quotations**") and f"{quoted} quotations" in m and "word for word" in m
        for m in shown
    )
    assert any("**Consent**" in m and m.startswith("✅") for m in shown)

    # An edit not yet saved is previewed and checked as it stands.
    box = at.text_area(key=f"essay-body-{essay_id}-{key}-v1")
    line = next(x for x in body.splitlines() if x.startswith("> ") and "—" not in x)
    box.set_value(body.replace(line, line + " (sic)", 1)).run()
    assert not at.exception
    assert any(
        m.startswith("❌") and f"1 of {quoted} quotations not word for word" in m
        for m in (m.value for m in at.markdown)
    )
    assert store.section_of(store.load_essay(engine, essay_id), key)["version"] == 1


def test_staff_mark_ideas_for_essays_and_download_the_report(open_page, app_home):
    from lab_app.year import ideas

    engine = Workspace(Settings.from_env(home=app_home)).store.engine
    theme = active_themes(engine)[0]["id"]
    idea = ideas.create_idea(engine, "Peer navigators in every practice", "test-staff")
    ideas.link(engine, idea, "theme", theme, "test-staff")

    at = open_page("essays", timeout=600)
    at.multiselect(key="essay-ideas").set_value([idea])
    at.button(key="essay-ideas-save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert ideas.get_idea(engine, idea)["details"]["for_essay"] is True

    at.button(key="essay-report").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    page = at.session_state["essay-report-html"].decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "Peer navigators in every practice" in page
