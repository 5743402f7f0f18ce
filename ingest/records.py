"""The records ingest produces: parsed documents and tables, and extracts with provenance."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("evidence", "survey", "contribution")


@dataclass(frozen=True)
class Block:
    """One piece of a document in reading order: a PDF page, or a paragraph/table cell run."""

    text: str
    page: int | None = None  # 1-based PDF page
    paragraph: int | None = None  # 0-based paragraph index within the document


@dataclass
class ParsedDocument:
    """What a document parser returns: text blocks in order, plus metadata and warnings."""

    blocks: list[Block]
    title: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd when the file says so
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Table:
    """One sheet or CSV of a tabular export, header resolved, every cell a string."""

    columns: list[str]  # one display name per column (question text where known)
    rows: list[list[str]]  # data rows, each as long as columns
    row_numbers: list[int]  # 1-based line/row in the file for each data row (provenance)
    sheet: str | None = None
    column_ids: list[str] | None = None  # e.g. Qualtrics QIDs when the export has them
    warnings: list[str] = field(default_factory=list)


@dataclass
class Extract:
    """A searchable passage or answer with everything needed to trace it to its source."""

    text: str
    kind: str
    start: int  # character offsets into the source's extracted (redacted) text
    end: int
    page: int | None = None
    paragraph: int | None = None
    row: int | None = None
    date: str | None = None
    person: str | None = None
    question: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)  # thread, parent, sheet, …
    id: str = ""  # stable content id, set once the source's path is known


@dataclass(frozen=True)
class SetAside:
    """A survey reply kept out of the extracts: blank, or a non-answer ("Nothing", "N/A")."""

    question: str
    kind: str  # "blank" or a non-answer type from ingest.non_answers.TYPES
    row: int | None = None
    person: str | None = None  # only so a withdrawal can take it out of the counts


@dataclass
class Source:
    """One ingested file: its redacted text, extracts and what redaction removed."""

    path: str
    kind: str
    content_hash: str
    text: str
    extracts: list[Extract]
    title: str | None = None
    date: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    redactions: dict[str, int] = field(default_factory=dict)
    set_aside: list[SetAside] = field(default_factory=list)  # counted, never stored as text
