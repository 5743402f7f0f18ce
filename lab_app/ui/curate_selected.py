"""Curation of several extracts at once, from the Themes page, a search or the Map: the checked
callbacks, the small panel each page draws, and the outcome shown once after the rerun. Staff
only; messages name themes by label and extracts by their text (themes/words.py)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from lab_app.core.audit import current_user
from lab_app.ui import guard
from lab_app.ui.components import safe_markdown, show_error


def _curation():
    # curation brings scikit-learn (a split regroups): only an action waits for its import.
    from lab_app.themes import curation

    return curation


@guard.action(
    "curation.move_selected", "staff",
    "themes-move-selected", "explore-move-selected", "map-move-selected", "unsorted-move-selected",
)  # fmt: skip
def move_selected(engine, extract_ids: list, target_key: str, flash_key: str, after=None) -> None:
    """Move the extracts selected when the page was drawn to the theme chosen, as one action."""
    target = st.session_state.get(target_key)

    def run() -> None:
        if not extract_ids:
            raise ValueError("select one or more extracts first")
        if not target:
            raise ValueError("choose the theme to move them to first")
        _curation().move(engine, list(extract_ids), target)

    _outcome(engine, run, flash_key, after)


@guard.action(
    "curation.exclude_selected", "staff", "themes-exclude-selected", "unsorted-exclude-selected"
)
def exclude_selected(engine, extract_ids: list, flash_key: str, after=None) -> None:
    """Keep the selected extracts out of every theme, as one action."""

    def run() -> None:
        if not extract_ids:
            raise ValueError("select one or more extracts first")
        _curation().exclude(engine, list(extract_ids))

    _outcome(engine, run, flash_key, after)


@guard.action(
    "curation.undo_mine", "staff", "explore-undo-mine", "map-undo-mine", "unsorted-undo-mine"
)
def undo_mine(engine, flash_key: str) -> None:
    """Undo the signed-in person's own last curation action; the message says what it was."""
    try:
        message = _curation().undo(engine)["message"]
    except Exception as err:  # one line on the page, never a traceback
        st.session_state[flash_key] = ("error", err)
        return
    st.session_state[flash_key] = ("success", safe_markdown(message))


def _outcome(engine, run, flash_key: str, after) -> None:
    from lab_app.themes.undo import last_done

    try:
        run()
    except Exception as err:  # one line on the page, never a traceback; nothing was changed
        st.session_state[flash_key] = ("error", err)
        return
    st.session_state[flash_key] = ("success", safe_markdown(last_done(engine, current_user())))
    if after is not None:
        after()  # the page forgets the selection it acted on (the rows are no longer there)


def forgetting(*keys: str):
    """An `after` that drops widget values (checkboxes of rows that have moved on)."""
    return partial(_forget, keys)


def _forget(keys: tuple[str, ...]) -> None:
    for key in keys:
        st.session_state.pop(key, None)


def renewing(counter: str):
    """An `after` that gives a table a new key, so it is drawn with nothing selected."""
    return partial(_renew, counter)


def _renew(counter: str) -> None:
    st.session_state[counter] = st.session_state.get(counter, 0) + 1


def flash(flash_key: str) -> None:
    """The last action's outcome on this page, shown once (success text is already escaped)."""
    outcome = st.session_state.pop(flash_key, None)
    if outcome and outcome[0] == "success":
        st.success(outcome[1], icon="✅")
    elif outcome:
        show_error(outcome[1])


def move_panel(
    engine,
    page: str,
    chosen: list[str],
    labels: dict[str, str],
    flash_key: str,
    after=None,
    undo: bool = True,
) -> None:
    """“Move N selected to…” a theme chosen by label, and (on pages without their own undo)
    “Undo my last change”. `labels` are the themes offered (id -> label)."""
    count = f"{len(chosen):,} selected extract" + ("" if len(chosen) == 1 else "s")
    target_key = f"{page}-move-selected-target"
    if st.session_state.get(target_key) not in labels:
        st.session_state[target_key] = None
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.selectbox(
        f"Move {count} to…" if chosen else "Move selected extracts to…",
        list(labels),
        key=target_key,
        index=None,
        placeholder="Choose a theme",
        format_func=lambda t: labels[t],
    )
    right.button(
        f"Move {count}" if chosen else "Move selected",
        key=f"{page}-move-selected",
        on_click=move_selected,
        args=(engine, list(chosen), target_key, flash_key, after),
        disabled=not chosen,
        help="One action: “Undo my last change” puts them all back",
    )
    if undo:
        st.button(
            "Undo my last change",
            key=f"{page}-undo-mine",
            on_click=undo_mine,
            args=(engine, flash_key),
            help="Reverses your own last curation action, never someone else's",
        )


