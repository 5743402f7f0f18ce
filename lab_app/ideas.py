"""Ideas as first-class items: status with dated history, links, supporters, comments, merges,
candidates suggested from contributions written as proposals, and near-duplicate flags."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from sqlalchemy import delete, func, insert, select, update

from lab_app import theme_labels
from lab_app.participation import MAX_CONTRIBUTION_CHARS, _name, shown_to_participants
from lab_app.tables import extracts, theme_members, themes
from lab_app.tables_year import idea_comments, idea_history, idea_links, idea_supporters, ideas
from lab_app.theme_state import now, record_audit

STATUSES = ("emerging", "developing", "testing", "adopted", "parked")
TARGET_TYPES = ("extract", "theme", "source")
ROLES = ("source", "evidence", "theme")
MAX_TITLE_CHARS = 300
MAX_DESCRIPTION_CHARS = 5000

# How a contribution says it proposes something: "we should…", "what if…", "could we…".
PROPOSAL = re.compile(
    r"\b(?:we should|what if|could we|how about|why don'?t we|i'?d (?:love|like) to see|"
    r"i propose|imagine if|wouldn'?t it be|it would be (?:great|good) (?:if|to)|we need an?\b|"
    r"idea:|suggestion:)",
    re.IGNORECASE,
)
SAME_PROPOSAL = 0.65  # proposal sentences at least this similar are one candidate
MENTION = 0.55  # a contribution this similar to a proposal (post or sentence) mentions it
# Ideas this similar (title and description) are flagged for merging. On the demo Lab distinct
# ideas score at most 0.58, two wordings of one idea 0.5 to 0.85: a flag prompts, never merges.
DUPLICATE = 0.60
REPLY_DEPTH = 2  # replies to a proposal, and replies to those, react to it


# --- ideas -----------------------------------------------------------------------------------


def create_idea(
    engine, title: str, who: str, description: str = "", links: list[tuple] = ()
) -> str:
    """Add an idea (status emerging); links are (target_type, target_id, role). Returns its id."""
    who = _name(who, "staff")
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
    who = _name(who, "staff")
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
    who = _name(who, "staff")
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


def link(engine, idea_id: str, target_type: str, target_id: str, who: str, role: str = "") -> None:
    """Link an idea to an extract, theme or source (role: source, evidence or theme)."""
    who = _name(who, "staff")
    role = role or ("theme" if target_type == "theme" else "evidence")
    _check_link(target_type, target_id, role)
    _get(engine, idea_id)
    with engine.begin() as conn:
        _insert_link(conn, idea_id, target_type, target_id, role)
        _history(conn, idea_id, who, "linked", None, {"type": target_type, "id": target_id})
        record_audit(conn, "idea.link", idea_id, {"type": target_type, "id": target_id}, who=who)


def unlink(engine, idea_id: str, target_type: str, target_id: str, who: str) -> None:
    who = _name(who, "staff")
    key = _link_key(idea_id, target_type, target_id)
    with engine.begin() as conn:
        if conn.execute(delete(idea_links).where(key)).rowcount:
            _history(conn, idea_id, who, "unlinked", None, {"type": target_type, "id": target_id})
            record_audit(
                conn, "idea.unlink", idea_id, {"type": target_type, "id": target_id}, who=who
            )


def support(engine, idea_id: str, participant: str) -> None:
    """A participant backs an idea (once; backing again changes nothing)."""
    participant = _name(participant, "participant")
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
    participant = _name(participant, "participant")
    key = (idea_supporters.c.idea_id == idea_id) & (idea_supporters.c.participant == participant)
    with engine.begin() as conn:
        if conn.execute(delete(idea_supporters).where(key)).rowcount:
            record_audit(conn, "idea.unsupport", idea_id, {}, who=participant)


def comment(engine, idea_id: str, author: str, text: str) -> int:
    """Add a comment under an idea; the audit trail keeps its size, never its words."""
    author = _name(author, "author")
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
    who = _name(who, "staff")
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
        row["history"] = [
            dict(r._mapping)
            for r in conn.execute(
                select(idea_history)
                .where(idea_history.c.idea_id == idea_id)
                .order_by(idea_history.c.at, idea_history.c.id)
            )
        ]
        links = list(conn.execute(select(idea_links).where(idea_links.c.idea_id == idea_id)))
        row["supporters"] = [
            dict(r._mapping)
            for r in conn.execute(
                select(idea_supporters)
                .where(idea_supporters.c.idea_id == idea_id)
                .order_by(idea_supporters.c.at)
            )
        ]
        row["comments"] = [
            dict(r._mapping)
            for r in conn.execute(
                select(idea_comments)
                .where(idea_comments.c.idea_id == idea_id)
                .order_by(idea_comments.c.at, idea_comments.c.id)
            )
        ]
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


# --- suggestions -----------------------------------------------------------------------------


def suggest_ideas(workspace, kind: str = "contribution") -> list[dict]:
    """Candidate ideas from extracts (contributions by default) written as proposals.

    Proposal sentences are found by pattern and grouped by meaning; each group is one
    candidate titled with its most central proposal sentence (the participant's own words).
    Mentions are the proposals, replies to them, and extracts close in meaning to a proposal,
    each with its Lab date. Candidates whose proposals already belong to an idea are left out.
    """
    engine = workspace.store.engine
    rows = _rows(engine, kind)
    if not rows:
        return []
    proposals = [(i, sentence) for i, r in enumerate(rows) if (sentence := proposal_of(r["text"]))]
    if not proposals:
        return []
    taken = _linked_extracts(engine)
    vectors = np.vstack([r["vector"] for r in rows])
    sentences = workspace.embedder.embed([s for _, s in proposals])
    groups = _group(sentences, SAME_PROPOSAL)
    children = _replies(rows)
    # Key phrases of each group's proposals: the title when no proposer may be shown.
    phrases = theme_labels.key_phrases([" ".join(proposals[m][1] for m in g) for g in groups])
    found = []
    for members, words in zip(groups, phrases, strict=True):
        rows_in = [proposals[m][0] for m in members]
        if all(rows[i]["id"] in taken for i in rows_in):
            continue
        centre = sentences[members].mean(axis=0)
        # The title is a participant's own sentence: the most central one they let be shown.
        ranked = [members[j] for j in np.argsort(-(sentences[members] @ centre), kind="stable")]
        shown = shown_to_participants(engine, [rows[proposals[m][0]]["id"] for m in ranked])
        titled = [m for m in ranked if rows[proposals[m][0]]["id"] in shown]
        central = titled[0] if titled else ranked[0]
        mention_rows = set(rows_in)
        for m in members:
            i = proposals[m][0]
            mention_rows |= _reply_tree(i, rows, children)
            near = np.maximum(vectors @ vectors[i], vectors @ sentences[m])
            mention_rows |= set(np.flatnonzero(near >= MENTION).tolist())
        candidate = _candidate(rows, rows_in, proposals[central], sorted(mention_rows))
        if not titled:  # no proposer may be shown: a title of key words, not their sentence
            candidate["title"] = "A proposal about " + ", ".join(words[:3] or ["(no key words)"])
        found.append(candidate)
    found.sort(key=lambda c: (-c["people"], -c["mentions"], c["first_date"] or ""))
    return found


def proposal_of(text: str) -> str:
    """The sentence of a text that proposes something, or "" when none does."""
    match = PROPOSAL.search(text or "")
    if not match:
        return ""
    start = max(text.rfind(mark, 0, match.start()) for mark in ".?!\n") + 1
    ends = [j for j in (text.find(mark, match.end()) for mark in ".?!\n") if j >= 0]
    sentence = text[start : (min(ends) + 1 if ends else len(text))].strip()
    # "Idea: try it before you commit." says little in its first clause: keep the next one.
    if len(sentence) < 40 and ends:
        after = [j for j in (text.find(mark, min(ends) + 1) for mark in ".?!\n") if j >= 0]
        sentence = text[start : (min(after) + 1 if after else len(text))].strip()
    return " ".join(sentence.split())


def accept_candidate(engine, candidate: dict, who: str, title: str | None = None) -> str:
    """Make a suggested candidate an idea: its proposals as sources, mentions as evidence, and
    the themes most of them sit in."""
    links = [("extract", e, "source") for e in candidate["proposals"]]
    links += [
        ("extract", e, "evidence")
        for e in candidate["extract_ids"]
        if e not in candidate["proposals"]
    ]
    links += [("theme", t, "theme") for t in _main_themes(engine, candidate["extract_ids"])]
    return create_idea(engine, title or candidate["title"], who, links=links)


def near_duplicates(workspace, threshold: float = DUPLICATE) -> list[dict]:
    """Pairs of live ideas whose title and description mean nearly the same: merge candidates."""
    live = [r for r in list_ideas(workspace.store.engine) if not r["merged_into"]]
    if len(live) < 2:
        return []
    vectors = workspace.embedder.embed([f"{r['title']}. {r['description']}" for r in live])
    similar = vectors @ vectors.T
    pairs = []
    for a in range(len(live)):
        for b in range(a + 1, len(live)):
            if similar[a, b] >= threshold:
                pairs.append(
                    {
                        "ideas": [live[a]["id"], live[b]["id"]],
                        "similarity": round(float(similar[a, b]), 3),
                    }
                )
    return sorted(pairs, key=lambda p: -p["similarity"])


# --- helpers ---------------------------------------------------------------------------------


def _rows(engine, kind: str | None) -> list[dict]:
    query = select(
        extracts.c.id,
        extracts.c.text,
        extracts.c.date,
        extracts.c.person,
        extracts.c.meta,
        extracts.c.embedding,
    ).order_by(extracts.c.date, extracts.c.id)
    if kind:
        query = query.where(extracts.c.kind == kind)
    with engine.connect() as conn:
        return [
            {
                "id": r.id,
                "text": r.text,
                "date": r.date,
                "person": r.person,
                "meta": r.meta or {},
                "vector": np.frombuffer(r.embedding, dtype=np.float32),
            }
            for r in conn.execute(query)
        ]


def _group(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Groups of rows joined when similar enough (single link), each in row order."""
    parent = list(range(len(vectors)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    similar = vectors @ vectors.T
    for a, b in zip(*np.nonzero(np.triu(similar >= threshold, k=1)), strict=True):
        parent[root(int(a))] = root(int(b))
    groups: dict[int, list[int]] = {}
    for i in range(len(vectors)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _replies(rows: list[dict]) -> dict[str, list[int]]:
    """Post id (as the export gave it) -> rows that reply to it."""
    children: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        parent = row["meta"].get("parent")
        if parent:
            children.setdefault(str(parent), []).append(i)
    return children


def _reply_tree(i: int, rows: list[dict], children: dict[str, list[int]]) -> set[int]:
    """Rows replying to row i, and replies to those, down to REPLY_DEPTH."""
    found: set[int] = set()
    level = [i]
    for _ in range(REPLY_DEPTH):
        level = [c for r in level for c in children.get(str(rows[r]["meta"].get("id")), [])]
        found.update(level)
    return found


def _candidate(rows, proposal_rows, central, mention_rows) -> dict:
    row_index, sentence = central
    dates = sorted(rows[i]["date"] for i in mention_rows if rows[i]["date"])
    months = Counter(d[:7] for d in dates)
    return {
        "title": sentence,
        "central": rows[row_index]["id"],
        "proposals": [rows[i]["id"] for i in proposal_rows],
        "extract_ids": [rows[i]["id"] for i in mention_rows],
        "mentions": len(mention_rows),
        "people": len({rows[i]["person"] for i in mention_rows if rows[i]["person"]}),
        "first_date": dates[0] if dates else None,
        "last_date": dates[-1] if dates else None,
        "proposed_on": min(
            (rows[i]["date"] for i in proposal_rows if rows[i]["date"]), default=None
        ),
        "by_month": dict(sorted(months.items())),
    }


def _main_themes(engine, extract_ids: list[str], share: float = 0.25) -> list[str]:
    """Themes holding at least `share` of these extracts (at most three)."""
    if not extract_ids:
        return []
    query = select(theme_members.c.theme_id).where(
        theme_members.c.extract_id.in_(extract_ids), theme_members.c.status == "placed"
    )
    with engine.connect() as conn:
        counts = Counter(conn.execute(query).scalars())
    return [t for t, n in counts.most_common(3) if n >= share * len(extract_ids)]


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


def _linked_extracts(engine) -> set[str]:
    query = select(idea_links.c.target_id).where(
        idea_links.c.target_type == "extract", idea_links.c.role == "source"
    )
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


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
