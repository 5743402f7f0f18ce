"""Explore's index of themes: by area, each with its label, one line, size, what is new since
the reader's last visit and a Follow button; no quotes, so the page stays short."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.opinions import participation
from lab_app.people import following
from lab_app.ui import guard
from lab_app.ui.components import safe_markdown
from lab_app.ui.highlight import shortened
from lab_app.ui.resources import workspace

OPEN = "explore-open-theme"  # the theme Explore opens on its next run (as the Overview does)
ONE_LINE = 140  # characters of a description in the index
ERROR = "explore-error"


@guard.action("explore.follow", "participant", "explore-follow-")
def _follow(theme_id: str, on: bool) -> None:
    engine = workspace().store.engine
    account = current_user()  # the guard just read the signed-in account again
    try:
        if on:
            following.follow(engine, account, theme_id)
        else:
            following.unfollow(engine, account, theme_id)
    except Exception as err:  # one line in the page, never a traceback
        st.session_state[ERROR] = str(err) or type(err).__name__


def visible_new(engine, account: str, staff: bool, theme_ids=None) -> dict[str, list[str]]:
    """following.new_since_visit, keeping for participants only what they may read."""
    if not account:
        return {}
    new = following.new_since_visit(engine, account, theme_ids)
    if staff:
        return new
    allowed = participation.shown_to_participants(engine, [e for ids in new.values() for e in ids])
    return {t: [e for e in ids if e in allowed] for t, ids in new.items()}


def follow_button(theme_id: str, followed: set[str], account: str, width="stretch") -> None:
    on = theme_id in followed
    st.button(
        "Unfollow" if on else "Follow",
        key=f"explore-follow-{theme_id}",
        on_click=_follow,
        args=(theme_id, not on),
        disabled=not account,
        help="Follow to see on the Overview what is new in this theme",
        width=width,
    )


def one_line(description: str) -> str:
    first = " ".join((description or "").split())
    return shortened(first, ONE_LINE)


def show(engine, rows: list[dict], descriptions: dict, account: str, staff: bool) -> None:
    """Every active theme by area: label (opens it), a line, size, new and Follow."""
    if not rows:
        st.info("No themes yet: Lab staff find them on the Themes page.")
        return
    followed = set(following.followed(engine, account)) if account else set()
    new = visible_new(engine, account, staff)
    areas: dict[str, list[dict]] = {}
    for row in rows:
        areas.setdefault(row["area"] or "Other themes", []).append(row)
    st.caption(
        f"{len(rows)} themes in {len(areas)} areas. Open a theme to read what people said; "
        + ("follow the ones you care about." if account else "sign in to follow themes.")
    )
    for area, members in areas.items():
        size = sum(r["size"] for r in members)
        st.subheader(safe_markdown(area))
        st.caption(f"{len(members)} themes · {size:,} extracts")
        for row in members:
            entry(row, descriptions.get(row["id"], ""), followed, new, account)


def entry(row: dict, description: str, followed: set, new: dict, account: str) -> None:
    theme_id = row["id"]
    # Label and Follow share a row on a phone too (columns stack there, the index runs long).
    with st.container(horizontal=True, horizontal_alignment="distribute",
                      vertical_alignment="center"):  # fmt: skip
        if st.button(safe_markdown(row["label"]), key=f"explore-open-{theme_id}", type="tertiary"):
            st.session_state[OPEN] = theme_id  # the page turns to it at the top of the next run
            st.rerun()
        follow_button(theme_id, followed, account, width="content")
    facts = [f"{row['size']:,} extracts"]
    if theme_id in followed:
        facts.append("following")
    if theme_id in new:
        count = len(new[theme_id])
        facts.append(f"**{count} new** since your last visit" if count else "nothing new")
    line = safe_markdown(one_line(description))
    st.caption(" · ".join(facts) + (f" — {line}" if line else ""))
