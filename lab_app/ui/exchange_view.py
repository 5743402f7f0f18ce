"""What both Q Exchange pages show: a round's header, a proposal with its thread, the results.
Members never see who wrote what (as on the Ideas page), only "you" on their own; staff do."""

from __future__ import annotations

import streamlit as st

from lab_app.rounds import comments, results
from lab_app.rounds import links as round_links
from lab_app.ui.components import safe_markdown, show_error, user_text

STATE_NAMES = {
    "open": "open for proposals and comments",
    "shortlisting": "staff are shortlisting (comments still welcome)",
    "voting": "voting at the event",
    "closed": "closed: results below",
}


def flash_slot(key: str) -> None:
    """The outcome of the last action, in a slot that is always there, so the page's widgets
    keep their places when it goes: an open proposal stays open on the next run."""
    with st.container():
        if flash := st.session_state.pop(key, None):
            if flash[0] == "ok":
                st.success(safe_markdown(flash[1]))
            else:
                show_error(ValueError(flash[1]))


def outcome(key: str, change, done: str) -> bool:
    """Run a change from a checked callback; its line (or its error) shows on the next run."""
    try:
        change()
    except (ValueError, PermissionError) as err:
        st.session_state[key] = ("error", str(err))
        return False
    st.session_state[key] = ("ok", done)
    return True


def round_header(row: dict) -> None:
    st.subheader(safe_markdown(row["question"]))
    st.caption(
        f"Round {row['id']} · {STATE_NAMES[row['state']]} · opened {row['opens']} · proposals "
        f"until {row['proposals_close']} · event {row['event']} · {row['shortlist_size']} "
        f"shortlisted, {row['select_size']} selected"
    )


def comments_count(n: int) -> str:
    return f"{n} comment" if n == 1 else f"{n} comments"


def by_line(author: str, me: str, staff: bool) -> str:
    if author == me:
        return "you"
    return safe_markdown(author) if staff else "a member"


def named_links(engine, found: list[dict], staff: bool) -> dict[tuple[str, str], dict]:
    """(type, id) -> the named link, for every link of these proposals (one look-up)."""
    every = [link for proposal in found for link in proposal["links"]]
    return {(r["type"], r["id"]): r for r in round_links.names(engine, every, staff=staff)}


def proposal_body(proposal: dict, named: dict, me: str, staff: bool) -> None:
    """A proposal's text and its links (named: from named_links)."""
    marks = " · ★ shortlisted" if proposal["shortlisted"] else ""
    st.caption(
        f"#{proposal['id']} · by {by_line(proposal['author'], me, staff)} · "
        f"version {proposal['version']}{marks}"
    )
    st.markdown("**The problem**")
    user_text(proposal["problem"])
    st.markdown("**The idea**")
    user_text(proposal["idea"])
    for link in proposal["links"]:
        if found := named.get((link["type"], str(link["id"]))):
            st.caption(f"Links to {found['type']}: {safe_markdown(found['label'])}")


def thread(engine, proposal_id: int, me: str, staff: bool) -> list[dict]:
    """Show the comment thread; returns its comments in reading order (for "reply to")."""
    flat = comments.flatten(comments.thread(engine, proposal_id, staff=staff))
    for depth, row in flat:
        indent = "\u00a0" * 6 * depth + ("↳ " if depth else "")
        st.caption(
            f"{indent}[{row['id']}] {by_line(row['author'], me, staff)} · {row['at']:%Y-%m-%d}"
        )
        user_text(row["text"], quote=True)
        for link in row["connects"]:
            st.caption(f"{indent}this connects to {link['type']}: {safe_markdown(link['label'])}")
    return [row for _, row in flat]


def results_table(engine, round_id: int, who: str, staff: bool) -> None:
    """Votes per shortlisted proposal, winners marked (members: only once the round closed)."""
    found = results.counts(engine, round_id, who)
    st.markdown(
        f"**{found['ballots']} ballots** ({found['paper']} on paper) · {found['select']} to select"
    )
    rows = [
        {
            "votes": row["votes"],
            "proposal": f"#{row['id']} {row['title']}",
            "winner": "🏆 winner" if row["winner"] else "",
            "idea": row["idea_id"] or "",
        }
        for row in found["proposals"]
    ]
    # st.dataframe shows cells as plain text: a title is never read as Markdown or HTML.
    st.dataframe(rows, hide_index=True, width="stretch")
    if found["tied_at_cut"]:
        tied = ", ".join(f"#{i}" for i in found["tied_at_cut"])
        st.warning(f"Tied at the cut: {tied}. The earlier proposal won; say how ties are settled.")
