"""What a reader calls a source: a document by its own title, any other file by its name."""

from __future__ import annotations

from pathlib import PurePosixPath

from sqlalchemy import select

from lab_app.core.schema import sources

FORMAT_WORDS = {"txt", "pdf", "docx", "doc", "md", "html", "htm", "web"}  # file-name prefixes


def source_name(path: str) -> str:
    """'…/contributions/workshop-notes.csv' -> 'workshop notes'."""
    stem = PurePosixPath(path or "").stem
    return " ".join(stem.replace("_", " ").replace("-", " ").split()) or "contribution"


def title_of(title: str | None, path: str) -> str:
    """A document's own title without a web page's ' | site' tail, else its file name in words
    without a format prefix ('Commissioner position note funding')."""
    if title and title.strip():
        return title.split(" | ")[0].strip()
    words = source_name(path).split(" ")
    if len(words) > 1 and words[0].lower() in FORMAT_WORDS:
        words = words[1:]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def titled_sources(engine) -> dict[str, str]:
    """Source path -> the title a reader knows it by, for every source that has one."""
    query = select(sources.c.path, sources.c.title).where(sources.c.title.is_not(None))
    with engine.connect() as conn:
        return {row.path: title_of(row.title, row.path) for row in conn.execute(query)
                if row.title.strip()}  # fmt: skip


def shown_name(path: str, titles: dict[str, str]) -> str:
    """The title of a titled source (a report, a web page), else its path as ingested."""
    return titles.get(path) or path or ""
