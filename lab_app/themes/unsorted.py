"""What fits no theme: the extracts the last build left in Unsorted, for staff to review."""

from __future__ import annotations

from sqlalchemy import func, select

from lab_app.core.schema import extracts, sources, theme_members
from lab_app.material.source_names import title_of
from lab_app.themes.views import shortened

SHORT_TEXT = 160  # characters of each shown in a review list


def unsorted_extracts(engine) -> list[dict]:
    """Every Unsorted extract: id, kind, its text cut to SHORT_TEXT and its source as a reader
    knows it (a document by its title, a file by its name in words), by source then place in it
    (a file's stray rows stay together)."""
    query = (
        select(
            extracts.c.id,
            extracts.c.kind,
            sources.c.path,
            sources.c.title,
            func.substr(extracts.c.text, 1, SHORT_TEXT + 1).label("text"),
        )
        .join(theme_members, theme_members.c.extract_id == extracts.c.id)
        .join(sources, sources.c.id == extracts.c.source_id)
        .where(theme_members.c.status == "unsorted")
        .order_by(sources.c.path, extracts.c.position, extracts.c.id)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["text"] = shortened(row["text"], SHORT_TEXT)
        row["source"] = title_of(row.pop("title"), row.pop("path"))
    return rows


def fit_none(count: int) -> str:
    """ "1 extract fits no theme", "12 extracts fit no theme": how every place says it."""
    return "1 extract fits no theme" if count == 1 else f"{count:,} extracts fit no theme"


def unsorted_count(engine) -> int:
    with engine.connect() as conn:
        query = select(func.count()).where(theme_members.c.status == "unsorted")
        return int(conn.execute(query.select_from(theme_members)).scalar() or 0)
