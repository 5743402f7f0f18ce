"""Consent: which extracts may be shown to participants and which may be quoted in publications.

Three layers decide, most specific last: the defaults (shown, quotable), a row for the whole
source, a row for the person; and a survey answer about quoting (an attribute whose name
mentions quoting, answered No) always withholds quotation, whatever the rows say.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from lab_app.core.audit import now, record_audit
from lab_app.core.schema import consent, extract_attributes, extracts, sources, theme_members
from lab_app.material.reads import with_sources

NO_VALUES = ("no", "false", "n", "0")
FIELDS = ("show_to_participants", "quote_in_publications")
# Attribute groups smaller than this many people are not shown to participants: a breakdown
# of a handful of people can point at one of them.
MIN_GROUP = 5


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
    chosen = {"show_to_participants": show_to_participants,
              "quote_in_publications": quote_in_publications}  # fmt: skip
    changes = {k: bool(v) for k, v in chosen.items() if v is not None}
    key = (consent.c.subject_type == subject_type) & (consent.c.subject_id == subject_id)
    stamp = {"updated_at": now(), "updated_by": who}
    # Only the fields asked for are written, in one UPDATE: two staff changing different
    # fields of the same person at once both keep their change (no read-modify-write).
    for _attempt in range(3):
        try:
            with engine.begin() as conn:
                found = conn.execute(update(consent).where(key).values(**changes, **stamp))
                if found.rowcount == 0:
                    conn.execute(
                        consent.insert().values(
                            subject_type=subject_type,
                            subject_id=subject_id,
                            **dict(dict.fromkeys(FIELDS, True), **changes),
                            **stamp,
                        )
                    )
                row = conn.execute(select(consent).where(key)).one()
                values = {f: getattr(row, f) for f in FIELDS}
                record_audit(conn, "consent.set", f"{subject_type}:{subject_id}", changes, who=who)
            return values
        except IntegrityError:  # another session inserted the row first: update it instead
            continue
    raise ValueError("consent could not be saved while others changed it: try again")


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
            query = with_sources(extracts.c.id, extracts.c.person, sources.c.path).where(
                extracts.c.id.in_(chunk)
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


def recorded(engine) -> list[dict]:
    """Every consent row recorded (people and sources), most recently changed first."""
    with engine.connect() as conn:
        query = select(consent).order_by(consent.c.updated_at.desc())
        return [dict(row._mapping) for row in conn.execute(query)]


def people_with_extracts(engine) -> list[dict]:
    """Every person the store holds extracts of, as in `qlab export extracts`, with counts."""
    query = (
        select(extracts.c.person, extracts.c.kind, func.count())
        .where(extracts.c.person.is_not(None))
        .group_by(extracts.c.person, extracts.c.kind)
    )
    found: dict[str, dict] = {}
    with engine.connect() as conn:
        for person, kind, count in conn.execute(query):
            row = found.setdefault(person, {"person": person, "extracts": 0, "kinds": {}})
            row["extracts"] += count
            row["kinds"][kind] = count
    return [found[p] for p in sorted(found)]


def parse_yes_no(value: str | None) -> bool | None:
    """'yes'/'no' (and y/n, true/false) from the command line; None when not given."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in NO_VALUES:
        return False
    raise ValueError(f"{value!r} is not yes or no")


# --- small numbers ---------------------------------------------------------------------------


def _who(column_extract_id):
    # An extract without a person counts as a person of its own.
    return func.coalesce(extracts.c.person, column_extract_id)


def people_per_value(engine, attribute_names) -> dict[tuple[str, str], int]:
    """(attribute, value) -> how many distinct people hold it."""
    names = list(attribute_names)
    if not names:
        return {}
    attrs = extract_attributes.c
    query = (
        select(attrs.name, attrs.value, func.count(_who(attrs.extract_id).distinct()))
        .join(extracts, extracts.c.id == attrs.extract_id)
        .where(attrs.name.in_(names))
        .group_by(attrs.name, attrs.value)
    )
    with engine.connect() as conn:
        return {(name, value): n for name, value, n in conn.execute(query)}


