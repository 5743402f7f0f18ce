"""Ideas as first-class items: status with a dated history, links, supporters, comments, merges."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update

from lab_app.core.audit import now, record_audit
from lab_app.core.roles import require_staff
from lab_app.core.schema import (
    extracts,
    idea_comments,
    idea_history,
    idea_links,
    idea_supporters,
    ideas,
    themes,
)
from lab_app.opinions.participation import MAX_CONTRIBUTION_CHARS, required_name

STATUSES = ("emerging", "developing", "testing", "adopted", "parked")
TARGET_TYPES = ("extract", "theme", "source")
ROLES = ("source", "evidence", "theme")
MAX_TITLE_CHARS = 300
MAX_DESCRIPTION_CHARS = 5000


# --- ideas -----------------------------------------------------------------------------------


def create_idea(
    engine, title: str, who: str, description: str = "", links: list[tuple] = ()
) -> str:
    """Add an idea (status emerging); links are (target_type, target_id, role). Returns its id."""
    who = required_name(who, "staff")
    require_staff(engine, who, "change ideas")
    title, description = _title(title), _description(description)
    for target_type, target_id, role in links:
        _check_link(target_type, target_id, role)
    stamp = now()
    with engine.begin() as conn:
        idea_id = _next_id(conn)
        conn.execute(
            insert(ideas).values(
                id=idea_id,
                title=title,
                description=description,
                status="emerging",
                created_by=who,
                created_at=stamp,
                updated_at=stamp,
                details={},
            )
        )
        _history(conn, idea_id, who, "created", "emerging", {}, stamp)
        for target_type, target_id, role in links:
            _insert_link(conn, idea_id, target_type, target_id, role)
        record_audit(conn, "idea.create", idea_id, {"links": len(links)}, who=who)
    return idea_id


def edit_idea(
    engine, idea_id: str, who: str, title: str | None = None, description: str | None = None
) -> None:
    """Change an idea's title and/or description; the history says which changed."""
    who = required_name(who, "staff")
    require_staff(engine, who, "change ideas")
    values = {}
    if title is not None:
        values["title"] = _title(title)
    if description is not None:
        values["description"] = _description(description)
    if not values:
        raise ValueError("nothing to change: give a new title or description")
    _get(engine, idea_id)
    with engine.begin() as conn:
        conn.execute(update(ideas).where(ideas.c.id == idea_id).values(updated_at=now(), **values))
        _history(conn, idea_id, who, "edited", None, {"fields": sorted(values)})
        record_audit(conn, "idea.edit", idea_id, {"fields": sorted(values)}, who=who)


def set_status(engine, idea_id: str, status: str, who: str, note: str = "") -> None:
    """Move an idea to a status (any of STATUSES); the change is dated in its history."""
    who = required_name(who, "staff")
    require_staff(engine, who, "change ideas")
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    row = _get(engine, idea_id)
    if row["merged_into"]:
        raise ValueError(f"idea {idea_id} was merged into {row['merged_into']}: change that one")
    if row["status"] == status:
        return
    detail = {"from": row["status"], "note": note.strip()[:MAX_TITLE_CHARS]}
    with engine.begin() as conn:
        conn.execute(
            update(ideas).where(ideas.c.id == idea_id).values(status=status, updated_at=now())
        )
        _history(conn, idea_id, who, "status", status, detail)
        record_audit(conn, "idea.status", idea_id, {"from": row["status"], "to": status}, who=who)


def mark_for_essay(engine, idea_id: str, who: str, marked: bool = True) -> None:
    """Staff mark an idea (whatever its status) to be recommended in essays, or unmark it. The
    mark lives in the idea's details ("for_essay"), so no column is added."""
    who = required_name(who, "staff")
    require_staff(engine, who, "change ideas")
    row = _live(engine, idea_id)
    details = dict(row["details"] or {})
    if bool(details.get("for_essay")) == marked:
        return
    details["for_essay"] = marked
    with engine.begin() as conn:
        conn.execute(
            update(ideas).where(ideas.c.id == idea_id).values(details=details, updated_at=now())
        )
        _history(conn, idea_id, who, "essay", None, {"marked": marked})
        record_audit(conn, "idea.essay", idea_id, {"marked": marked}, who=who)


