"""What withdrawal asks of participation: votes and contributions waiting for review go, the
approved-contributions file drops their items, reviews they made keep a pseudonym."""

from __future__ import annotations

import json
import os

from sqlalchemy import delete, select, update

from lab_app.core.schema import pending_contributions, votes
from lab_app.material.reads import chunks
from lab_app.opinions.participation import contribution_id, contributions_path

FORGETS = (votes.c.participant, pending_contributions.c.author, pending_contributions.c.reviewed_by)


def forget(conn, gone) -> dict:
    """Votes on their statements and their own votes go, and their contributions waiting for
    review; reviews they made keep a pseudonym."""
    for chunk in chunks(sorted(gone.extract_ids)):
        conn.execute(delete(votes).where(votes.c.statement.in_(chunk)))
    cast = conn.execute(delete(votes).where(votes.c.participant == gone.person)).rowcount
    waiting = conn.execute(
        delete(pending_contributions).where(pending_contributions.c.author == gone.person)
    ).rowcount
    query = update(pending_contributions).where(pending_contributions.c.reviewed_by == gone.person)
    conn.execute(query.values(reviewed_by=gone.alias))
    return {"votes": cast, "pending_contributions": waiting}


def app_contribution_ids(engine, person: str) -> set[str]:
    """The file ids ("app-<n>") of contributions this person sent from the app: their stored
    author may be a pseudonym when they gave an e-mail as their name."""
    query = select(pending_contributions.c.id).where(pending_contributions.c.author == person)
    with engine.connect() as conn:
        return {contribution_id(n) for n in conn.execute(query).scalars()}


def drop_from_file(workspace, person: str, app_ids: set[str]) -> None:
    """Drop their items from the approved-contributions file, and keep the store's hash of it
    in step so the file and the store agree."""
    path = contributions_path(workspace)
    if not path.is_file():
        return
    records = json.loads(path.read_text(encoding="utf-8"))
    kept = [r for r in records if r.get("author") != person and r.get("id") not in app_ids]
    if len(kept) == len(records):
        return
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, path)
    workspace.store.set_content_hash(path.relative_to(workspace.settings.home).as_posix(), path)
