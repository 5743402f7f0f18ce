"""Q Exchange: the running rounds (question, dates, proposals with their comment threads), a
propose form that shows "others working on this" as a member writes, revising one's own
proposals, and the ballot at the event (phone-sized); past rounds' results."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.rounds import ballots, comments, proposals, rounds, similar
from lab_app.ui import exchange_view as view
from lab_app.ui import guard
from lab_app.ui.auth import is_staff, require_role
from lab_app.ui.components import safe_markdown
from lab_app.ui.resources import workspace

FLASH = "exchange-flash"
OPEN = "exchange-open"  # the proposal last commented on or revised stays unfolded

user = require_role("participant")
me, staff = user["name"], is_staff(user)
st.title("Q Exchange")
ws = workspace()
engine = ws.store.engine

view.flash_slot(FLASH)


def _outcome(change, done: str) -> bool:
    return view.outcome(FLASH, change, done)


def _links(key: str) -> list[tuple[str, str]]:
    """The links ticked in a multiselect whose options are "type:id"."""
    return [tuple(value.split(":", 1)) for value in st.session_state.get(key) or []]


# Every action acts as the account the guard has just read again; the package checks the rest
# (a proposal is revised only by its author, a ballot only in the voting state).
@guard.action("exchange.propose", "participant", "exchange-propose-")
def exchange_propose(round_id: int) -> None:
    fields = [st.session_state.get(f"exchange-new-{f}-{round_id}", "") for f in proposals.FIELDS]
    links = _links(f"exchange-new-links-{round_id}")
    made = _outcome(
        lambda: proposals.propose(ws, round_id, current_user(), *fields, links),
        "Your proposal is in. Others can now comment on it; you can revise it while the round "
        "is open.",
    )
    if made:  # an empty form for the next one
        for name in [*proposals.FIELDS, "links"]:
            st.session_state.pop(f"exchange-new-{name}-{round_id}", None)


@guard.action("exchange.revise", "participant", "exchange-revise-")
def exchange_revise(proposal_id: int) -> None:
    fields = [st.session_state.get(f"exchange-edit-{f}-{proposal_id}") for f in proposals.FIELDS]
    st.session_state[OPEN] = proposal_id
    _outcome(
        lambda: proposals.revise(ws, proposal_id, current_user(), *fields),
        "Saved as a new version; the earlier ones are kept.",
    )


@guard.action("exchange.comment", "participant", "exchange-comment-")
def exchange_comment(proposal_id: int) -> None:
    text = st.session_state.get(f"exchange-comment-text-{proposal_id}", "")
    parent = st.session_state.get(f"exchange-comment-reply-{proposal_id}")
    links = _links(f"exchange-comment-links-{proposal_id}")
    st.session_state[OPEN] = proposal_id  # its count changes: it would otherwise fold away
    if _outcome(
        lambda: comments.comment(engine, proposal_id, current_user(), text, parent, links),
        "Comment added.",
    ):
        st.session_state[f"exchange-comment-text-{proposal_id}"] = ""


@guard.action("exchange.vote", "participant", "exchange-vote-")
def exchange_vote(round_id: int, shortlist: list[int]) -> None:
    chosen = [p for p in shortlist if st.session_state.get(f"exchange-choice-{round_id}-{p}")]
    replaced = []
    _outcome(
        lambda: replaced.append(ballots.cast(engine, round_id, current_user(), chosen)),
        "Your ballot is cast.",
    )
    if replaced and replaced[0]:
        st.session_state[FLASH] = ("ok", "Your ballot is cast: it replaces your earlier one.")


def link_options(round_id: int) -> dict[str, str]:
    """ "type:id" -> a label, for "links to" and "this connects to": the round's proposals,
    ideas and themes (read once per run and round)."""
    from lab_app.year import ideas

    found = {
        f"proposal:{p['id']}": f"Proposal #{p['id']}: {p['title']}"
        for p in proposals.list_proposals(engine, round_id)
    }
    found |= {f"idea:{i['id']}": f"Idea {i['id']}: {i['title']}" for i in ideas.list_ideas(engine)}
    found |= {
        f"theme:{t['id']}": f"Theme: {t['label']}"
        for t in ws.list_themes()
        if t["status"] == "active"
    }
    return found


def others_working_on(round_id: int) -> None:
    """Similar proposals, ideas and themes by meaning, for what is typed so far."""
    draft = " ".join(
        st.session_state.get(f"exchange-new-{f}-{round_id}", "") for f in ("title", "problem")
    )
    st.button("Check for similar", key=f"exchange-similar-{round_id}")  # a rerun: shown below
    found = similar.others_working_on(ws, draft)
    if not draft.strip():
        st.caption("Write a title and the problem: proposals, ideas and themes like it show here.")
    elif not found:
        st.caption("Nobody seems to be working on this yet.")
    else:
        st.markdown("**Others working on this** — connect with them instead of duplicating:")
        for row in found:
            where = f" (round {row['round_id']})" if row["kind"] == "proposal" else ""
            st.caption(f"{row['kind']}{where} · match {row['score']:.2f}")
            st.markdown(safe_markdown(row["title"]))


def propose_form(round_id: int, options: dict[str, str]) -> None:
    with st.expander("Propose an idea", expanded=False):
        st.text_input(
            "Title", key=f"exchange-new-title-{round_id}", max_chars=proposals.MAX_TITLE_CHARS
        )
        st.text_area(
            "The problem",
            key=f"exchange-new-problem-{round_id}",
            max_chars=proposals.MAX_TEXT_CHARS,
        )
        others_working_on(round_id)
        st.text_area(
            "Your idea", key=f"exchange-new-idea-{round_id}", max_chars=proposals.MAX_TEXT_CHARS
        )
        st.multiselect(
            "Links to themes, ideas or proposals",
            list(options),
            key=f"exchange-new-links-{round_id}",
            format_func=options.get,
        )
        st.button(
            "Submit proposal",
            key=f"exchange-propose-{round_id}",
            on_click=exchange_propose,
            args=(round_id,),
            type="primary",
        )


def revise_form(proposal: dict) -> None:
    pid = proposal["id"]
    with st.container(border=True):  # inside the proposal's expander, which cannot hold one
        st.markdown("**Revise your proposal**")
        st.text_input("Title", value=proposal["title"], key=f"exchange-edit-title-{pid}")
        st.text_area("The problem", value=proposal["problem"], key=f"exchange-edit-problem-{pid}")
        st.text_area("Your idea", value=proposal["idea"], key=f"exchange-edit-idea-{pid}")
        st.button(
            "Save a new version",
            key=f"exchange-revise-{pid}",
            on_click=exchange_revise,
            args=(pid,),
        )


def comment_form(proposal_id: int, thread: list[dict], every: dict[str, str]) -> None:
    st.text_area("Comment", key=f"exchange-comment-text-{proposal_id}", height=80)
    replies = {row["id"]: f"[{row['id']}] {row['text'][:40]}" for row in thread}
    st.selectbox(
        "In reply to",
        [None, *replies],
        key=f"exchange-comment-reply-{proposal_id}",
        format_func=lambda c: "(the proposal)" if c is None else replies[c],
    )
    options = {key: label for key, label in every.items() if key != f"proposal:{proposal_id}"}
    st.multiselect(
        "This connects to …",
        list(options),
        format_func=options.get,
        key=f"exchange-comment-links-{proposal_id}",
    )
    st.button(
        "Comment",
        key=f"exchange-comment-{proposal_id}",
        on_click=exchange_comment,
        args=(proposal_id,),
    )


def ballot_form(row: dict) -> None:
    shortlist = proposals.list_proposals(engine, row["id"], shortlisted_only=True)
    mine = ballots.my_ballot(engine, row["id"], me)
    st.markdown(f"### Your ballot: choose up to {row['select_size']}")
    if mine is not None:
        st.info(f"You have voted ({len(mine)} chosen). Casting again replaces your ballot.")
    for proposal in shortlist:
        own = proposal["author"] == me
        label = safe_markdown(f"#{proposal['id']} {proposal['title']}") + (
            " (yours)" if own else ""
        )
        st.checkbox(
            label,
            key=f"exchange-choice-{row['id']}-{proposal['id']}",
            disabled=own,
            value=bool(mine and proposal["id"] in mine),
        )
    st.caption(
        "Nobody else sees your ballot; staff see only the counts. If a proposal you "
        "chose wins, you are listed as backing the idea it becomes."
    )
    st.button(
        "Cast my ballot",
        key=f"exchange-vote-{row['id']}",
        on_click=exchange_vote,
        type="primary",
        args=(row["id"], [p["id"] for p in shortlist]),
        width="stretch",
    )


def show_round(row: dict) -> None:
    view.round_header(row)
    if row["state"] == "voting":
        ballot_form(row)
    options = link_options(row["id"]) if row["state"] in comments.COMMENTING else {}
    if row["state"] == "open":
        propose_form(row["id"], options)
    if row["state"] == "closed":
        view.results_table(engine, row["id"], me, staff)
    shortlisted = row["state"] in ("voting", "closed")
    found = proposals.list_proposals(engine, row["id"], shortlisted_only=shortlisted)
    st.markdown(f"**{'Shortlisted proposals' if shortlisted else 'Proposals'}** ({len(found)})")
    named = view.named_links(engine, found, staff)
    for proposal in found:
        label = f"#{proposal['id']} {safe_markdown(proposal['title'])}"
        unfolded = st.session_state.get(OPEN) == proposal["id"]
        with st.expander(
            f"{label} · {view.comments_count(proposal['comments'])}", expanded=unfolded
        ):
            view.proposal_body(proposal, named, me, staff)
            if proposal["author"] == me and row["state"] == "open":
                revise_form(proposal)
            thread = view.thread(engine, proposal["id"], me, staff)
            if row["state"] in comments.COMMENTING:
                comment_form(proposal["id"], thread, options)


every = rounds.list_rounds(engine)
running = [r for r in every if r["state"] != "closed"]
if not every:
    st.info("No Q Exchange round yet: Lab staff open one on the Q Exchange (staff) page.")
for row in running:  # usually one; each running round in full
    show_round(row)
    st.divider()
past = [r for r in every if r["state"] == "closed"]
if past:
    st.markdown("## Past rounds")
    chosen = st.selectbox(
        "Round",
        past,
        key="exchange-past",
        format_func=lambda r: f"Round {r['id']} · {r['event']} · {r['question']}",
    )
    show_round(chosen)
