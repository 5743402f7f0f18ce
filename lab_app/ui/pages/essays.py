"""Essays (staff): draft from themes, preview each section as it will read with its checks
beside it, edit sections with versions, regenerate or polish one section, choose the ideas to
recommend, download Markdown, DOCX or HTML, and write the Lab's shareable report."""

from __future__ import annotations

import streamlit as st

from lab_app.core import audit as audit_log
from lab_app.core.audit import current_user
from lab_app.essays import store
from lab_app.essays.draft import LENGTHS, draft_essay, regenerate_section
from lab_app.essays.export import check_essay, render
from lab_app.essays.material import active_themes
from lab_app.essays.polish import polish_enabled, polish_section
from lab_app.essays.preview import section_blocks, section_checks
from lab_app.essays.report import build_report
from lab_app.essays.report_html import report_page
from lab_app.ui import guard
from lab_app.ui.auth import require_role
from lab_app.ui.components import safe_markdown, show_error
from lab_app.ui.essay_preview import show_blocks, show_checks
from lab_app.ui.resources import workspace
from lab_app.year import ideas

require_role("staff")  # checked on the server, whatever route reached this page

DOWNLOADS = {
    "md": ("Markdown", "text/markdown"),
    "docx": (
        "Word (DOCX)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "html": ("HTML", "text/html"),
}

NO_AREA = "(no area: use the themes chosen, or the largest)"

st.title("Essays")
st.caption(
    "Draft an essay from the Lab's themes. Every quotation is word for word from an extract "
    "whose author agreed to be quoted, marked with where it comes from, and checked again at "
    "every download. Edit any section; each save is a new version you can go back to."
)

ws = workspace()
engine = ws.store.engine
who = current_user()

if note := st.session_state.pop("essay-note", None):
    st.success(note)
if error := st.session_state.pop("essay-error", None):
    show_error(ValueError(error))


@guard.action(
    "essays.edit", "staff", "essay-draft", "essay-scrub", "essay-clear-flags",
    "essay-title-save-", "essay-save-", "essay-regen-", "essay-polish-", "essay-restore-",
    "essay-check", "essay-prepare", "essay-ideas-save", "essay-report",
)  # fmt: skip
def _guarded(action, *args) -> None:
    """Run a callback's action once guard.action has checked the role on the server; a failure
    becomes one line on the next run, not a traceback."""
    if action not in (_prepare, _report):  # what was prepared no longer matches the essay
        st.session_state.pop("essay-files", None)
    try:
        note = action(*args)
        if note:
            st.session_state["essay-note"] = note
    except Exception as err:
        st.session_state["essay-error"] = str(err) or type(err).__name__


def _draft() -> str:
    state = st.session_state
    area = state.get("essay-area")
    essay_id = draft_essay(
        ws,
        who,
        theme_ids=state.get("essay-themes") or [],
        area=None if area in (None, NO_AREA) else area,
        audience=state.get("essay-audience", ""),
        length=state.get("essay-length", "medium"),
        question=state.get("essay-question") or None,
    )
    state["essay-pick"] = essay_id
    return f"Essay {essay_id} drafted. Open a section below to edit it."


def _save(essay_id: int, key: str, widget: str) -> str:
    version = store.save_section(engine, essay_id, key, st.session_state.get(widget, ""), who)
    problems = check_essay(engine, essay_id)
    heading = store.section_of(store.load_essay(engine, essay_id), key)["heading"]
    mine = [p for p in problems if p.section == heading]
    if mine:
        raise ValueError(f"saved as version {version}, but {mine[0].line()}")
    return f"Saved as version {version}."


def _regenerate(essay_id: int, key: str) -> str:
    version = regenerate_section(ws, essay_id, key, who)
    return f"Drafted again as version {version}; the other sections keep their edits."


def _restore(essay_id: int, key: str, widget: str) -> str:
    version = store.restore_version(engine, essay_id, key, st.session_state[widget], who)
    return f"Restored as version {version}."


def _polish(essay_id: int, key: str) -> str:
    version = polish_section(engine, essay_id, key, who)
    return f"Rewritten as prose, quotations checked: version {version}."


def _title(essay_id: int, widget: str) -> str:
    store.set_title(engine, essay_id, st.session_state.get(widget, ""), who)
    return "Title saved."


def _check(essay_id: int) -> str:
    problems = check_essay(engine, essay_id)
    if problems:
        raise ValueError(f"{len(problems)} quotation problem(s); the first: {problems[0].line()}")
    return "Every quotation is word for word, may be quoted, and names its source."


def _scrub(essay_id: int) -> str:
    removed = store.scrub_missing(engine, essay_id, who=who)
    return f"{removed} quotation(s) of extracts no longer in the workspace removed."


def _clear_flags(essay_id: int) -> str:
    store.clear_flags(engine, essay_id, who)
    return "Flags cleared."


def _mark_ideas(widget: str, offered: list[str]) -> str:
    chosen = set(st.session_state.get(widget) or [])
    for idea_id in offered:
        ideas.mark_for_essay(engine, idea_id, who, marked=idea_id in chosen)
    return f"{len(chosen)} idea(s) marked for essays; draft the closing again to use them."


def _report() -> str:
    page = report_page(ws, build_report(ws))
    st.session_state["essay-report-html"] = page.encode("utf-8")
    audit_log.record(engine, "report.write", "download", {"bytes": len(page)}, who=current_user())
    return "The report is checked and ready to download: one HTML file that opens offline."


def _prepare(essay_id: int) -> str:
    st.session_state["essay-files"] = {
        "essay": essay_id,
        **{fmt: render(engine, essay_id, fmt) for fmt in DOWNLOADS},
    }
    # Named explicitly: a callback runs before app.py names the account for this run.
    audit_log.record(
        engine, "essay.export", str(essay_id), {"formats": list(DOWNLOADS)}, who=current_user()
    )
    return "Checked and ready to download."


# --- drafting ---------------------------------------------------------------------------------


def _ideas_and_report() -> None:
    """Which ideas essays recommend, and the one-file HTML report of the whole Lab."""
    live = [i for i in ideas.list_ideas(engine) if i["status"] != "parked"]
    st.caption(
        "Essays recommend the ideas the Lab is testing or has adopted, and any you mark here; "
        "each with who backs it."
    )
    offered = {i["id"]: i for i in live if i["status"] not in ("adopted", "testing")}
    marked = [i for i, row in offered.items() if (row["details"] or {}).get("for_essay")]
    st.multiselect(
        "Also recommend these ideas",
        list(offered),
        default=marked,
        format_func=lambda i: f"{i} · {offered[i]['status']} · {offered[i]['title'][:90]}",
        key="essay-ideas",
    )
    st.button(
        "Save the ideas to recommend",
        key="essay-ideas-save",
        on_click=_guarded,
        args=(_mark_ideas, "essay-ideas", list(offered)),
    )
    st.divider()
    st.caption(
        "The report covers every theme by area, in people's own words, with confirmed tensions, "
        "how people voted and the ideas taken forward: one HTML file that opens offline."
    )
    st.button("Write the shareable report", key="essay-report", on_click=_guarded, args=(_report,))
    if st.session_state.get("essay-report-html"):
        st.download_button(
            "Download the report (HTML)",
            st.session_state["essay-report-html"],
            file_name="lab-report.html",
            mime="text/html",
            key="essay-download-report",
        )


try:
    themes = active_themes(engine)
    essays = store.list_essays(engine)
except Exception as err:
    show_error(err)
    st.stop()

with st.expander("Draft a new essay", expanded=not essays):
    if not themes:
        st.info("There are no themes yet: build them on the Themes page first.")
    labels = {t["id"]: f"{t['label']} ({t['size']})" for t in themes}
    st.multiselect(
        "Themes", list(labels), format_func=lambda t: labels.get(t, t), key="essay-themes"
    )
    st.selectbox(
        "…or every theme in an area",
        [NO_AREA, *sorted({t["area"] for t in themes})],
        key="essay-area",
    )
    st.text_input(
        "Audience",
        key="essay-audience",
        max_chars=300,
        placeholder="e.g. commissioners and people who use peer support",
    )
    st.radio("Length", list(LENGTHS), index=1, horizontal=True, key="essay-length")
    st.text_input(
        "The Lab's question",
        key="essay-question",
        help="Only needed when the workspace does not know it (no lab.json).",
    )
    st.button(
        "Draft the essay",
        key="essay-draft",
        type="primary",
        disabled=not themes,
        on_click=_guarded,
        args=(_draft,),
    )

with st.expander("Recommendations and the Lab's shareable report"):
    _ideas_and_report()

if not essays:
    st.info("No essay has been drafted yet.")
    st.stop()

# --- one essay ------------------------------------------------------------------------------


def _editor(section: dict, body_key: str) -> None:
    """The section's Markdown with save, draft again, polish and restore."""
    key = section["key"]
    st.text_area("Section (Markdown)", value=section["body"], key=body_key, height=420)
    buttons = st.columns(4 if polish_enabled() else 3)
    buttons[0].button(
        "Save",
        key=f"essay-save-{essay_id}-{key}",
        type="primary",
        on_click=_guarded,
        args=(_save, essay_id, key, body_key),
    )
    buttons[1].button(
        "Draft again from the data",
        key=f"essay-regen-{essay_id}-{key}",
        on_click=_guarded,
        args=(_regenerate, essay_id, key),
    )
    if polish_enabled():
        buttons[3].button(
            "Rewrite as prose",
            key=f"essay-polish-{essay_id}-{key}",
            on_click=_guarded,
            args=(_polish, essay_id, key),
        )
    history = [v["version"] for v in store.versions(engine, essay_id, key)]
    if len(history) > 1:
        pick = f"essay-version-{essay_id}-{key}"
        buttons[2].selectbox("Version", history[1:], key=pick, label_visibility="collapsed")
        buttons[2].button(
            "Restore this version",
            key=f"essay-restore-{essay_id}-{key}",
            on_click=_guarded,
            args=(_restore, essay_id, key, pick),
        )


titles = {e["id"]: f"{e['id']} · {e['title']}" for e in essays}
if st.session_state.get("essay-pick") not in titles:
    st.session_state["essay-pick"] = essays[0]["id"]
essay_id = st.selectbox("Essay", list(titles), format_func=titles.get, key="essay-pick")
essay = store.load_essay(engine, essay_id)

if essay["flags"]:
    with st.container(border=True):
        st.warning(f"{len(essay['flags'])} thing(s) to look at again before this essay is used.")
        for flag in essay["flags"]:
            where = flag.get("section") or ", ".join(flag.get("sections") or [])
            what = flag.get("note") or flag.get("reason") or ""
            marker = f" {flag['marker']}" if flag.get("marker") else ""
            st.markdown(f"- {safe_markdown(where + marker)}: {safe_markdown(what)}")
        left, right = st.columns(2)
        left.button(
            "Remove quotations of extracts that are gone",
            key="essay-scrub",
            on_click=_guarded,
            args=(_scrub, essay_id),
        )
        right.button(
            "I have looked: clear the flags",
            key="essay-clear-flags",
            on_click=_guarded,
            args=(_clear_flags, essay_id),
        )

title_key = f"essay-title-{essay_id}"
st.text_input("Title", value=essay["title"], key=title_key, max_chars=300)
st.button(
    "Save the title",
    key=f"essay-title-save-{essay_id}",
    on_click=_guarded,
    args=(_title, essay_id, title_key),
)
st.caption(
    f"For: {safe_markdown(essay['audience'] or 'no audience given')} · length: "
    f"{essay['length']} · Markdown: quotations are blockquotes ending `— who [#extract]` or "
    "“words” [#extract]; keep the marker with every quotation."
)

bodies = {}
for section in essay["sections"]:
    body_key = f"essay-body-{essay_id}-{section['key']}-v{section['version']}"
    bodies[section["key"]] = st.session_state.get(body_key, section["body"])
try:
    previews = section_blocks(engine, essay, bodies)
except Exception as err:  # a preview must never hide the editor
    show_error(err)
    previews = {}

for section in essay["sections"]:
    key, version = section["key"], section["version"]
    state = "edited" if section["edited"] else "as drafted"
    with st.expander(f"{safe_markdown(section['heading'])} · version {version} · {state}"):
        body_key = f"essay-body-{essay_id}-{key}-v{version}"  # a new version, a fresh box
        read, edit = st.tabs(["Preview", "Edit"])
        with read:
            text, checks = st.columns([3, 1])
            with text:
                show_blocks(previews.get(key, []))
            with checks:
                heading = section["heading"] or key
                show_checks(section_checks(engine, heading, bodies[key], section["grounding"]))
        with edit:
            _editor(section, body_key)

st.divider()
left, right = st.columns(2)
left.button("Check every quotation", key="essay-check", on_click=_guarded, args=(_check, essay_id))
right.button(
    "Check and prepare downloads",
    key="essay-prepare",
    type="primary",
    on_click=_guarded,
    args=(_prepare, essay_id),
)
files = st.session_state.get("essay-files")
if files and files.get("essay") == essay_id:
    columns = st.columns(len(DOWNLOADS))
    for column, (fmt, (label, mime)) in zip(columns, DOWNLOADS.items(), strict=True):
        column.download_button(
            f"Download {label}",
            files[fmt],
            file_name=f"essay-{essay_id}.{fmt}",
            mime=mime,
            key=f"essay-download-{fmt}",
        )
