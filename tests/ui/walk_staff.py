"""What Lab staff (and other people) did before and during the participant's walk
(test_participant_walk.py), through the same functions the staff pages call."""

from __future__ import annotations

from pathlib import Path

from tests.ui.conftest import TEST_ACCOUNTS

ME, STAFF = TEST_ACCOUNTS["participant"], TEST_ACCOUNTS["staff"]
OTHER = "test-member-2"  # another participant, whose contribution is the news in a theme
NEWS = "Our peer group now meets on Thursday evenings, so people who work days can come too."
PRIOR_VOTES = 6  # cast on an earlier visit: one short of being placed in a group


def news_in_a_theme(ws) -> dict:
    """The participant followed and opened a theme earlier; since then another participant's
    contribution was approved and staff placed it in that theme (the Contributions and Themes
    pages' own functions). Returns that theme, and the largest other one to follow now."""
    from lab_app.opinions import participation
    from lab_app.people import following
    from lab_app.themes import curation, views

    engine = ws.store.engine
    # Staff place it where the words nearest in meaning already are.
    hits = ws.search(NEWS, k=20)
    placed = views.themes_of(engine, [hit["extract_id"] for hit in hits])
    theme = next(placed[h["extract_id"]]["id"] for h in hits if h["extract_id"] in placed)
    following.follow(engine, ME, theme)
    following.record_visit(engine, ME, theme)
    pending = participation.submit_contribution(engine, OTHER, NEWS)
    assert participation.approve(ws, pending, STAFF).status == "ingested"
    (added,) = [h["extract_id"] for h in ws.search(NEWS, k=3, kind="contribution")
                if h["text"] == NEWS]  # fmt: skip
    curation.move(engine, [added], theme)
    rows = {row["id"]: row for row in ws.list_themes() if row["status"] == "active"}
    other = max((t for t in rows if t != theme), key=lambda t: rows[t]["size"])
    return {"news": theme, "news_label": rows[theme]["label"], "other": other,
            "other_label": rows[other]["label"]}  # fmt: skip


def statements_voted(engine, conversation) -> dict:
    """Staff write a real conversation's statements; its people's votes are replayed in the
    order Pol.is received them; earlier, the participant voted as one of those people did on
    six statements, one short of being placed in a group. Returns the statement they vote on
    in the browser (the first one, which that person voted on too), and how."""
    from lab_app.opinions import polis_input, statements

    # The moderator's seed comments ("I am between 15 and 19 years old") are profile questions,
    # not statements: staff take the participants' own.
    owner = conversation.comments[0]["author"]
    ids = {}
    for comment in conversation.comments:
        if comment["author"] != owner and comment["moderated"] != -1:
            ids[comment["id"]] = statements.write(engine, statements.shorten(comment["text"]),
                                                  STAFF)  # fmt: skip
    times = conversation.vote_times
    order = sorted(
        conversation.votes, key=lambda k: (times.get(k, 0), *map(polis_input.natural, k))
    )
    for person, comment in order:
        if comment in ids:
            statements.vote(engine, person, ids[comment], conversation.votes[(person, comment)])
    first = min(ids.values())
    theirs = {}
    for (person, comment), value in conversation.votes.items():
        if comment in ids:
            theirs.setdefault(person, {})[ids[comment]] = value
    like = next(p for p in conversation.participants
                if first in theirs.get(p, {}) and len(theirs[p]) > PRIOR_VOTES)  # fmt: skip
    earlier = sorted(s for s in theirs[like] if s != first)[:PRIOR_VOTES]
    for statement in earlier:
        statements.vote(engine, ME, statement, theirs[like][statement])
    return {"statement": first, "value": theirs[like][first],
            "text": statements.get(engine, first)["text"]}  # fmt: skip


def approve_proposal(home: Path, text: str) -> None:
    """Staff approve a proposed statement, as the Statements page's Approve button does."""
    from lab_app.core.settings import Settings
    from lab_app.opinions import statements
    from lab_app.workspace import Workspace

    engine = Workspace(Settings.from_env(home=home)).store.engine
    try:
        (proposal,) = [r for r in statements.listing(engine, "pending") if r["text"] == text]
        statements.review(engine, proposal["id"], True, STAFF)
    finally:
        engine.dispose()
