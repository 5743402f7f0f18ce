"""The Lab itself: its name, its question and what it is about, kept in the store."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from lab_app.core.audit import record_audit
from lab_app.core.schema import lab_profile

FIELDS = ("name", "question", "description")


def profile(engine) -> dict:
    """{"name", "question", "description"}; empty strings before anyone has set them."""
    with engine.connect() as conn:
        row = conn.execute(select(lab_profile).where(lab_profile.c.id == 1)).first()
    return {field: (getattr(row, field) if row else "") or "" for field in FIELDS}


def set_profile(engine, who: str, **values: str | None) -> dict:
    """Change the fields given (None leaves a field as it is); return the profile."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"the Lab has no {', '.join(sorted(unknown))}: use {FIELDS}")
    current = profile(engine)
    changes = {k: " ".join(str(v).split()) for k, v in values.items() if v is not None}
    changes = {k: v for k, v in changes.items() if v != current[k]}
    if not changes:  # loading the demo again, or saving the same words: nothing to record
        return current
    with engine.begin() as conn:
        exists = conn.execute(select(lab_profile.c.id).where(lab_profile.c.id == 1)).first()
        if exists:
            conn.execute(update(lab_profile).where(lab_profile.c.id == 1).values(**changes))
        else:
            conn.execute(
                insert(lab_profile).values(id=1, **{**dict.fromkeys(FIELDS, ""), **changes})
            )
        record_audit(conn, "lab.profile", None, {"fields": sorted(changes)}, who=who)
    return profile(engine)
