"""Sources (staff): upload files, confirm survey columns, ingest, and list or remove sources."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ingest.pipeline import IngestOptions, detect_kind
from ingest.redact import redact_path
from ingest.survey import ROLES
from lab_app.core import faults
from lab_app.material import set_aside, uploads
from lab_app.ui import guard
from lab_app.ui.auth import require_role
from lab_app.ui.components import safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace
from lab_app.workspace import FileOutcome, display_path

require_role("staff")  # checked on the server, whatever route reached this page

MAPPING_KEY = "sources-mapping"
MAPPING_FILE = "sources-mapping-file"  # which survey the "sources-mapping" edits belong to
OUTCOMES = "sources-outcomes"
REMOVED = "sources-removed"
PENDING = "sources-pending"  # (saved upload paths, their ingest choices) for the Ingest button


def one_line(text: str) -> str:
    """User text for an alert: one line, hidden characters shown escaped, inert as Markdown."""
    return safe_markdown(faults.one_line(text))


@st.cache_data(show_spinner=False, max_entries=64)
def kind_of(path: str, max_unpacked_bytes: int) -> str:
    # Saved uploads are named by their content hash, so the path alone is a sound cache key.
    # The unpacked-size limit is the workspace's: a workbook bomb is refused, not unpacked.
    try:
        return detect_kind(Path(path), IngestOptions(max_unpacked_bytes=max_unpacked_bytes))
    except Exception:  # noqa: BLE001 - ingest refuses the file and says why; no mapping step
        return ""


def unpacked_limit(ws) -> int:
    return ws.settings.max_unpacked_mb * 1_000_000


def save_uploads(ws, files) -> list[Path]:
    """Stage each dropped file until Ingest reads it (idempotent on every rerun); say why any
    was refused, and which the workspace holds already (those are not staged again)."""
    home = ws.settings.home
    uploads.sweep(home)  # files staged by pages closed an hour ago
    saved: list[Path] = []
    for upload in files or []:
        data, name = upload.getvalue(), faults.visible(upload.name)
        stored = ws.store.source_by_hash(uploads.content_digest(data))
        if stored is not None:
            st.info(one_line(f"{name} is in the workspace already, as {stored.path}"))
            continue
        try:
            result = uploads.save_upload(home, upload.name, data, ws.settings.max_file_mb)
        except uploads.UploadRefused as err:
            st.warning(one_line(f"refused {name}: {err}"))
            continue
        except OSError as err:
            show_error(OSError(one_line(faults.describe(err, f"saving {name}"))))
            continue
        if result.path not in saved:
            saved.append(result.path)
    return saved


def mapping_step(ws, path: Path, key: str) -> dict:
    """Show the guessed roles of a survey's columns for editing; return its ingest options."""
    home = ws.settings.home
    name = display_path(path, home)
    limit = unpacked_limit(ws)
    st.markdown(f"**{one_line(name)}**")
    try:
        table = uploads.mapping_table(path, limit)
        sheets = len(uploads.read_tables(path, limit))
        sheet = uploads.survey_table(path, limit).sheet
    except Exception as err:  # noqa: BLE001 - the Ingest step reports this file's reason
        show_error(err)
        return {}
    if sheets > 1:
        st.caption(
            one_line(
                f"Workbook with {sheets} sheets: showing sheet {sheet!r}, the first with "
                "free-text columns. Left as guessed, every sheet keeps its own guess; changed "
                "roles apply to every sheet, so each sheet needs the columns they name."
            )
        )
    stored = ws.store.source_by_path(redact_path(name))  # stored paths are redacted
    if stored is not None:
        st.caption(
            "Already ingested: to ingest it again with other roles, remove the source below first."
        )
    edited = st.data_editor(
        table,
        key=key,
        hide_index=True,
        disabled=["column", "examples"],
        column_config={
            "column": st.column_config.TextColumn("column"),
            "role": st.column_config.SelectboxColumn("role", options=list(ROLES), required=True),
            "examples": st.column_config.TextColumn("examples"),
        },
    )
    roles = uploads.roles_from_table(edited)
    effective = uploads.effective_roles(path, roles, limit)
    kept = [column for column, role in roles.items() if effective.get(column) != role]
    if kept:
        # Ingest options name columns for a role; they cannot take a guessed role away.
        st.warning(
            one_line(
                "Ingest keeps the guessed role for: "
                + ", ".join(f"{column} ({effective[column]})" for column in kept)
                + ". Give that role to another column instead."
            )
        )
    if "text" not in effective.values():
        st.warning("No column is free text: choose one, or this file will be refused.")
    answers = uploads.preview(path, roles, max_unpacked_bytes=limit)
    kept_aside = set_aside.note(*uploads.kept_aside(path, roles, limit))
    if kept_aside:
        st.caption(
            f"{kept_aside}: replies such as “Nothing”, “No”, “N/A” or “Don't know” are counted "
            "per question, not stored as extracts."
        )
    st.caption(f"The first {len(answers)} answers ingest would store:")
    for answer in answers:
        user_text(answer, quote=True)
    return uploads.ingest_choices(path, roles, limit)


