"""Exports (staff): download the REFI-QDA codebook and project, the Excel workbook and Pol.is
statements; upload a REFI-QDA codebook whose codes seed the next theme build."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from lab_app import exchange
from lab_app.themes import views as theme_views
from lab_app.ui import guard
from lab_app.ui.auth import require_role
from lab_app.ui.components import safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace

require_role("staff")  # checked on the server, whatever route reached this page

PREPARED = "exports-prepared"  # what -> (workspace version, bytes, line)
IMPORTED = "exports-imported"  # the line the last codebook import gave
FAILED = "exports-failed"  # the last prepare or import's error, shown once
MIME = {
    "qdc": "application/xml",
    "qdpx": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "polis": "application/zip",
}
HELP = {
    "qdc": "Themes as codes under their areas, with descriptions: opens in NVivo, ATLAS.ti, "
    "MAXQDA and QualCoder as a codebook.",
    "qdpx": "The whole Lab for a QDA tool: sources, extracts coded with their themes, theme "
    "notes, respondents as cases with their attributes. Extracts that may not be quoted are "
    "coded 'Not for quotation'.",
    "xlsx": "Themes, extracts with their themes and attributes, the theme × attribute matrix, "
    "ideas and tensions, one sheet each.",
    "polis": "Statements and every vote in Pol.is's export layout (comments.csv, "
    "participants-votes.csv, votes.csv), zipped; `qlab import polis` reads it back.",
}

ws = workspace()
engine = ws.store.engine


def prepare(what: str, file_name: str) -> tuple[bytes, str]:
    """Write the export in a temporary folder and read it back: the bytes and the line."""
    with tempfile.TemporaryDirectory(prefix="qlab-export-") as folder:
        out = Path(folder) / file_name
        line = exchange.export(ws, what, out)
        # The temporary folder means nothing to whoever downloads the file.
        return out.read_bytes(), line.replace(str(out), file_name)


@guard.action("exports.prepare", "staff", "exports-prepare-")
def prepare_file(what: str, file_name: str) -> None:
    """Write the export (audited under the person who clicked) and keep it for download."""
    prepared = st.session_state.setdefault(PREPARED, {})
    try:
        with st.spinner("Writing the file…"):
            data, line = prepare(what, file_name)
        prepared[what] = (theme_views.version(engine), data, line)
    except (ValueError, OSError, ImportError) as err:
        prepared.pop(what, None)
        st.session_state[FAILED] = err


@guard.action("exports.import_codebook", "staff", "exports-import")
def import_codebook() -> None:
    upload = st.session_state.get("exports-codebook-upload")
    if upload is None:
        return
    try:
        with tempfile.TemporaryDirectory(prefix="qlab-codebook-") as folder:
            path = Path(folder) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            st.session_state[IMPORTED] = exchange.import_codebook(ws, path)
    except (ValueError, OSError) as err:
        st.session_state[FAILED] = err


def export_block(what: str, title: str, file_name: str, version: tuple) -> None:
    with st.container(border=True):
        st.subheader(title)
        st.caption(HELP[what])
        prepared = st.session_state.setdefault(PREPARED, {})
        st.button(
            f"Prepare the {title.lower()}", key=f"exports-prepare-{what}",
            on_click=prepare_file, args=(what, file_name),
        )  # fmt: skip
        ready = prepared.get(what)
        if ready and ready[0] != version:
            st.caption("The workspace changed since this file was prepared: prepare it again.")
        elif ready:
            st.caption(safe_markdown(ready[2]))
            st.download_button(
                f"Download {file_name}",
                ready[1],
                file_name=file_name,
                mime=MIME[what],
                key=f"exports-download-{what}",
            )


def import_block() -> None:
    with st.container(border=True):
        st.subheader("Import a codebook")
        st.caption(
            "A REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA or QualCoder, or the "
            "codebook inside a project (.qdpx). Each code becomes a seed theme under its parent "
            "code's name; the next build attaches the extracts that match it and keeps its "
            "name. Codes already a theme are left alone."
        )
        upload = st.file_uploader(
            "Codebook file", type=["qdc", "qdpx"], key="exports-codebook-upload"
        )
        st.button(
            "Seed themes from it", key="exports-import", disabled=upload is None,
            on_click=import_codebook,
        )  # fmt: skip
        if st.session_state.get(IMPORTED):
            st.success(safe_markdown(st.session_state[IMPORTED]))
        waiting = [row for row in ws.list_themes() if row["status"] == "seed"]
        if waiting:
            st.markdown(f"**{len(waiting)} seed themes wait for the next build:**")
            for row in waiting:
                user_text(f"{row['id']} · {row['area'] or 'no area'} · {row['label']}")


st.title("Exports")
st.caption("Files for the tools the Lab team already uses. Withdrawn people's words are gone.")
if failed := st.session_state.pop(FAILED, None):
    show_error(failed)
current = theme_views.version(engine)
for what, (title, file_name) in exchange.FORMATS.items():
    export_block(what, title, file_name, current)
import_block()