def link(engine, idea_id: str, target_type: str, target_id: str, who: str, role: str = "") -> None:
    """Link an idea to an extract, theme or source (role: source, evidence or theme)."""
    who = required_name(who, "staff")
    require_staff(engine, who, "change ideas")
    role = role or ("theme" if target_type == "theme" else "evidence")
    _check_link(target_type, target_id, role)
    _get(engine, idea_id)
    with engine.begin() as conn:
        _insert_link(conn, idea_id, target_type, target_id, role)
        _history(conn, idea_id, who, "linked", None, {"type": target_type, "id": target_id})
        record_audit(conn, "idea.link", idea_id, {"type": target_type, "id": target_id}, who=who)


def unlink(engine, idea_id: str, target_type: str, target_id: str, who: str) -> None:
    who = required_name(who, "staff")
    require_staff(engine, who, "change ideas")
    key = _link_key(idea_id, target_type, target_id)
    with engine.begin() as conn:
        if conn.execute(delete(idea_links).where(key)).rowcount:
            _history(conn, idea_id, who, "unlinked", None, {"type": target_type, "id": target_id})
            record_audit(
                conn, "idea.unlink", idea_id, {"type": target_type, "id": target_id}, who=who
            )


def support(engine, idea_id: str, participant: str) -> None:
    """A participant backs an idea (once; backing again changes nothing)."""
    participant = required_name(participant, "participant")
    _live(engine, idea_id)
    key = (idea_supporters.c.idea_id == idea_id) & (idea_supporters.c.participant == participant)
    with engine.begin() as conn:
        if conn.execute(select(idea_supporters).where(key)).first():
            return
        conn.execute(
            insert(idea_supporters).values(idea_id=idea_id, participant=participant, at=now())
        )
        record_audit(conn, "idea.support", idea_id, {}, who=participant)


def unsupport(engine, idea_id: str, participant: str) -> None:
    participant = required_name(participant, "participant")
    key = (idea_supporters.c.idea_id == idea_id) & (idea_supporters.c.participant == participant)
    with engine.begin() as conn:
        if conn.execute(delete(idea_supporters).where(key)).rowcount:
            record_audit(conn, "idea.unsupport", idea_id, {}, who=participant)


def comment(engine, idea_id: str, author: str, text: str) -> int:
    """Add a comment under an idea; the audit trail keeps its size, never its words."""
    author = required_name(author, "author")
    text = (text or "").strip()
    if not text:
        raise ValueError("the comment is empty: write something first")
    if len(text) > MAX_CONTRIBUTION_CHARS:
        raise ValueError(f"the comment is over {MAX_CONTRIBUTION_CHARS} characters: shorten it")
    _live(engine, idea_id)
    with engine.begin() as conn:
        comment_id = conn.execute(
            insert(idea_comments).values(idea_id=idea_id, author=author, text=text, at=now())
        ).inserted_primary_key[0]
        record_audit(conn, "idea.comment", idea_id, {"chars": len(text)}, who=author)
    return int(comment_id)


