"""What the Tensions page shows whom: plain words for participants, measures for staff."""

# Participants read titles, both sides in people's own words and how many people stand where;
# Cramér's V, p-values, divisiveness and share tables are staff's. A title that quotes a
# statement is rebuilt for participants from the statement's current words, so one whose author
# did not agree to be shown (or withdrew) is named without quoting it.

from __future__ import annotations

from lab_app.opinions import participation, tensions

SHORT_LIST = 8  # tensions a participant sees before "show more"


def rows_for(engine, staff: bool, with_dismissed: bool = False) -> list[dict]:
    """Tensions in the page's order: confirmed first, then from votes, answers, text."""
    rows = tensions.list_tensions(engine, include_dismissed=staff and with_dismissed)
    return rows if staff else tensions.for_participants(rows)


def title_for(engine, row: dict, staff: bool) -> str:
    """The stored title for staff; for participants, one that quotes only what may be shown."""
    # A text tension's question is a thread's title, its opener's words: shown to participants
    # only if the opener agreed to be shown.
    opening = (row["measures"] or {}).get("thread_opening")
    hidden = opening and opening not in participation.shown_to_participants(engine, [opening])
    if not staff and row["signal"] == "text" and hidden:
        return row["measures"].get("title_without_question") or row["title"]
    statement = (row["measures"] or {}).get("statement")
    if staff or row["signal"] != "votes" or not statement:
        return row["title"]
    if statement in participation.shown_to_participants(engine, [statement]):
        return row["title"]
    agree, disagree = (side["label"] for side in row["sides"])
    return f"{upper_first(agree)} and {disagree} with a statement its author keeps private"


def statement_words(engine, row: dict, staff: bool) -> str | None:
    """A vote tension's statement in full, for quoting on the page when its title shortens it;
    None when it is not from votes, the title holds it whole, or participants may not read it."""
    from lab_app.opinions.group_views import statement_texts

    statement = (row["measures"] or {}).get("statement")
    if row["signal"] != "votes" or not statement:
        return None
    words = statement_texts(engine, [statement], for_participants=not staff).get(statement)
    title = title_for(engine, row, staff)
    return None if words and f"“{words}”" in title else words


def group_words(engine, row: dict, side: dict, staff: bool, limit: int = 3) -> list[str]:
    """For a vote tension, what the group(s) on this side also stand for: the other statements
    most typical of them, in their words (Pol.is statements are not extracts)."""
    from lab_app.opinions.group_views import statement_texts

    also = [s for s in side.get("extract_ids", []) if s != (row["measures"] or {}).get("statement")]
    texts = statement_texts(engine, also, for_participants=not staff)
    return [texts[s] for s in also if s in texts][:limit]


def side_quotes(engine, row: dict, side: dict, limit: int = 1) -> list[str]:
    """A side in its own words, only what participants may read: for votes, what its groups also
    agree with; otherwise its quoted extracts whose authors agreed to be shown."""
    if row["signal"] == "votes":
        return group_words(engine, row, side, staff=False, limit=limit)
    wanted = list(dict.fromkeys(side.get("quotes") or side.get("extract_ids", [])))
    allowed = participation.shown_to_participants(engine, wanted)
    details = participation.extract_details(engine, [e for e in wanted if e in allowed])
    return [" ".join(details[e]["text"].split()) for e in wanted if e in details][:limit]


def plain_summary(row: dict) -> list[str]:
    """One plain line per side: who stands there and how many, no statistics."""
    measures = row["measures"] or {}
    lines = []
    if row["signal"] == "votes":
        sizes = measures.get("group_sizes") or {}
        for side in row["sides"]:
            people = sum(int(sizes.get(g, 0)) for g in side.get("groups", []))
            where = "" if len(side.get("groups", [])) == 1 else " in those groups"
            lines.append(f"{upper_first(side['label'])} ({people} people{where}).")
    elif row["signal"] == "attributes":
        groups = {g["value"]: g for g in measures.get("groups") or []}
        for side in row["sides"]:
            parts = []
            for value in side.get("groups", []):
                g = groups.get(value)
                if g:
                    share = g["agree_share"] if side["label"] == "agree" else g["disagree_share"]
                    parts.append(f"{round(100 * share)}% of “{value}”")
            lines.append(f"Mostly {side['label']}: " + "; ".join(parts) + ".")
    else:  # text: people who replied to each other in the Lab's space
        one, other = (int(side.get("people", 0)) for side in row["sides"])
        lines.append(
            f"In replies to each other in the Lab's space: {one} "
            f"{'person' if one == 1 else 'people'} on one side, {other} on the other."
        )
    return lines


def staff_measures(row: dict) -> tuple[str, list[dict]]:
    """The numbers behind a tension, for staff: a line and a table."""
    found = row["measures"] or {}
    if row["signal"] == "votes":
        line = (
            f"Divisiveness {found.get('divisiveness', 0):.2f} · group-informed consensus "
            f"{found.get('consensus_agree', 0):.2f} · {found.get('votes', 0)} votes"
        )
        table = [{"group": g, **values} for g, values in (found.get("groups") or {}).items()]
        return line, table
    if row["signal"] == "attributes":
        line = (
            f"Question: {found.get('question', '')} · grouped by: {found.get('grouped_by', '')} · "
            f"agree shares {found.get('agree_gap', 0):.0%} apart · Cramér's V "
            f"{found.get('cramers_v', 0):.2f} · p {found.get('p_value', 1):.1g}"
            + (f" · {found['suppressed_groups']} small groups suppressed"
               if found.get("suppressed_groups") else "")
        )  # fmt: skip
        return line, list(found.get("groups") or [])
    from lab_app.opinions.text_signal import STANCE_THRESHOLD

    line = (
        f"{found.get('pushback', 0)} replies push back on a post in this theme; "
        f"{found.get('stance', 0)} or more people on each side (reviewed first from "
        f"{STANCE_THRESHOLD}); read both sides and confirm only if they truly oppose on the "
        "same point"
    )
    return line, []


def upper_first(text: str) -> str:
    """Capital first letter only ("Group A agrees"; str.capitalize would lower the A)."""
    return text[:1].upper() + text[1:]
