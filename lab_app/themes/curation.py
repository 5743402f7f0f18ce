"""Staff curation of themes: each action is a constraint every later build honours, is written
to the audit trail with what it replaced, and each person can undo their own last one."""

from __future__ import annotations

import numpy as np
from sqlalchemy import delete, insert, select, update

from lab_app.core.audit import current_user, now, record_audit
from lab_app.core.schema import theme_history, theme_members, theme_pins, themes
from lab_app.material.reads import chunks, theme_inputs
from lab_app.themes import words
from lab_app.themes.state import load_state

THEME_FIELDS = ("label", "label_by_staff", "description", "description_by_staff", "status",
                "merged_into", "locked")  # fmt: skip


class CurationError(ValueError):
    """A curation request that cannot be carried out; the message says why."""


def rename(engine, theme_id: str, label: str) -> None:
    label = " ".join(label.split())
    if not label:
        raise CurationError("a theme's name cannot be empty")
    _change(
        engine,
        "rename",
        theme_id,
        themes_after={theme_id: {"label": label, "label_by_staff": True}},
    )


def describe(engine, theme_id: str, text: str) -> None:
    _change(
        engine,
        "describe",
        theme_id,
        themes_after={theme_id: {"description": text.strip(), "description_by_staff": True}},
    )


def lock(engine, theme_id: str, locked: bool = True) -> None:
    _change(
        engine,
        "lock" if locked else "unlock",
        theme_id,
        themes_after={theme_id: {"locked": locked}},
    )


def move(engine, extract_ids: str | list[str], theme_id: str) -> list[str]:
    """Put one or several extracts in a theme as ONE action (one audit line, one undo); returns
    the ids moved (those already there are left as they are)."""
    ids = _require_extracts(engine, extract_ids, "moved")
    state = load_state(engine)
    _require_active(state, theme_id)
    ids = [e for e in ids if not _placed_in(state, e, theme_id)]
    if not ids:
        raise CurationError(f"already in {words.theme(engine, theme_id)}: nothing was moved")
    _change(
        engine,
        "move",
        theme_id,
        themes_after={theme_id: {}},
        members_after={e: (theme_id, "placed", "staff") for e in ids},
        detail={"extracts": len(ids), "to": theme_id},
    )
    return ids


def exclude(engine, extract_ids: str | list[str]) -> list[str]:
    """Keep one or several extracts out of every theme, as ONE action; returns the ids."""
    ids = _require_extracts(engine, extract_ids, "excluded")
    target = ids[0] if len(ids) == 1 else f"{len(ids)} extracts"
    members = {e: (None, "excluded", "staff") for e in ids}
    _change(engine, "exclude", target, members_after=members, detail={"extracts": len(ids)})
    return ids


def pin(engine, extract_id: str) -> None:
    """Pin an extract as an exemplar of the theme it is in."""
    _require_extracts(engine, extract_id, "pinned")
    state = load_state(engine)
    member = state.members.get(extract_id)
    if member is None or member.status != "placed":
        what = words.extract(engine, extract_id)
        raise CurationError(f"{what} is not in a theme: move it into one first")
    # A pinned exemplar is also held in its theme, so no regrouping can take it away.
    _change(
        engine,
        "pin",
        extract_id,
        members_after={extract_id: (member.theme_id, "placed", "staff")},
        pins_after={(member.theme_id, extract_id): True},
    )


def merge(engine, theme_ids: list[str], into: str) -> None:
    """Fold themes into one; their extracts are placed there by staff, so it sticks."""
    state = load_state(engine)
    others = [t for t in theme_ids if t != into]
    if not others:
        raise CurationError("name at least one theme to merge into another")
    for theme_id in [*others, into]:
        _require_active(state, theme_id)
    members = {
        e: (into, "placed", "staff")
        for e, m in state.members.items()
        if m.status == "placed" and m.theme_id in others
    }
    pins = {(t, e): False for t in others for e in state.pins.get(t, [])}
    pins.update({(into, e): True for t in others for e in state.pins.get(t, [])})
    after = {t: {"status": "merged", "merged_into": into} for t in others}
    after[into] = {}
    _change(
        engine,
        "merge",
        into,
        themes_after=after,
        members_after=members,
        pins_after=pins,
        detail={"merged": others},
    )


def split(engine, theme_id: str, parts: int = 2) -> list[str]:
    """Regroup one theme's extracts into `parts` themes; the largest keeps the id."""
    from lab_app.themes import clustering  # scikit-learn loads only when splitting
    from lab_app.themes import labels as theme_labels

    state = load_state(engine)
    _require_active(state, theme_id)
    member_ids = sorted(
        e for e, m in state.members.items() if m.status == "placed" and m.theme_id == theme_id
    )
    if len(member_ids) < 2 * parts:
        name = words.theme(engine, theme_id)
        raise CurationError(f"{name} has {len(member_ids)} extracts: too few to split")
    data = theme_inputs(engine)
    row = {e: i for i, e in enumerate(data["ids"])}
    rows = [row[e] for e in member_ids]
    grouping = clustering.group(
        data["vectors"][rows], [data["texts"][r] for r in rows], k=parts, min_size=1
    )
    documents = [
        "\n".join(data["texts"][r] for r, g in zip(rows, grouping.labels, strict=True) if g == part)
        for part in range(grouping.k)
    ]
    phrases = theme_labels.key_phrases(documents)
    names = [theme_id] + [f"T-{n:03d}" for n in _new_numbers(state, grouping.k - 1)]
    after = {theme_id: {}}
    for part in range(1, grouping.k):
        after[names[part]] = {
            "label": theme_labels.label_from(phrases[part], names[part]),
            "status": "active",
            "area": state.themes[theme_id]["area"],
        }
    members = {
        e: (names[int(g)], "placed", "staff")
        for e, g in zip(member_ids, grouping.labels, strict=True)
    }
    _change(
        engine, "split", theme_id, themes_after=after, members_after=members, detail={"into": names}
    )
    return names


