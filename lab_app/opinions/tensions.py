"""Tensions: stored from the signals on each recompute; staff confirm or dismiss them."""

# A tension's id comes from what it is about (the statement, the two attributes, the theme), so a
# recompute updates it in place and staff decisions stick. Tensions hold extract ids, never text:
# quotes are looked up when shown, so withdrawn material disappears from them too.

from __future__ import annotations

import hashlib
from collections import Counter

from sqlalchemy import delete, func, insert, select, update

from lab_app.core.audit import current_user, now, record_audit
from lab_app.core.forgetting import scrub_fields
from lab_app.core.roles import require_staff
from lab_app.core.schema import (
    derived,
    extracts,
    tension_history,
    tensions,
    theme_builds,
    theme_history,
    theme_members,
    themes,
    votes,
)
from lab_app.opinions.signals import attribute_tensions, vote_tensions
from lab_app.opinions.text_signal import text_tensions

STATUSES = ("suggested", "confirmed", "dismissed")
FRESHNESS = "tensions-inputs"  # its row in the derived table: the inputs last computed from


# --- computing -------------------------------------------------------------------------------


def refresh(workspace, who: str | None = None) -> dict:
    """Recompute every signal and store the result; return counts by signal and change."""
    engine = workspace.store.engine
    require_staff(engine, who or current_user(), "recompute tensions")
    inputs = fingerprint(engine)
    found = vote_tensions(engine) + attribute_tensions(workspace) + text_tensions(engine)
    done = save(engine, found, who or current_user())
    _remember(engine, inputs)
    return done


def ensure_fresh(workspace) -> dict | None:
    """Recompute only if votes, extracts or themes changed since the last computation: called
    after imports, ingests and theme builds, and before `qlab tensions` lists anything."""
    engine = workspace.store.engine
    if _remembered(engine) == fingerprint(engine):
        return None
    return refresh(workspace, "system")


def fingerprint(engine) -> str:
    """What the signals read, in a few numbers: votes, extracts, themes and their members."""
    queries = [
        select(func.count(), func.max(votes.c.at)).select_from(votes),
        select(func.count(), func.max(extracts.c.id)).select_from(extracts),
        select(func.max(theme_builds.c.id)).select_from(theme_builds),
        select(func.count(), func.max(theme_history.c.id)).select_from(theme_history),
        select(func.count()).select_from(theme_members),
        select(func.count(), func.max(themes.c.updated_at)).select_from(themes),
    ]
    with engine.connect() as conn:
        return "|".join(str(tuple(conn.execute(q).one())) for q in queries)


def _remembered(engine) -> str | None:
    with engine.connect() as conn:
        row = conn.execute(select(derived.c.key).where(derived.c.name == FRESHNESS)).first()
    return row.key if row else None


def _remember(engine, inputs: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(derived).where(derived.c.name == FRESHNESS))
        conn.execute(insert(derived).values(name=FRESHNESS, key=inputs, data=b"", at=now()))


# --- storing ---------------------------------------------------------------------------------


def tension_id(key: str) -> str:
    """A stable id from what the tension is about."""
    return "X-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def save(engine, found: list[dict], who: str) -> dict:
    """Insert new tensions, update changed ones (keeping staff status), mark vanished ones."""
    stamp = now()
    counts: Counter = Counter()
    with engine.begin() as conn:
        existing = {row.id: dict(row._mapping) for row in conn.execute(select(tensions))}
        seen = set()
        for tension in found:
            identifier = tension_id(tension["key"])
            seen.add(identifier)
            measures = dict(tension["measures"], key=tension["key"], current=True)
            values = {
                "signal": tension["signal"],
                "title": tension["title"],
                "themes": tension["themes"],
                "sides": tension["sides"],
                "measures": measures,
            }
            before = existing.get(identifier)
            if before is None:
                conn.execute(
                    insert(tensions).values(
                        id=identifier, status="suggested", created_at=stamp, updated_at=stamp,
                        **values,
                    )
                )  # fmt: skip
                _history(conn, identifier, stamp, who, "found", _snapshot(tension))
                counts["new"] += 1
            elif any(before[k] != v for k, v in values.items()):
                conn.execute(
                    update(tensions)
                    .where(tensions.c.id == identifier)
                    .values(updated_at=stamp, **values)
                )
                _history(conn, identifier, stamp, who, "updated", _snapshot(tension))
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        for identifier, row in existing.items():
            if identifier in seen or not (row["measures"] or {}).get("current", True):
                continue
            measures = dict(row["measures"] or {}, current=False)
            conn.execute(
                update(tensions)
                .where(tensions.c.id == identifier)
                .values(measures=measures, updated_at=stamp)
            )
            _history(conn, identifier, stamp, who, "no longer found", {})
            counts["gone"] += 1
        by_signal = Counter(t["signal"] for t in found)
        record_audit(conn, "tensions.refresh", None, {**counts, **by_signal}, who=who)
    return {"signals": dict(by_signal), **{k: counts[k] for k in
            ("new", "updated", "unchanged", "gone")}}  # fmt: skip