def merge(engine, merged: list[str], into: str, who: str) -> None:
    """Fold ideas into one: links, supporters and comments move; the others point on to it."""
    who = required_name(who, "staff")
    require_staff(engine, who, "change ideas")
    merged = [i for i in dict.fromkeys(merged) if i != into]
    if not merged:
        raise ValueError("name at least one idea to merge other than the one that remains")
    _live(engine, into)
    for idea_id in merged:
        _live(engine, idea_id)
    stamp = now()
    with engine.begin() as conn:
        have = {
            (r.target_type, r.target_id)
            for r in conn.execute(select(idea_links).where(idea_links.c.idea_id == into))
        }
        backers = set(
            conn.execute(
                select(idea_supporters.c.participant).where(idea_supporters.c.idea_id == into)
            ).scalars()
        )
        for idea_id in merged:
            for row in conn.execute(select(idea_links).where(idea_links.c.idea_id == idea_id)):
                if (row.target_type, row.target_id) not in have:
                    have.add((row.target_type, row.target_id))
                    _insert_link(conn, into, row.target_type, row.target_id, row.role)
            for row in conn.execute(
                select(idea_supporters).where(idea_supporters.c.idea_id == idea_id)
            ):
                if row.participant not in backers:  # backing two merged ideas counts once
                    backers.add(row.participant)
                    conn.execute(
                        insert(idea_supporters).values(
                            idea_id=into, participant=row.participant, at=row.at
                        )
                    )
            conn.execute(delete(idea_supporters).where(idea_supporters.c.idea_id == idea_id))
            conn.execute(delete(idea_links).where(idea_links.c.idea_id == idea_id))
            conn.execute(
                update(idea_comments).where(idea_comments.c.idea_id == idea_id).values(idea_id=into)
            )
            conn.execute(
                update(ideas)
                .where(ideas.c.id == idea_id)
                .values(merged_into=into, updated_at=stamp)
            )
            _history(conn, idea_id, who, "merged", None, {"into": into}, stamp)
        _history(conn, into, who, "merged", None, {"from": merged}, stamp)
        conn.execute(update(ideas).where(ideas.c.id == into).values(updated_at=stamp))
        record_audit(conn, "idea.merge", into, {"merged": merged}, who=who)


# --- reading ---------------------------------------------------------------------------------


def list_ideas(engine, include_merged: bool = False) -> list[dict]:
    """Ideas in status order then newest first, with supporters, comments and linked themes."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(ideas))]
        backers = dict(
            conn.execute(
                select(idea_supporters.c.idea_id, func.count()).group_by(idea_supporters.c.idea_id)
            ).all()
        )
        comments = dict(
            conn.execute(
                select(idea_comments.c.idea_id, func.count()).group_by(idea_comments.c.idea_id)
            ).all()
        )
        links = list(conn.execute(select(idea_links)))
    themes_of = _themes_of(engine, links)
    found = []
    for row in rows:
        if row["merged_into"] and not include_merged:
            continue
        row["supporters"] = backers.get(row["id"], 0)
        row["comments"] = comments.get(row["id"], 0)
        row["themes"] = themes_of.get(row["id"], [])
        row["extracts"] = sum(
            1 for r in links if r.idea_id == row["id"] and r.target_type == "extract"
        )
        found.append(row)
    rank = {s: i for i, s in enumerate(STATUSES)}
    found.sort(key=lambda r: r["created_at"], reverse=True)
    return sorted(found, key=lambda r: (bool(r["merged_into"]), rank.get(r["status"], 9)))


def get_idea(engine, idea_id: str) -> dict:
    """One idea with its history, links, supporters and comments (oldest first)."""
    row = _get(engine, idea_id)
    with engine.connect() as conn:
        row["history"] = _oldest_first(conn, idea_history, idea_id)
        links = list(conn.execute(select(idea_links).where(idea_links.c.idea_id == idea_id)))
        row["supporters"] = _oldest_first(conn, idea_supporters, idea_id)
        row["comments"] = _oldest_first(conn, idea_comments, idea_id)
    row["links"] = [dict(r._mapping) for r in links]
    row["themes"] = _themes_of(engine, links).get(idea_id, [])
    return row


def idea_dates(engine, idea_id: str) -> list[dict]:
    """Dated activity of an idea: linked extracts (their Lab date), backing and comments."""
    detail = get_idea(engine, idea_id)
    ids = [r["target_id"] for r in detail["links"] if r["target_type"] == "extract"]
    with engine.connect() as conn:
        dated = conn.execute(
            select(extracts.c.id, extracts.c.date).where(extracts.c.id.in_(ids))
        ).all()
    found = [{"date": d, "what": "mention", "extract_id": e} for e, d in dated if d]
    found += [{"date": r["at"].date().isoformat(), "what": "backing"} for r in detail["supporters"]]
    found += [{"date": r["at"].date().isoformat(), "what": "comment"} for r in detail["comments"]]
    return sorted(found, key=lambda r: r["date"])


# --- helpers ---------------------------------------------------------------------------------


def _oldest_first(conn, table, idea_id: str) -> list[dict]:
    """An idea's rows in `table` (history, supporters or comments), oldest first."""
    order = [table.c.at]
    if "id" in table.c:  # rows stamped in the same instant keep the order they were added
        order.append(table.c.id)
    query = select(table).where(table.c.idea_id == idea_id).order_by(*order)
    return [dict(r._mapping) for r in conn.execute(query)]


