"""Precision and recall of the text tension signal against planted tensions (bench and tests)."""

# A planted tension lives where most of its extracts are placed (its home theme). A text
# suggestion is a hit when it is in that theme and at least one of its quoted pairs sets an
# extract of one planted side against one of the other: what a reader needs to see the two
# sides oppose. Precision: hits among the suggestions at or above a stance threshold; recall:
# planted tensions with a hit among them.

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from lab_app.core.schema import theme_members


def homes(engine, planted: dict[str, tuple[str, int]]) -> dict[str, str]:
    """Planted tension -> the theme holding most of its extracts."""
    with engine.connect() as conn:
        query = select(theme_members.c.extract_id, theme_members.c.theme_id).where(
            theme_members.c.status == "placed"
        )
        placed = {row.extract_id: row.theme_id for row in conn.execute(query)}
    counts: dict[str, Counter] = {}
    for extract_id, (tension, _) in planted.items():
        if extract_id in placed:
            counts.setdefault(tension, Counter())[placed[extract_id]] += 1
    return {tension: c.most_common(1)[0][0] for tension, c in counts.items()}


def hit(suggestion: dict, planted: dict, home: dict) -> str | None:
    """The planted tension this text suggestion shows both sides of, if any."""
    for tension, theme in home.items():
        if theme not in suggestion["themes"]:
            continue
        for pair in suggestion["measures"].get("pairs", []):
            a, b = planted.get(pair["a"]), planted.get(pair["b"])
            if a and b and a[0] == b[0] == tension and a[1] != b[1]:
                return tension
    return None


def text_signal(engine, suggestions: list[dict], planted: dict, thresholds, only=None):
    """Precision and recall at each stance threshold, for the text suggestions given. With
    `only` (planted tension ids), the other planted tensions are held out: suggestions in their
    home themes are left out, so a threshold can be chosen on some and checked on the rest."""
    home = homes(engine, planted)
    if only is not None:
        held_out = {theme for tension, theme in home.items() if tension not in only}
        home = {t: theme for t, theme in home.items() if t in only}
        planted = {e: side for e, side in planted.items() if side[0] in only}
        tuning = set(home.values())
        suggestions = [s for s in suggestions if not (held_out & (set(s["themes"]) - tuning))]
    rows = []
    for threshold in thresholds:
        shown = [s for s in suggestions if s["measures"].get("stance", 0.0) >= threshold]
        hits = [h for h in (hit(s, planted, home) for s in shown) if h]
        rows.append(
            {
                "threshold": threshold,
                "shown": len(shown),
                "hits": len(hits),
                "precision": len(hits) / len(shown) if shown else 0.0,
                "recall": len(set(hits)) / len(home) if home else 0.0,
            }
        )
    return rows
