"""Q Exchange (staff): open a round, move it on, shortlist, enter paper ballots, watch the
counts, close it (the winners become ideas) and read the results."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from lab_app.core.audit import current_user, now
from lab_app.rounds import ballots, proposals, results, rounds
from lab_app.ui import exchange_view as view
from lab_app.ui import guard
from lab_app.ui.auth import require_role
from lab_app.ui.components import safe_markdown
from lab_app.ui.resources import workspace

FLASH = "exchange-staff-flash"
NEXT = {"open": "shortlisting", "shortlisting": "voting"}

user = require_role("staff")
st.title("Q Exchange (staff)")
ws = workspace()
engine = ws.store.engine

view.flash_slot(FLASH)


def _outcome(change, done: str) -> bool:
    return view.outcome(FLASH, change, done)


@guard.action("exchange.open", "staff", "exchange-staff-open")
def exchange_open_round() -> None:
    get = st.session_state.get
    dates = [str(get(f"exchange-staff-{d}")) for d in ("opens", "close", "event")]
    _outcome(
        lambda: rounds.open_round(
            engine,
            get("exchange-staff-question", ""),
            *dates,
            get("exchange-staff-shortlist", 25),
            get("exchange-staff-select", 15),
            current_user(),
        ),
        "Round opened: members can propose on the Q Exchange page.",
    )


@guard.action("exchange.move", "staff", "exchange-staff-move-")
def exchange_move(round_id: int, state: str) -> None:
    _outcome(
        lambda: rounds.move(engine, round_id, state, current_user()),
        f"Round {round_id} is now {state}.",
    )


@guard.action("exchange.shortlist", "staff", "exchange-staff-shortlist-")
def exchange_shortlist(round_id: int) -> None:
    chosen = st.session_state.get(f"exchange-staff-pick-{round_id}") or []
    _outcome(
        lambda: ballots.set_shortlist(engine, round_id, chosen, current_user()),
        f"Shortlist saved: {len(chosen)} proposals.",
    )


@guard.action("exchange.paper", "staff", "exchange-staff-paper-")
def exchange_paper(round_id: int) -> None:
    chosen = st.session_state.get(f"exchange-staff-paper-pick-{round_id}") or []
    _outcome(
        lambda: ballots.enter_paper(engine, round_id, chosen, current_user()),
        "Paper ballot entered.",
    )
    st.session_state[f"exchange-staff-paper-pick-{round_id}"] = []


@guard.action("exchange.close", "staff", "exchange-staff-close-")
def exchange_close(round_id: int) -> None:
    _outcome(
        lambda: results.close_round(engine, round_id, current_user()),
        f"Round {round_id} is closed: the winners are ideas now, backed by their voters.",
    )


def open_form() -> None:
    with st.expander("Open a round", expanded=not rounds.list_rounds(engine)):
        today = now().date()
        st.text_input(
            "The question", key="exchange-staff-question", max_chars=rounds.MAX_QUESTION_CHARS
        )
        st.date_input("Opens", value=today, key="exchange-staff-opens")
        st.date_input(
            "Proposals close", value=today + timedelta(days=42), key="exchange-staff-close"
        )
        st.date_input(
            "Selection event", value=today + timedelta(days=70), key="exchange-staff-event"
        )
        st.number_input(
            "Number to shortlist", 1, rounds.MAX_SIZE, 25, key="exchange-staff-shortlist"
        )
        st.number_input("Number to select", 1, rounds.MAX_SIZE, 15, key="exchange-staff-select")
        st.button(
            "Open round", key="exchange-staff-open", on_click=exchange_open_round, type="primary"
        )


def label_of(found: list[dict]):
    titles = {p["id"]: f"#{p['id']} {p['title']}" for p in found}
    return lambda pid: titles.get(pid, f"#{pid}")


def run_round(row: dict) -> None:
    view.round_header(row)
    rid = row["id"]
    found = proposals.list_proposals(engine, rid)
    if row["state"] in NEXT:
        state = NEXT[row["state"]]
        st.button(
            f"Move to {state}",
            key=f"exchange-staff-move-{rid}",
            on_click=exchange_move,
            args=(rid, state),
        )
    if row["state"] == "shortlisting":
        st.multiselect(
            f"Shortlist (up to {row['shortlist_size']})",
            [p["id"] for p in found],
            default=[p["id"] for p in found if p["shortlisted"]],
            key=f"exchange-staff-pick-{rid}",
            format_func=label_of(found),
        )
        st.button(
            "Save shortlist",
            key=f"exchange-staff-shortlist-{rid}",
            on_click=exchange_shortlist,
            args=(rid,),
        )
    if row["state"] == "voting":
        listed = [p for p in found if p["shortlisted"]]
        st.multiselect(
            f"A paper ballot (up to {row['select_size']})",
            [p["id"] for p in listed],
            key=f"exchange-staff-paper-pick-{rid}",
            format_func=label_of(listed),
            max_selections=row["select_size"],
        )
        st.button(
            "Enter paper ballot",
            key=f"exchange-staff-paper-{rid}",
            on_click=exchange_paper,
            args=(rid,),
        )
    if row["state"] in ("voting", "closed"):
        st.markdown(
            "**Counts**"
            + (" (staff only until the round closes)" if row["state"] == "voting" else "")
        )
        view.results_table(engine, rid, user["name"], staff=True)
    if row["state"] == "voting":
        st.button(
            "Close the round and count",
            key=f"exchange-staff-close-{rid}",
            on_click=exchange_close,
            args=(rid,),
            type="primary",
        )
    st.markdown(f"**Proposals** ({len(found)})")
    named = view.named_links(engine, found, staff=True)
    for proposal in found:
        with st.expander(
            f"#{proposal['id']} {safe_markdown(proposal['title'])} · "
            f"{view.comments_count(proposal['comments'])}"
        ):
            view.proposal_body(proposal, named, user["name"], staff=True)
            view.thread(engine, proposal["id"], user["name"], staff=True)


open_form()
every = rounds.list_rounds(engine)
for row in [r for r in every if r["state"] != "closed"]:  # every running round, in full
    st.divider()
    run_round(row)
past = [r for r in every if r["state"] == "closed"]
if past:
    st.divider()
    st.markdown("## Closed rounds")
    chosen = st.selectbox(
        "Round",
        past,
        key="exchange-staff-past",
        format_func=lambda r: f"Round {r['id']} · {r['event']} · {r['question']}",
    )
    run_round(chosen)
