"""Document parsers, one module per format, chosen by file suffix."""

from __future__ import annotations

import importlib
from pathlib import Path

from ingest.errors import UnsupportedFormat
from ingest.records import ParsedDocument

# suffix -> module name in this package; each module has parse(path, password=None)
DOCUMENT_PARSERS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}
TABULAR_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xls", ".json"}

# Formats people send that we do not read: say what to do instead.
REFUSED = {
    ".doc": "legacy Word .doc is not supported: save it as .docx",
    ".rtf": "RTF is not supported: save it as .docx or .txt",
    ".odt": "OpenDocument text is not supported: save it as .docx",
    ".pptx": "PowerPoint is not supported: export it as PDF",
    ".ppt": "PowerPoint is not supported: export it as PDF",
    ".pages": "Apple Pages is not supported: export it as .docx or PDF",
    ".xlsm": "macro-enabled workbooks are not supported: save as .xlsx",
    ".ods": "OpenDocument spreadsheets are not supported: save as .xlsx or .csv",
    ".zip": "archives are not read: unpack it and ingest the folder",
}


def parse_document(path: Path, password: str | None = None) -> ParsedDocument:
    """Parse one evidence document; raises UnsupportedFormat for suffixes we do not read."""
    suffix = path.suffix.lower()
    module_name = DOCUMENT_PARSERS.get(suffix)
    if module_name is None:
        reason = REFUSED.get(suffix, f"unsupported format {suffix or '(no suffix)'}")
        raise UnsupportedFormat(reason)
    module = importlib.import_module(f"ingest.formats.{module_name}")
    return module.parse(path, password=password)
