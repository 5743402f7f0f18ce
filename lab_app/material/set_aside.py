"""Survey replies kept out of the extracts (blank ones and non-answers): counted per source and
question, stored in the source's meta, and reported by ingest, `qlab status` and the app."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from ingest.non_answers import TYPES
from ingest.records import SetAside, Source
from lab_app.core.schema import sources

META_KEY = "set_aside"  # sources.meta[META_KEY] = {question: {"blank" | type: count}}


def counts_by_question(items: list[SetAside]) -> dict[str, dict[str, int]]:
    """{question: {kind: n}} with kinds in report order; only kinds that occur."""
    counts: dict[str, Counter] = {}
    for item in items:
        counts.setdefault(item.question, Counter())[item.kind] += 1
    order = ("blank", *TYPES)
    return {
        question: {kind: found[kind] for kind in order if found[kind]}
        for question, found in counts.items()
    }


def source_meta(source: Source) -> dict:
    """The meta stored with a source: its metadata, plus the set-aside counts for a survey
    (an empty dict when none, so every survey says it was counted)."""
    if source.kind != "survey":
        return dict(source.metadata)
    return {**source.metadata, META_KEY: counts_by_question(source.set_aside)}


def split(by_question: dict[str, dict[str, int]]) -> tuple[int, int]:
    """(non-answers, blank answers) in {question: {kind: n}}."""
    blank = sum(kinds.get("blank", 0) for kinds in by_question.values())
    return sum(sum(kinds.values()) for kinds in by_question.values()) - blank, blank


def note(non_answers: int, blank: int) -> str:
    """ "312 non-answers and 40 blank answers kept aside", or "" when there are none."""
    parts = [
        f"{n:,} {label}{'' if n == 1 else 's'}"
        for n, label in ((non_answers, "non-answer"), (blank, "blank answer"))
        if n
    ]
    return f"{' and '.join(parts)} kept aside" if parts else ""


def _stored(engine) -> list[tuple[str, dict[str, dict[str, int]]]]:
    query = select(sources.c.path, sources.c.meta).where(sources.c.kind == "survey")
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(sources.c.path)).all()
    return [(row.path, (row.meta or {}).get(META_KEY) or {}) for row in rows]


def totals(engine) -> dict:
    """{"non_answers": n, "non_answers_by_type": {type: n}, "blank_answers": n} over the store."""
    by_type: Counter = Counter()
    for _, by_question in _stored(engine):
        for kinds in by_question.values():
            by_type.update(kinds)
    blank = by_type.pop("blank", 0)
    return {
        "non_answers": sum(by_type.values()),
        "non_answers_by_type": {kind: by_type[kind] for kind in TYPES if by_type[kind]},
        "blank_answers": blank,
    }


def per_source(engine) -> dict[str, tuple[int, int]]:
    """path -> (non-answers, blank answers) for every survey source."""
    return {path: split(by_question) for path, by_question in _stored(engine)}


def question_rows(engine) -> list[dict]:
    """One row per survey question with anything kept aside: source, question, each type's
    count and the blank answers, for the Sources page."""
    rows = []
    for path, by_question in _stored(engine):
        for question, kinds in by_question.items():
            row = {"source": path, "question": question}
            row.update({kind: kinds.get(kind, 0) for kind in TYPES})
            row["blank"] = kinds.get("blank", 0)
            rows.append(row)
    return rows