def shown_values(engine, attribute: str, minimum: int = MIN_GROUP) -> list[str]:
    """The values of one attribute held by at least `minimum` people: the only ones a
    participant may filter or break down by."""
    counts = people_per_value(engine, [attribute])
    return sorted(value for (_, value), n in counts.items() if n >= minimum)


def suppress_small_counts(
    counts: dict[str, int], people: dict[str, int], minimum: int = MIN_GROUP
) -> dict[str, int | None]:
    """A breakdown for participants: a group of fewer than `minimum` people shows as None
    ("fewer than 5"), whatever its count of extracts."""
    return {key: (n if people.get(key, 0) >= minimum else None) for key, n in counts.items()}


def suppress_matrix(engine, matrix: dict, minimum: int = MIN_GROUP) -> dict:
    """theme_views.attribute_matrix's result made fit for participants: each theme × value
    cell, each theme row and each overall value held by fewer than `minimum` people has its
    count and share set to None; themes whose holders are fewer than `minimum` are left out."""
    values = matrix.get("values") or []
    if not values:
        return matrix
    names = _attribute_names(engine, matrix["attribute"])
    attrs = extract_attributes.c
    who = _who(attrs.extract_id)
    cell_query = (
        select(theme_members.c.theme_id, attrs.value, func.count(who.distinct()))
        .join(extracts, extracts.c.id == attrs.extract_id)
        .join(theme_members, theme_members.c.extract_id == attrs.extract_id)
        .where(attrs.name.in_(names), theme_members.c.status == "placed")
        .group_by(theme_members.c.theme_id, attrs.value)
    )
    row_query = (
        select(theme_members.c.theme_id, func.count(who.distinct()))
        .join(extracts, extracts.c.id == attrs.extract_id)
        .join(theme_members, theme_members.c.extract_id == attrs.extract_id)
        .where(attrs.name.in_(names), theme_members.c.status == "placed")
        .group_by(theme_members.c.theme_id)
    )
    overall_query = (
        select(attrs.value, func.count(who.distinct()))
        .join(extracts, extracts.c.id == attrs.extract_id)
        .where(attrs.name.in_(names))
        .group_by(attrs.value)
    )
    with engine.connect() as conn:
        cells = {(t, v): n for t, v, n in conn.execute(cell_query)}
        rows = dict(conn.execute(row_query).all())
        overall = dict(conn.execute(overall_query).all())
    themes = []
    for theme in matrix["themes"]:
        if rows.get(theme["id"], 0) < minimum:
            continue
        keep = [cells.get((theme["id"], v), 0) >= minimum for v in values]
        themes.append(
            dict(
                theme,
                counts=[c if k else None for c, k in zip(theme["counts"], keep, strict=True)],
                share=[s if k else None for s, k in zip(theme["share"], keep, strict=True)],
            )
        )
    result = dict(matrix, themes=themes)
    if matrix.get("overall"):
        keep = [overall.get(v, 0) >= minimum for v in values]
        result["overall"] = dict(
            matrix["overall"],
            counts=[
                c if k else None for c, k in zip(matrix["overall"]["counts"], keep, strict=True)
            ],
            share=[s if k else None for s, k in zip(matrix["overall"]["share"], keep, strict=True)],
        )
    return result


def _attribute_names(engine, attribute: str) -> list[str]:
    """The attribute columns that answer one question ("question — option" columns share it)."""
    with engine.connect() as conn:
        names = conn.execute(select(extract_attributes.c.name).distinct()).scalars()
        return [n for n in names if n == attribute or n.startswith(f"{attribute} — ")]


# --- withdrawal ------------------------------------------------------------------------------

FORGETS = (consent.c.subject_id, consent.c.updated_by)


def forget(conn, gone) -> dict:
    """Their own consent choices go; choices they recorded for others keep a pseudonym."""
    conn.execute(
        delete(consent).where(
            consent.c.subject_type == "person", consent.c.subject_id == gone.person
        )
    )
    query = update(consent).where(consent.c.updated_by == gone.person)
    conn.execute(query.values(updated_by=gone.alias))
    return {}
