"""Precision and recall of the text tension signal against planted tensions (bench and tests)."""

# A text suggestion is a hit when at least one of its quoted pairs sets an extract of one planted
# side against one of the other: what a reader needs to see the two sides oppose. Where the
# suggestion is filed does not decide it: a text tension is one conversation, filed under the
# theme most of its posts are placed in, while a planted tension's extracts are mostly survey
# answers placed elsewhere. Precision: hits among the suggestions at or above a stance
# threshold; recall: planted tensions with a hit among them. The sides' consistency (planted
# extracts on the side of their own tension's majority) is counted too: a hit that mixes the
# sides would read badly.

from __future__ import annotations

from collections import Counter


def hit(suggestion: dict, planted: dict) -> str | None:
    """The planted tension this text suggestion shows both sides of, if any."""
    for pair in suggestion["measures"].get("pairs", []):
        a, b = planted.get(pair["a"]), planted.get(pair["b"])
        if a and b and a[0] == b[0] and a[1] != b[1]:
            return a[0]
    return None


def tensions_held(suggestion: dict, planted: dict) -> set[str]:
    """The planted tensions with an extract on either side of this suggestion."""
    held = (planted.get(e) for side in suggestion["sides"] for e in side["extract_ids"])
    return {p[0] for p in held if p}


def consistent(suggestions: list[dict], planted: dict) -> tuple[int, int]:
    """(planted extracts on the sides of these suggestions, those on the side most of their own
    tension's extracts in that suggestion are on, either way round)."""
    total = agreeing = 0
    for suggestion in suggestions:
        counts: Counter = Counter()
        for position, side in enumerate(suggestion["sides"]):
            for extract in side["extract_ids"]:
                if extract in planted:
                    tension, planted_side = planted[extract]
                    counts[(tension, position == planted_side)] += 1
        for tension in {t for t, _ in counts}:
            pair = counts[(tension, True)], counts[(tension, False)]
            total += sum(pair)
            agreeing += max(pair)
    return total, agreeing


def text_signal(suggestions: list[dict], planted: dict, thresholds, only=None):
    """Precision and recall at each stance threshold, for the text suggestions given. With
    `only` (planted tension ids), the other planted tensions are held out: suggestions holding
    extracts of theirs and none of these are left out, so a threshold can be chosen on some and
    checked on the rest."""
    everyone = {tension for tension, _ in planted.values()}
    if only is not None:
        suggestions = [
            s for s in suggestions
            if not (held := tensions_held(s, planted)) or held & set(only)
        ]  # fmt: skip
        planted = {e: side for e, side in planted.items() if side[0] in only}
        everyone = everyone & set(only)
    rows = []
    for threshold in thresholds:
        shown = [s for s in suggestions if s["measures"].get("stance", 0.0) >= threshold]
        hits = [h for h in (hit(s, planted) for s in shown) if h]
        total, agreeing = consistent(shown, planted)
        rows.append(
            {
                "threshold": threshold,
                "shown": len(shown),
                "hits": len(hits),
                "precision": len(hits) / len(shown) if shown else 0.0,
                "recall": len(set(hits)) / len(everyone) if everyone else 0.0,
                "consistent": (agreeing, total),
            }
        )
    return rows
