"""A round: staff open it with a question, dates and sizes, and move it through its states."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select, update

from lab_app.core.audit import now, record_audit
from lab_app.core.roles import require_staff
from lab_app.core.schema import round_proposals, rounds
from lab_app.opinions.participation import required_name

# open: members propose, revise and comment; shortlisting: staff choose the shortlist (comments
# go on); voting: members cast ballots at the event, staff enter paper ones; closed: results.
STATES = ("open", "shortlisting", "voting", "closed")
MAX_QUESTION_CHARS = 500
MAX_SIZE = 500


def open_round(
    engine,
    question: str,
    opens: str,
    proposals_close: str,
    event: str,
    shortlist_size: int,
    select_size: int,
    who: str,
) -> int:
    """Open a round (state open); dates are YYYY-MM-DD, in order. Returns its id."""
    who = required_name(who, "staff")
    require_staff(engine, who, "open a Q Exchange round")
    question = " ".join((question or "").split())
    if not question:
        raise ValueError("the round needs a question, e.g. 'How could peer support reach more?'")
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(f"the question is over {MAX_QUESTION_CHARS} characters: shorten it")
    days = [_day(opens, "opens"), _day(proposals_close, "proposals close"), _day(event, "event")]
    if not days[0] <= days[1] <= days[2]:
        raise ValueError("the dates must run in order: opens ≤ proposals close ≤ event")
    shortlist_size, select_size = int(shortlist_size), int(select_size)
    if not 1 <= select_size <= shortlist_size <= MAX_SIZE:
        raise ValueError(
            f"choose 1 ≤ number to select ({select_size}) ≤ number to shortlist "
            f"({shortlist_size}) ≤ {MAX_SIZE}"
        )
    stamp = now()
    with engine.begin() as conn:
        round_id = conn.execute(
            insert(rounds).values(
                question=question,
                opens=days[0].isoformat(),
                proposals_close=days[1].isoformat(),
                event=days[2].isoformat(),
                shortlist_size=shortlist_size,
                select_size=select_size,
                state="open",
                created_by=who,
                created_at=stamp,
                updated_at=stamp,
            )
        ).inserted_primary_key[0]
        detail = {"shortlist": shortlist_size, "select": select_size}
        record_audit(conn, "round.open", f"round:{round_id}", detail, who=who)
    return int(round_id)


def get_round(engine, round_id) -> dict:
    """One round, or a ValueError saying how to find one."""
    with engine.connect() as conn:
        row = conn.execute(select(rounds).where(rounds.c.id == _id(round_id))).first()
    if row is None:
        raise ValueError(f"no round {round_id}: `qlab exchange list` shows the rounds there are")
    return dict(row._mapping)


def list_rounds(engine) -> list[dict]:
    """Every round, newest first, with how many proposals it holds."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(rounds).order_by(rounds.c.id.desc()))]
        query = select(round_proposals.c.round_id, func.count()).group_by(
            round_proposals.c.round_id
        )
        sizes = dict(conn.execute(query).all())
    for row in rows:
        row["proposals"] = sizes.get(row["id"], 0)
    return rows


def current_round(engine) -> dict | None:
    """The round the app shows first: the newest one still running, else the newest closed."""
    found = list_rounds(engine)
    return next((r for r in found if r["state"] != "closed"), found[0] if found else None)


def move(engine, round_id, state: str, who: str) -> None:
    """Move a round one step on (open → shortlisting → voting); closing is results.close_round."""
    who = required_name(who, "staff")
    require_staff(engine, who, "run a Q Exchange round")
    row = get_round(engine, round_id)
    if state == "closed":
        raise ValueError("close a round with `qlab exchange close`: it counts the ballots")
    if state not in STATES:
        raise ValueError(f"a round's state is one of {', '.join(STATES)}, not {state!r}")
    if STATES.index(state) != STATES.index(row["state"]) + 1:
        raise ValueError(f"round {row['id']} is {row['state']}: it can only move to the next state")
    if state == "voting" and not _shortlisted(engine, row["id"]):
        raise ValueError(f"round {row['id']} has no shortlist yet: shortlist proposals first")
    with engine.begin() as conn:
        conn.execute(
            update(rounds).where(rounds.c.id == row["id"]).values(state=state, updated_at=now())
        )
        detail = {"from": row["state"], "to": state}
        record_audit(conn, "round.state", f"round:{row['id']}", detail, who=who)


def require_state(row: dict, states: tuple[str, ...], doing: str) -> None:
    """A clear error when the round is not in one of these states."""
    if row["state"] not in states:
        allowed = " or ".join(states)
        raise ValueError(f"round {row['id']} is {row['state']}: {doing} only while it is {allowed}")


def _shortlisted(engine, round_id: int) -> int:
    query = select(func.count()).where(
        (round_proposals.c.round_id == round_id) & round_proposals.c.shortlisted
    )
    with engine.connect() as conn:
        return conn.execute(query.select_from(round_proposals)).scalar_one()


def _day(value: str, what: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValueError(f"the {what} date {value!r} is not YYYY-MM-DD") from None


def _id(value) -> int:
    try:
        return int(str(value).strip().lstrip("#R"))
    except ValueError:
        raise ValueError(f"{value!r} is not a round number: see `qlab exchange list`") from None
