"""Consent: which extracts may be shown to participants and which may be quoted in publications.

Three layers decide, most specific last: the defaults (shown, quotable), a row for the whole
source, a row for the person; and a survey answer about quoting (an attribute whose name
mentions quoting, answered No) always withholds quotation, whatever the rows say.
"""

from __future__ import annotations

from sqlalchemy import func, select

from lab_app.tables import extract_attributes, extracts, sources
from lab_app.tables_people import consent
from lab_app.theme_state import now, record_audit

NO_VALUES = ("no", "false", "n", "0")
FIELDS = ("show_to_participants", "quote_in_publications")


def may_show(engine, extract_ids) -> set[str]:
    """The extracts among these that participants may see."""
    return {e for e, c in _decide(engine, extract_ids).items() if c["show_to_participants"]}


def may_quote(engine, extract_ids) -> set[str]:
    """The extracts among these that may be quoted in what the Lab publishes."""
    return {e for e, c in _decide(engine, extract_ids).items() if c["quote_in_publications"]}


def set_consent(
    engine,
    subject_type: str,
    subject_id: str,
    who: str,
    show_to_participants: bool | None = None,
    quote_in_publications: bool | None = None,
) -> dict:
    """Record what a person or a source agreed to; unchanged fields keep their value."""
    if subject_type not in ("person", "source"):
        raise ValueError(f"consent is for a person or a source, not {subject_type!r}")
    if not subject_id:
        raise ValueError("consent needs the person or source it is for")
    current = consent_of(engine, subject_type, subject_id)
    chosen = {"show_to_participants": show_to_participants,
              "quote_in_publications": quote_in_publications}  # fmt: skip
    values = {k: current[k] if v is None else bool(v) for k, v in chosen.items()}
    key = (consent.c.subject_type == subject_type) & (consent.c.subject_id == subject_id)
    with engine.begin() as conn:
        conn.execute(consent.delete().where(key))
        conn.execute(
            consent.insert().values(
                subject_type=subject_type,
                subject_id=subject_id,
                updated_at=now(),
                updated_by=who,
                **values,
            )
        )
        record_audit(conn, "consent.set", f"{subject_type}:{subject_id}", values, who=who)
    return values


def consent_of(engine, subject_type: str, subject_id: str) -> dict:
    """The recorded consent of one person or source, or the defaults."""
    query = select(consent).where(
        consent.c.subject_type == subject_type, consent.c.subject_id == subject_id
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return {f: getattr(row, f) for f in FIELDS} if row else dict.fromkeys(FIELDS, True)


def _decide(engine, extract_ids) -> dict[str, dict]:
    wanted = list(dict.fromkeys(extract_ids))
    if not wanted:
        return {}
    decided: dict[str, dict] = {}
    with engine.connect() as conn:
        owners = {}
        for start in range(0, len(wanted), 500):  # keep IN lists within every database's limit
            chunk = wanted[start : start + 500]
            query = (
                select(extracts.c.id, extracts.c.person, sources.c.path)
                .join(sources, sources.c.id == extracts.c.source_id)
                .where(extracts.c.id.in_(chunk))
            )
            owners.update({row.id: (row.person, row.path) for row in conn.execute(query)})
        rows = {(r.subject_type, r.subject_id): r for r in conn.execute(select(consent))}
        refused_quote = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = select(extract_attributes.c.extract_id).where(
                extract_attributes.c.extract_id.in_(chunk),
                func.lower(extract_attributes.c.name).contains("quot"),
                func.lower(func.trim(extract_attributes.c.value)).in_(NO_VALUES),
            )
            refused_quote.update(conn.execute(query).scalars())
    for extract_id, (person, path) in owners.items():
        decision = dict.fromkeys(FIELDS, True)
        for key in (("source", path), ("person", person)):
            row = rows.get(key)
            if row is not None:
                decision = {f: getattr(row, f) for f in FIELDS}
        if extract_id in refused_quote:
            decision["quote_in_publications"] = False
        decided[extract_id] = decision
    return decided
