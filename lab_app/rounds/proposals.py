"""Proposals in a round: members propose and revise their own (every version kept), with links
to themes, evidence, ideas and other proposals; identifiers are redacted before anything is
stored."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, insert, select, update

from ingest.redact import redact_many
from lab_app.core.audit import now, record_audit
from lab_app.core.schema import round_comments, round_proposals, round_revisions
from lab_app.opinions.participation import required_name
from lab_app.rounds import links as round_links
from lab_app.rounds.rounds import get_round, require_state

MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 4000
FIELDS = ("title", "problem", "idea")


def propose(workspace, round_id, author: str, title: str, problem: str, idea: str, links=()) -> int:
    """Add a proposal to an open round; returns its id. `links` are (type, id) pairs."""
    engine = workspace.store.engine
    author = required_name(author, "member")
    row = get_round(engine, round_id)
    require_state(row, ("open",), "proposals can be made")
    text = _cleaned(title, problem, idea)
    stored_links = round_links.checked(engine, links)
    vector = _vector(workspace, text)
    stamp = now()
    with engine.begin() as conn:
        proposal_id = conn.execute(
            insert(round_proposals).values(
                round_id=row["id"],
                author=author,
                links=stored_links,
                version=1,
                shortlisted=False,
                vector=vector,
                created_at=stamp,
                updated_at=stamp,
                **text,
            )
        ).inserted_primary_key[0]
        _revision(conn, proposal_id, 1, text, stored_links, author, stamp)
        detail = {"round": row["id"], "links": len(stored_links)}
        record_audit(conn, "round.propose", f"proposal:{proposal_id}", detail, who=author)
    return int(proposal_id)


def revise(
    workspace, proposal_id, who: str, title=None, problem=None, idea=None, links=None
) -> int:
    """A new version of a proposal, by its author only, while the round is open; fields left
    None stay as they were. Returns the new version number."""
    engine = workspace.store.engine
    who = required_name(who, "member")
    current = get_proposal(engine, proposal_id)
    if current["author"] != who:
        raise PermissionError("only the member who made a proposal can revise it")
    require_state(get_round(engine, current["round_id"]), ("open",), "proposals can be revised")
    text = _cleaned(
        current["title"] if title is None else title,
        current["problem"] if problem is None else problem,
        current["idea"] if idea is None else idea,
    )
    stored_links = current["links"] if links is None else round_links.checked(engine, links)
    changed = [f for f in FIELDS if text[f] != current[f]]
    if stored_links != current["links"]:
        changed.append("links")
    if not changed:
        raise ValueError("nothing changed: edit the title, problem, idea or links first")
    version, stamp = current["version"] + 1, now()
    with engine.begin() as conn:
        conn.execute(
            update(round_proposals)
            .where(round_proposals.c.id == current["id"])
            .values(
                version=version,
                links=stored_links,
                vector=_vector(workspace, text),
                updated_at=stamp,
                **text,
            )
        )
        _revision(conn, current["id"], version, text, stored_links, who, stamp)
        detail = {"version": version, "fields": changed}
        record_audit(conn, "round.revise", f"proposal:{current['id']}", detail, who=who)
    return version


def get_proposal(engine, proposal_id) -> dict:
    """One proposal with its versions (oldest first); no vote counts."""
    number = _number(proposal_id)
    with engine.connect() as conn:
        row = conn.execute(select(round_proposals).where(round_proposals.c.id == number)).first()
        if row is None:
            raise ValueError(f"no proposal {proposal_id}: `qlab exchange list ROUND` shows them")
        query = select(round_revisions).where(round_revisions.c.proposal_id == number)
        versions = [
            dict(r._mapping) for r in conn.execute(query.order_by(round_revisions.c.version))
        ]
    found = dict(row._mapping)
    found.pop("vector")
    found["versions"] = versions
    return found


def list_proposals(engine, round_id, shortlisted_only: bool = False) -> list[dict]:
    """A round's proposals in the order they came, with how many comments each has."""
    columns = [c for c in round_proposals.c if c.name != "vector"]
    query = select(*columns).where(round_proposals.c.round_id == int(round_id))
    if shortlisted_only:
        query = query.where(round_proposals.c.shortlisted)
    counted = select(round_comments.c.proposal_id, func.count()).group_by(
        round_comments.c.proposal_id
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(round_proposals.c.id))]
        comments = dict(conn.execute(counted).all())
    for row in rows:
        row["comments"] = comments.get(row["id"], 0)
    return rows


def proposal_vectors(engine) -> list[tuple[dict, np.ndarray]]:
    """(proposal, vector) for every proposal that has one, for suggestions by meaning."""
    query = select(
        round_proposals.c.id,
        round_proposals.c.round_id,
        round_proposals.c.title,
        round_proposals.c.vector,
    ).where(round_proposals.c.vector.is_not(None))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        (
            {"id": r.id, "round_id": r.round_id, "title": r.title},
            np.frombuffer(r.vector, np.float32),
        )
        for r in rows
    ]


def as_text(row: dict) -> str:
    """What a proposal says, as one text (its title, the problem, the idea)."""
    return ". ".join(part.strip() for part in (row["title"], row["problem"], row["idea"]) if part)


def _cleaned(title: str, problem: str, idea: str) -> dict:
    """The three fields trimmed, checked and with identifiers replaced, as ingest does."""
    title = " ".join((title or "").split())
    problem, idea = (problem or "").strip(), (idea or "").strip()
    if not title:
        raise ValueError("the proposal needs a title")
    if len(title) > MAX_TITLE_CHARS:
        raise ValueError(f"the title is over {MAX_TITLE_CHARS} characters: shorten it")
    if not problem or not idea:
        raise ValueError("say what the problem is and what your idea is: both are needed")
    for name, value in (("problem", problem), ("idea", idea)):
        if len(value) > MAX_TEXT_CHARS:
            raise ValueError(f"the {name} is over {MAX_TEXT_CHARS} characters: shorten it")
    cleaned = [text for text, _ in redact_many([title, problem, idea])]
    return dict(zip(FIELDS, cleaned, strict=True))


def _vector(workspace, text: dict) -> bytes:
    vector = workspace.embedder.embed([as_text(text)])[0]
    return np.asarray(vector, dtype=np.float32).tobytes()


def _revision(conn, proposal_id, version, text, links, who, stamp) -> None:
    conn.execute(
        insert(round_revisions).values(
            proposal_id=proposal_id, version=version, links=links, who=who, at=stamp, **text
        )
    )


def _number(value) -> int:
    try:
        return int(str(value).strip().lstrip("#P"))
    except ValueError:
        raise ValueError(f"{value!r} is not a proposal number") from None