def _snapshot(tension: dict) -> dict:
    """What the history keeps of a recompute: sizes and the headline measure, never text."""
    measures = tension["measures"]
    headline = {
        k: measures[k]
        for k in ("divisiveness", "votes", "agree_gap", "cramers_v", "score")
        if k in measures
    }
    headline["sides"] = [len(side["extract_ids"]) for side in tension["sides"]]
    return headline


def _history(conn, tension: str, stamp, who: str, event: str, detail: dict) -> None:
    conn.execute(
        insert(tension_history).values(
            tension_id=tension, at=stamp, who=who, event=event, detail=detail
        )
    )


def decide(engine, identifier: str, status: str, who: str, note: str = "") -> dict:
    """Staff confirm or dismiss a tension (or put it back to suggested); kept through recomputes."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    who = (who or "").strip()
    if not who:
        raise ValueError("say who decides: a staff name is needed")
    require_staff(engine, who, "confirm or dismiss a tension")
    row = get(engine, identifier)
    if row is None:
        raise ValueError(f"no tension {identifier}: see `qlab tensions` for the ids")
    if row["status"] == status:
        return row
    stamp = now()
    with engine.begin() as conn:
        conn.execute(update(tensions).where(tensions.c.id == identifier).values(status=status))
        detail = {"from": row["status"], "to": status}
        if note:
            detail["note_chars"] = len(note)  # the trail never holds free text
        _history(conn, identifier, stamp, who, status, detail)
        record_audit(conn, f"tension.{status}", identifier, detail, who=who)
    return get(engine, identifier)


def confirm(engine, identifier: str, who: str) -> dict:
    return decide(engine, identifier, "confirmed", who)


def dismiss(engine, identifier: str, who: str) -> dict:
    return decide(engine, identifier, "dismissed", who)


# --- reading ---------------------------------------------------------------------------------


def get(engine, identifier: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(tensions).where(tensions.c.id == identifier)).first()
    return dict(row._mapping) if row else None


def list_tensions(engine, include_dismissed: bool = False, include_gone: bool = False):
    """Tensions for the UI and CLI: confirmed first, then suggested, by signal and strength."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(tensions))]
    kept = [
        r
        for r in rows
        if (include_dismissed or r["status"] != "dismissed")
        and (
            include_gone or (r["measures"] or {}).get("current", True) or r["status"] == "confirmed"
        )
    ]
    order = {"confirmed": 0, "suggested": 1, "dismissed": 2}
    signal_order = {"votes": 0, "attributes": 1, "text": 2}
    return sorted(
        kept,
        key=lambda r: (
            order[r["status"]],
            signal_order.get(r["signal"], 3),
            not likely(r),
            -_strength(r),
            r["id"],
        ),
    )


def for_participants(rows: list[dict]) -> list[dict]:
    """What participants may see: confirmed tensions, and unreviewed ones from votes and
    answers (measured, not guessed). Text suggestions wait for staff: the model measures
    closeness in topic, not stance (docs/benchmarks.md has its precision)."""
    return [
        r
        for r in rows
        if r["status"] == "confirmed"
        or (r["status"] == "suggested" and r["signal"] in ("votes", "attributes")
            and (r["measures"] or {}).get("current", True))
    ]  # fmt: skip


def likely(row: dict) -> bool:
    """A text suggestion whose quoted pairs (nearly) all push back on each other is reviewed
    first."""
    from lab_app.opinions.text_signal import STANCE_THRESHOLD

    if row["signal"] != "text":
        return True
    return float((row["measures"] or {}).get("stance", 0.0)) >= STANCE_THRESHOLD


def _strength(row: dict) -> float:
    measures = row["measures"] or {}
    for key in ("divisiveness", "cramers_v", "stance", "score"):
        if key in measures:
            return float(measures[key])
    return 0.0


def history(engine, identifier: str) -> list[dict]:
    query = (
        select(tension_history)
        .where(tension_history.c.tension_id == identifier)
        .order_by(tension_history.c.id)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def as_json(row: dict) -> dict:
    """A tension as plain JSON values (dates as ISO text)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


# --- helpers ---------------------------------------------------------------------------------


# --- withdrawal ------------------------------------------------------------------------------

FORGETS = (tension_history.c.who,)


def forget(conn, gone) -> dict:
    """Quotes of their words leave each tension's sides and title (a vote tension's title quotes
    its statement), noted in its history; decisions they took keep a pseudonym."""
    stamp = now()
    for row in conn.execute(select(tensions.c.id, tensions.c.title, tensions.c.sides)).all():
        values = scrub_fields(row, gone, text_fields=("title",), json_fields=("sides",))
        if values:
            query = update(tensions).where(tensions.c.id == row.id)
            conn.execute(query.values(updated_at=stamp, **values))
            conn.execute(
                insert(tension_history).values(
                    tension_id=row.id, at=stamp, who="system", event="withdrawal", detail={}
                )
            )
    query = update(tension_history).where(tension_history.c.who == gone.person)
    conn.execute(query.values(who=gone.alias))
    return {}