def run_ingest(ws, paths: list[Path], choices: dict[Path, dict]) -> list[FileOutcome]:
    """Ingest each file in turn with a progress bar; a failure is that file's outcome only."""
    home = ws.settings.home
    bar = st.progress(0.0, text="Starting…")
    ws.repair_index()  # finish whatever an interrupted ingest left half done
    outcomes = []
    total = len(paths)
    for number, path in enumerate(paths):
        name = display_path(path, home)
        bar.progress(number / total, text=one_line(f"Reading {name} ({number + 1} of {total})"))

        def embedded(done: int, count: int, number=number, name=name) -> None:
            share = (number + done / max(count, 1)) / total
            bar.progress(
                min(share, 1.0), text=one_line(f"Embedding {name}: {done} of {count} passages")
            )

        try:
            options = ws.ingest_options(**choices.get(path, {}))
            outcome = ws.ingest_file(path, options, root=home, progress=embedded)
        except faults.WorkspaceFault as err:  # one line already: a full disk, a broken index
            outcome = FileOutcome(name, "refused", reason=str(err))
        except Exception as err:  # noqa: BLE001 - a store or index failure stops this file only
            outcome = FileOutcome(name, "refused", reason=faults.describe(err, "ingest"))
        finally:
            uploads.discard_staged(home, path)  # read once: no raw copy stays (docs/uploads.md)
        outcomes.append(outcome)
    bar.progress(1.0, text=f"Done: {total} file(s)")
    return outcomes


def show_outcome(outcome: FileOutcome) -> None:
    shown = faults.visible(outcome.path)  # a line break or RTL override in a name shows as \n
    if outcome.status == "ingested":
        line = f"ingested {shown}: {outcome.extracts} extracts"
        details = [outcome.set_aside_note()]
        if outcome.redactions:
            counts = ", ".join(f"{n} {label}" for label, n in sorted(outcome.redactions.items()))
            details.append(f"redacted {counts}")
        if any(details):
            line += " (" + "; ".join(d for d in details if d) + ")"
        st.success(one_line(line))
    elif outcome.status == "unchanged":
        line = f"unchanged {shown}"
        st.info(one_line(line + (f" ({outcome.reason})" if outcome.reason else "")))
    else:
        st.warning(one_line(f"refused {shown}: {outcome.reason}"))
    for warning in outcome.warnings:
        st.caption(one_line(warning))


@guard.action("sources.remove", "staff", "sources-remove")
def remove_chosen() -> None:
    """Button callback: runs before the page, so the list below is already without it."""
    path = st.session_state.get("sources-remove-choice")
    if not path or not st.session_state.get("sources-remove-confirm"):
        return
    ws = workspace()
    try:
        removed = ws.remove_source(path)
        if removed:
            uploads.discard_upload(ws.settings.home, path)
        st.session_state[REMOVED] = ("removed" if removed else "not found", path)
    except Exception as err:  # noqa: BLE001 - shown as one line, never a traceback
        st.session_state[REMOVED] = (
            "error",
            faults.describe(err, f"removing {faults.visible(path)}"),
        )
    st.session_state["sources-remove-confirm"] = False
    st.session_state["sources-remove-choice"] = None


