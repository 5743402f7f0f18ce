"""The date-range control the time views share: the Lab's year by default, widened at will;
material outside the range is named for what it is (prior evidence, follow-up)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lab_app.year import window


def date_range(engine, key: str) -> tuple[date, date] | None:
    """A date-range input starting on the Lab's year (the dated material's span when the Lab
    has no phases); None when nothing is dated and no phase is set."""
    default, widest = window.default_range(engine), window.widest_range(engine)
    if default is None or widest is None:
        return None
    chosen = st.date_input(
        "Dates shown",
        value=default,
        min_value=widest[0],
        max_value=widest[1],
        key=key,
        help="The Lab's year to start with; widen it to see prior evidence or follow-up.",
    )
    if isinstance(chosen, tuple | list) and len(chosen) == 2:
        return chosen[0], chosen[1]
    return default  # one day picked so far: keep the range until the second is chosen


def outside_note(engine, shown: tuple[date, date]) -> None:
    """A caption counting the dated extracts the range leaves out, by what they are."""
    year = window.lab_year(engine)
    counts = window.outside_counts(engine, *shown)
    parts = []
    if counts["before"]:
        what = "prior evidence" if year and shown[0] <= year[0] else "earlier material"
        parts.append(f"{counts['before']:,} dated before {shown[0]:%d %b %Y} ({what})")
    if counts["after"]:
        what = "follow-up" if year and shown[1] >= year[1] else "later material"
        parts.append(f"{counts['after']:,} dated after {shown[1]:%d %b %Y} ({what})")
    if parts:
        st.caption(
            "Not in this view: " + " and ".join(parts) + " extracts. Widen the dates to see them."
        )
