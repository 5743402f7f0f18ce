"""What withdrawal asks of ideas: their support and comments go, their words leave titles and
descriptions, ideas they added keep a pseudonym."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from lab_app.core.forgetting import MIN_QUOTE_CHARS, flat, scrub_fields
from lab_app.core.schema import idea_comments, idea_history, idea_links, idea_supporters, ideas
from lab_app.material.reads import chunks

UNTITLED = "[title removed: its author withdrew; staff, give this idea a new title]"
FORGETS = (
    idea_supporters.c.participant,
    idea_comments.c.author,
    ideas.c.created_by,
    idea_history.c.who,
)


def forget(conn, gone) -> dict:
    """Their support and comments go, links to their extracts go, quotes of their words leave
    ideas (a title that is their sentence too); ideas they added keep a pseudonym."""
    for chunk in chunks(sorted(gone.extract_ids)):
        conn.execute(
            delete(idea_links).where(
                idea_links.c.target_type == "extract", idea_links.c.target_id.in_(chunk)
            )
        )
    support = conn.execute(
        delete(idea_supporters).where(idea_supporters.c.participant == gone.person)
    ).rowcount
    comments = conn.execute(
        delete(idea_comments).where(idea_comments.c.author == gone.person)
    ).rowcount
    query = select(ideas.c.id, ideas.c.title, ideas.c.description, ideas.c.details)
    for row in conn.execute(query).all():
        values = scrub_fields(row, gone, text_fields=("description",), json_fields=("details",))
        # An accepted suggestion is titled with a proposal sentence: their words, unquoted.
        title = flat(row.title or "").strip(" .…")
        if len(title) >= MIN_QUOTE_CHARS and any(title in p for p in gone.passages):
            values["title"] = UNTITLED
        if values:
            conn.execute(update(ideas).where(ideas.c.id == row.id).values(**values))
    for column in (ideas.c.created_by, idea_history.c.who):
        query = update(column.table).where(column == gone.person)
        conn.execute(query.values({column.name: gone.alias}))
    return {"idea_support": support, "idea_comments": comments}