st.title("Sources")
st.caption(
    "Add evidence documents (PDF, Word, web pages, Markdown, text), survey exports (CSV, TSV, "
    "Excel) and contribution exports (CSV, JSON). Identifiers such as e-mail addresses and "
    "phone numbers are replaced before anything is stored."
)

try:
    ws = workspace()
except Exception as err:  # noqa: BLE001 - a bad setting is one line, never a traceback
    show_error(err)
    st.stop()

files = st.file_uploader(
    "Drop files here",
    accept_multiple_files=True,
    key="sources-upload",
    help=f"Up to {ws.settings.max_file_mb} MB each.",
)
pending = save_uploads(ws, files)

surveys = [path for path in pending if kind_of(str(path), unpacked_limit(ws)) == "survey"]
choices: dict[Path, dict] = {}
if surveys:
    st.subheader("Survey columns")
    st.caption(
        "Check the role guessed for each column: text becomes extracts; attributes (role, "
        "nation…) travel with each answer; id links one respondent's answers; date and author "
        "as named; ignore is never stored."
    )
    if st.session_state.get(MAPPING_FILE) != str(surveys[0]):
        # Edits are kept by row number: never apply one file's edits to another file.
        st.session_state.pop(MAPPING_KEY, None)
        st.session_state[MAPPING_FILE] = str(surveys[0])
    for number, path in enumerate(surveys):
        key = MAPPING_KEY if number == 0 else f"{MAPPING_KEY}-{path.name}"
        choices[path] = mapping_step(ws, path, key)


@guard.action("sources.ingest", "staff", "sources-ingest")
def ingest_pending() -> None:
    # What this run saved and mapped: the callback runs before the next run draws the page.
    paths, mapped = st.session_state.get(PENDING, ([], {}))
    st.session_state[OUTCOMES] = run_ingest(workspace(), paths, mapped)


st.session_state[PENDING] = (pending, choices)
st.button(
    "Ingest", key="sources-ingest", type="primary", disabled=not pending, on_click=ingest_pending
)
for outcome in st.session_state.get(OUTCOMES, []):
    show_outcome(outcome)

st.subheader("Sources in the workspace")
message = st.session_state.pop(REMOVED, None)
if message:
    status, text = message
    if status == "removed":
        st.success(one_line(f"removed {faults.visible(text)}"))
    elif status == "not found":
        st.info(one_line(f"{faults.visible(text)} was already gone"))
    else:
        show_error(RuntimeError(faults.one_line(text)))
try:
    listing = uploads.sources_table(ws.store)
except Exception as err:  # noqa: BLE001 - an unreachable store is one line
    show_error(err)
    st.stop()
st.dataframe(
    listing.assign(path=listing["path"].map(faults.visible)),  # names shown, never acted on
    hide_index=True,
    column_config={
        "extracts": st.column_config.NumberColumn("extracts", format="%d"),
        "non-answers": st.column_config.NumberColumn("non-answers", format="%d"),
    },
)
kept_by_question = set_aside.question_rows(ws.store.engine)
if kept_by_question:
    with st.expander("Non-answers and blank answers by question"):
        st.caption(
            "Survey replies that say nothing without their question (“Nothing”, “No”, “N/A”, "
            "“Don't know”) and blank ones are counted here, never stored as extracts, so they "
            "reach no theme and no search."
        )
        st.dataframe(kept_by_question, hide_index=True, key="sources-kept-aside")

if not listing.empty:
    st.selectbox(
        "Source to remove",
        listing["path"].tolist(),
        index=None,
        key="sources-remove-choice",
        placeholder="Choose a source",
        format_func=faults.visible,
    )
    st.checkbox(
        "Remove it and its extracts from search, themes and exports",
        key="sources-remove-confirm",
    )
    ready = bool(
        st.session_state.get("sources-remove-choice")
        and st.session_state.get("sources-remove-confirm")
    )
    st.button("Remove source", key="sources-remove", disabled=not ready, on_click=remove_chosen)