def undo(engine, who: str | None = None) -> dict:
    """Put back what this person's last curation action (not yet undone) changed; the answer's
    "message" says what in words. `who` defaults to the person acting (core/audit)."""
    from lab_app.themes.undo import undo_last  # undo.py builds on this module

    return undo_last(engine, who or current_user())


def restore(conn, before: dict) -> None:
    """Write back the themes, memberships and pins an action's audit line kept as "before"."""
    for theme_id, values in before["themes"].items():
        if values is None:
            conn.execute(delete(themes).where(themes.c.id == theme_id))
        else:
            conn.execute(update(themes).where(themes.c.id == theme_id).values(**values))
    for extract_id, values in before["members"].items():
        conn.execute(delete(theme_members).where(theme_members.c.extract_id == extract_id))
        if values is not None:
            conn.execute(insert(theme_members).values(extract_id=extract_id, **values))
    for key, present in before["pins"]:
        theme_id, extract_id = key
        _set_pin(conn, theme_id, extract_id, present)


# --- one transaction per action, with the state it replaced kept for undo -------------------


def _change(
    engine, action, target, themes_after=None, members_after=None, pins_after=None, detail=None
) -> None:
    themes_after, members_after = themes_after or {}, members_after or {}
    pins_after = pins_after or {}
    stamp, who = now(), current_user()
    with engine.begin() as conn:
        before = {"themes": {}, "members": {}, "pins": []}
        for theme_id, values in themes_after.items():
            row = conn.execute(select(themes).where(themes.c.id == theme_id)).first()
            if row is None and action != "split":
                raise CurationError("no such theme: `qlab themes list` lists them")
            if values or row is None:  # a theme only receiving extracts keeps its fields
                before["themes"][theme_id] = (
                    {f: getattr(row, f) for f in THEME_FIELDS} if row is not None else None
                )
            if row is None:
                conn.execute(
                    insert(themes).values(id=theme_id, created_at=stamp, updated_at=stamp, **values)
                )
            elif values:
                conn.execute(
                    update(themes).where(themes.c.id == theme_id).values(updated_at=stamp, **values)
                )
        for extract_id, (theme_id, status, placed_by) in members_after.items():
            row = conn.execute(
                select(theme_members).where(theme_members.c.extract_id == extract_id)
            ).first()
            before["members"][extract_id] = (
                {
                    k: getattr(row, k)
                    for k in ("theme_id", "status", "placed_by", "similarity", "build_id")
                }
                if row is not None
                else None
            )
            conn.execute(delete(theme_members).where(theme_members.c.extract_id == extract_id))
            conn.execute(
                insert(theme_members).values(
                    extract_id=extract_id, theme_id=theme_id, status=status, placed_by=placed_by
                )
            )
        for (theme_id, extract_id), present in pins_after.items():
            was = conn.execute(
                select(theme_pins).where(
                    theme_pins.c.theme_id == theme_id, theme_pins.c.extract_id == extract_id
                )
            ).first()
            before["pins"].append([[theme_id, extract_id], was is not None])
            _set_pin(conn, theme_id, extract_id, present)
        for theme_id in themes_after:
            conn.execute(
                insert(theme_history).values(
                    theme_id=theme_id, at=stamp, event=action, detail=dict(detail or {}, who=who)
                )
            )
        record_audit(conn, f"curate.{action}", target, dict(detail or {}, before=before), who)


def _set_pin(conn, theme_id: str, extract_id: str, present: bool) -> None:
    conn.execute(
        delete(theme_pins).where(
            theme_pins.c.theme_id == theme_id, theme_pins.c.extract_id == extract_id
        )
    )
    if present:
        conn.execute(insert(theme_pins).values(theme_id=theme_id, extract_id=extract_id))


def _require_active(state, theme_id: str) -> None:
    row = state.themes.get(theme_id)
    if row is None or row["status"] != "active":
        raise CurationError("no such active theme (merged away?): `qlab themes list` lists them")


def _require_extracts(engine, extract_ids: str | list[str], done: str) -> list[str]:
    """The ids, once each, in order; refused whole when any is unknown, saying how many."""
    from lab_app.core.schema import extracts

    ids = list(dict.fromkeys([extract_ids] if isinstance(extract_ids, str) else extract_ids))
    if not ids:
        raise CurationError(f"choose at least one extract: nothing was {done}")
    known = set()
    with engine.connect() as conn:
        for part in chunks(ids):
            known.update(
                conn.execute(select(extracts.c.id).where(extracts.c.id.in_(part))).scalars()
            )
    unknown = len(ids) - len(known)
    if unknown and len(ids) == 1:
        raise CurationError(
            f"that extract is not in the workspace (removed, withdrawn or mistyped): "
            f"nothing was {done}"
        )
    if unknown:
        raise CurationError(
            f"{unknown} of the {len(ids)} extracts chosen are not in the workspace (removed, "
            f"withdrawn or mistyped): nothing was {done}; choose again"
        )
    return ids


def _placed_in(state, extract_id: str, theme_id: str) -> bool:
    member = state.members.get(extract_id)
    return member is not None and member.status == "placed" and member.theme_id == theme_id


def _new_numbers(state, count: int) -> list[int]:
    numbers = [int(t.split("-")[1]) for t in state.themes if t.startswith("T-")]
    start = max(numbers, default=0) + 1
    return list(np.arange(start, start + count))