def _themes_of(engine, links) -> dict[str, list[dict]]:
    """idea id -> [{id, label}] for themes linked to it."""
    wanted = {r.target_id for r in links if r.target_type == "theme"}
    if not wanted:
        return {}
    with engine.connect() as conn:
        labels = dict(
            conn.execute(select(themes.c.id, themes.c.label).where(themes.c.id.in_(wanted))).all()
        )
    found: dict[str, list[dict]] = {}
    for r in links:
        if r.target_type == "theme":
            label = labels.get(r.target_id, r.target_id)
            found.setdefault(r.idea_id, []).append({"id": r.target_id, "label": label})
    return found


def _next_id(conn) -> str:
    numbers = [
        int(i.split("-")[1])
        for i in conn.execute(select(ideas.c.id)).scalars()
        if i.startswith("I-") and i.split("-")[1].isdigit()
    ]
    return f"I-{max(numbers, default=0) + 1:03d}"


def _history(conn, idea_id, who, event, status, detail, at=None) -> None:
    conn.execute(
        insert(idea_history).values(
            idea_id=idea_id, at=at or now(), who=who, event=event, status=status, detail=detail
        )
    )


def _insert_link(conn, idea_id, target_type, target_id, role) -> None:
    conn.execute(delete(idea_links).where(_link_key(idea_id, target_type, target_id)))
    conn.execute(
        insert(idea_links).values(
            idea_id=idea_id, target_type=target_type, target_id=str(target_id), role=role
        )
    )


def _link_key(idea_id, target_type, target_id):
    return (
        (idea_links.c.idea_id == idea_id)
        & (idea_links.c.target_type == target_type)
        & (idea_links.c.target_id == str(target_id))
    )


def _check_link(target_type: str, target_id, role: str) -> None:
    if target_type not in TARGET_TYPES:
        raise ValueError(f"an idea links to {', '.join(TARGET_TYPES)}, not {target_type!r}")
    if not str(target_id or "").strip():
        raise ValueError(f"the {target_type} to link is missing")
    if role not in ROLES:
        raise ValueError(f"the link's role must be one of {', '.join(ROLES)}, not {role!r}")


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValueError("the idea needs a title")
    if len(title) > MAX_TITLE_CHARS:
        raise ValueError(f"the title is over {MAX_TITLE_CHARS} characters: shorten it")
    return title


def _description(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise ValueError(f"the description is over {MAX_DESCRIPTION_CHARS} characters")
    return text


def _get(engine, idea_id: str) -> dict:
    with engine.connect() as conn:
        row = conn.execute(select(ideas).where(ideas.c.id == str(idea_id))).first()
    if row is None:
        raise ValueError(f"no idea {idea_id}: `qlab ideas list` shows the ideas there are")
    return dict(row._mapping)


def _live(engine, idea_id: str) -> dict:
    row = _get(engine, idea_id)
    if row["merged_into"]:
        raise ValueError(f"idea {idea_id} was merged into {row['merged_into']}: use that one")
    return row