PICK_GENERATION = "themes-pick-generation"  # bumped after an action: a fresh, empty selection


def pick_key(theme_id: str) -> str:
    """The key of the Themes page's extract table for this theme (tests set its selection)."""
    return f"themes-pick-{theme_id}-{st.session_state.get(PICK_GENERATION, 0)}"


def theme_selection(engine, theme: dict, active: dict[str, dict], selected: str, flash_key):
    """The open theme's extracts as a table to tick several rows of, then move or exclude them
    (least typical last, as the theme lists them)."""
    members = theme["members"]
    st.markdown("**Several extracts at once**")
    if not members:
        st.caption("This theme holds no extracts.")
        return
    key = pick_key(selected)
    st.dataframe(
        pd.DataFrame(
            {
                "Extract": [m["text"] for m in members],
                "Kind": [m["kind"] for m in members],
                "Pinned": ["📌" if m["pinned"] else "" for m in members],
            }
        ),
        hide_index=True,
        key=key,
        on_select="rerun",
        selection_mode="multi-row",
        height=300,
        column_config={
            "Extract": st.column_config.TextColumn(width="large"),
            "Kind": st.column_config.TextColumn(width="small"),
            "Pinned": st.column_config.TextColumn(width="small"),
        },
    )
    rows = (st.session_state.get(key) or {}).get("selection", {}).get("rows", [])
    chosen = [members[r]["id"] for r in rows if r < len(members)]
    st.caption("Tick rows (shift-click for a run), then move or exclude them in one action.")
    others = {t: row["label"] for t, row in active.items() if t != selected}
    after = renewing(PICK_GENERATION)
    move_panel(engine, "themes", chosen, others, flash_key, after, undo=False)
    st.button(
        "Exclude selected" + (f" ({len(chosen):,})" if chosen else ""),
        key="themes-exclude-selected",
        on_click=exclude_selected,
        args=(engine, chosen, flash_key, after),
        disabled=not chosen,
        help="Keeps them out of every theme, through every rebuild",
    )


MAP_FLASH = "map-flash"
MAP_VIEW = "map-view"  # the part of the map shown when the last move was made, kept after it


def keep_view(figure) -> None:
    """Keep the Map where it was: plotly keeps a person's zoom across reruns (uirevision), and a
    chart redrawn after a move opens on the part where the moved extracts were."""
    figure.update_layout(uirevision="map")
    view = st.session_state.get(MAP_VIEW)
    if view:
        figure.update_xaxes(range=view["x"])
        figure.update_yaxes(range=view["y"])
        st.caption("Showing where your last move was made: double-click the map to see it all.")


def map_panel(engine, xy, ids: list[str], chosen: list[str], labels: dict[str, str]) -> None:
    """Under the Map, for staff: move the points selected with the box or lasso."""
    flash(MAP_FLASH)
    if not chosen:
        st.caption("Staff: draw a box or lasso around points to move them to another theme.")
        st.button(
            "Undo my last change",
            key="map-undo-mine",
            on_click=undo_mine,
            args=(engine, MAP_FLASH),
            help="Reverses your own last curation action, never someone else's",
        )
        return
    where = {extract_id: i for i, extract_id in enumerate(ids)}
    picked = xy[[where[e] for e in chosen if e in where]]
    after = partial(_after_map_move, _view_around(picked, xy))
    move_panel(engine, "map", chosen, labels, MAP_FLASH, after)


def _view_around(picked, xy) -> dict | None:
    """Axis ranges around the selected points, with room around them (None if not placed)."""
    import numpy as np

    placed = picked[~np.isnan(picked[:, 0])] if len(picked) else picked
    if not len(placed):
        return None
    spread = np.nanmax(xy, axis=0) - np.nanmin(xy, axis=0)
    low, high = placed.min(axis=0), placed.max(axis=0)
    margin = np.maximum((high - low) * 0.5, spread * 0.05)
    return {"x": [float(low[0] - margin[0]), float(high[0] + margin[0])],
            "y": [float(low[1] - margin[1]), float(high[1] + margin[1])]}  # fmt: skip


def _after_map_move(view: dict | None) -> None:
    st.session_state.pop("map-chart", None)  # the points moved: the old selection is spent
    if view:
        st.session_state[MAP_VIEW] = view
