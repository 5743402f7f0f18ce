"""Reading extracts back: with their source's path (provenance), for theming, by person; and
the IN-list sized chunks every bulk query here and elsewhere goes in."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from lab_app.core.schema import extract_attributes, extracts, sources


def chunks(ids: list, size: int = 500):
    """Slices small enough for an IN list on every database."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def attributes_by_extract(conn, source_id: int | None) -> dict[str, dict[str, str]]:
    query = select(extract_attributes)
    if source_id is not None:
        query = query.where(
            extract_attributes.c.extract_id.in_(
                select(extracts.c.id).where(extracts.c.source_id == source_id)
            )
        )
    result: dict[str, dict[str, str]] = {}
    for row in conn.execute(query):
        result.setdefault(row.extract_id, {})[row.name] = row.value
    return result


def theme_inputs(engine, kind: str | None = None) -> dict:
    """Every extract (or one kind) with what theming needs, sorted by id for determinism."""
    query = select(
        extracts.c.id, extracts.c.text, extracts.c.kind, extracts.c.date, extracts.c.embedding
    ).order_by(extracts.c.id)
    if kind:
        query = query.where(extracts.c.kind == kind)
    with engine.connect() as conn:
        rows = list(conn.execute(query))
        attributes = attributes_by_extract(conn, None)
    return {
        "ids": [row.id for row in rows],
        "texts": [row.text for row in rows],
        "kinds": [row.kind for row in rows],
        "dates": [row.date for row in rows],
        "vectors": (
            np.vstack([np.frombuffer(row.embedding, dtype=np.float32) for row in rows])
            if rows
            else np.zeros((0, 384), dtype=np.float32)
        ),
        "attributes": [attributes.get(row.id, {}) for row in rows],
    }


# An extract's text and provenance: what a quote, a citation or a result shows.
PROVENANCE = (
    extracts.c.id,
    extracts.c.kind,
    extracts.c.text,
    extracts.c.page,
    extracts.c.paragraph,
    extracts.c.row,
    extracts.c.date,
    extracts.c.person,
    extracts.c.question,
    sources.c.path.label("source"),
)


def with_sources(*columns):
    """A query of extracts joined to their source, selecting `columns` (default PROVENANCE,
    the source's path named "source"): the one place the join is written; add where/order."""
    joined = extracts.join(sources, sources.c.id == extracts.c.source_id)
    return select(*(columns or PROVENANCE)).select_from(joined)


def extracts_by_ids(engine, ids: list[str]) -> dict[str, dict]:
    """Text and provenance of the given extracts, keyed by id (missing ids are left out)."""
    query = with_sources().where(extracts.c.id.in_(ids))
    with engine.connect() as conn:
        return {row.id: dict(row._mapping) for row in conn.execute(query)}


def words_of(engine, persons) -> list[dict]:
    """Every extract stored under these person names: id, person, text, date and its vector."""
    wanted = sorted(set(persons))
    columns = (extracts.c.id, extracts.c.person, extracts.c.text, extracts.c.date)
    found = []
    with engine.connect() as conn:
        for chunk in chunks(wanted):
            query = select(*columns, extracts.c.embedding).where(extracts.c.person.in_(chunk))
            for row in conn.execute(query.order_by(extracts.c.id)):
                item = {c.name: getattr(row, c.name) for c in columns}
                found.append(dict(item, vector=np.frombuffer(row.embedding, dtype=np.float32)))
    return found


def vectors_of(engine, ids: list[str]) -> dict[str, np.ndarray]:
    """The stored vector of each of these extracts, by id (missing ids are left out)."""
    found = {}
    with engine.connect() as conn:
        for chunk in chunks(sorted(set(ids))):
            query = select(extracts.c.id, extracts.c.embedding).where(extracts.c.id.in_(chunk))
            for row in conn.execute(query):
                found[row.id] = np.frombuffer(row.embedding, dtype=np.float32)
    return found
