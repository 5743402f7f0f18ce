"""Exchange with the tools Lab teams already use: REFI-QDA (.qdc, .qdpx), Excel and Pol.is."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from lab_app.core import audit as audit_log

# What each export writes, and the file name the app offers for it.
FORMATS = {
    "qdc": ("REFI-QDA codebook", "q-lab-codebook.qdc"),
    "qdpx": ("REFI-QDA project", "q-lab-project.qdpx"),
    "xlsx": ("Excel workbook", "q-lab-workbook.xlsx"),
    "polis": ("Pol.is statements and votes", "q-lab-polis.zip"),
}


def export(workspace, what: str, out: Path) -> str:
    """Write one export to `out`, note it in the audit trail, and return the line to show."""
    line = _export(workspace, what, Path(out))
    audit_log.record(workspace.store.engine, "export", what, {"file": Path(out).name})
    return line


def _export(workspace, what: str, out: Path) -> str:
    # Each format's module loads only when it is asked for.
    if what == "qdc":
        from lab_app.exchange.refi_qda import export_codebook

        return export_codebook(workspace, out)
    if what == "qdpx":
        from lab_app.exchange.refi_qda import export_project

        return export_project(workspace, out)
    if what == "xlsx":
        from lab_app.exchange.workbook import export_workbook

        return export_workbook(workspace, out)
    if what == "polis":
        from lab_app.exchange.polis_export import export_polis

        if out.suffix.lower() != ".zip":  # a folder in Pol.is's own layout
            return export_polis(workspace, out)
        # One file for a download: the same folder, zipped.
        with tempfile.TemporaryDirectory(prefix="qlab-polis-") as folder:
            line = export_polis(workspace, Path(folder) / out.stem)
            shutil.make_archive(str(out.with_suffix("")), "zip", folder, out.stem)
        return line.replace(str(Path(folder) / out.stem), out.name)
    raise ValueError(f"unknown export {what!r}: choose one of {', '.join(FORMATS)}")


def import_codebook(workspace, path: Path) -> str:
    """Turn a REFI-QDA codebook's codes into seed themes for the next build; return the line."""
    from lab_app.exchange.seeds import read_codebook, seed_themes

    path = Path(path)
    codes = read_codebook(path, workspace.settings.max_file_mb * 1_000_000)
    added, skipped = seed_themes(workspace, codes, path.name)
    present = f" ({skipped} already present)" if skipped else ""
    if not added:
        return f"every code in {path.name} is already a theme{present}; nothing to seed"
    return (
        f"seeded {len(added)} themes from {path.name}{present}: the next `qlab themes build` "
        "attaches matching extracts to them (add --fresh to regroup extracts already placed)"
    )
