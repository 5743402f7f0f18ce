"""Text tension signal: extracts at opposite ends of a theme that still talk about one thing."""

# The model (all-MiniLM-L6-v2) measures closeness in topic, not agreement, so these are
# suggestions for staff to confirm or dismiss.

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from sqlalchemy import select

from lab_app.core.schema import extracts, theme_members, themes

MIN_THEME_SIZE = 8
POLE = 0.5  # an extract is on a side when it sits this many spreads from the middle
MAX_PAIRS = 5
MAX_TEXT_TENSIONS = 40
# Text suggestions at or above this stance reach staff's review list first; the rest wait below
# it; no text suggestion reaches participants before staff confirm it (docs/benchmarks.md).
# 0.8: four of five quoted pairs push back. With names redacted the demo gives precision 0.22 at
# recall 0.40 there, and 1.0 kept none of the planted hits (docs/benchmarks.md).
STANCE_THRESHOLD = 0.8
# Words that mark a claim being pushed back on. A cue only strengthens a pair; it never makes one.
_CONTRAST = re.compile(
    r"\b(not|no|never|don't|doesn't|isn't|can't|won't|shouldn't|without|instead|rather than|"
    r"but|however|although|disagree|against|worr(?:y|ied)|scared|risk)\b|n't\b",
    re.IGNORECASE,
)


def text_tensions(engine) -> list[dict]:
    """Per theme: extracts at opposite ends of its main line of difference, paired where they
    are still close in topic. Suggestions only: closeness in meaning is not disagreement."""
    with engine.connect() as conn:
        query = select(themes.c.id, themes.c.label).where(themes.c.status == "active")
        active = {row.id: row.label for row in conn.execute(query)}
        placed = conn.execute(
            select(theme_members.c.theme_id, extracts.c.id, extracts.c.embedding,
                   extracts.c.text, extracts.c.date)
            .join(extracts, extracts.c.id == theme_members.c.extract_id)
            .where(theme_members.c.status == "placed")
            .order_by(theme_members.c.theme_id, extracts.c.id)
        ).all()  # fmt: skip
    by_theme: dict[str, list] = defaultdict(list)
    for row in placed:
        if row.theme_id in active:
            by_theme[row.theme_id].append(row)
    found = []
    for theme_id, rows in sorted(by_theme.items()):
        if len(rows) >= MIN_THEME_SIZE:
            tension = _text_split(theme_id, active[theme_id], rows)
            if tension:
                found.append(tension)
    found.sort(key=lambda t: -t["measures"]["score"])
    return found[:MAX_TEXT_TENSIONS]


def _text_split(theme_id: str, label: str, rows) -> dict | None:
    ids = [r.id for r in rows]
    vectors = np.vstack([np.frombuffer(r.embedding, dtype=np.float32) for r in rows])
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1.0)
    # The debate sits where the theme is densest: extracts with close neighbours inside it.
    neighbours = min(5, len(ids) - 1)
    density = np.sort(similarity, axis=1)[:, -neighbours:].mean(axis=1)
    core = np.argsort(-density, kind="stable")[: max(MIN_THEME_SIZE, len(ids) // 2)]
    centred = vectors[core] - vectors[core].mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axis = vt[0] if vt[0][np.argmax(np.abs(vt[0]))] >= 0 else -vt[0]
    position = centred @ axis
    spread = float(position.std()) or 1.0
    side_a = [int(core[i]) for i in np.flatnonzero(position > POLE * spread)]
    side_b = [int(core[i]) for i in np.flatnonzero(position < -POLE * spread)]
    if len(side_a) < 3 or len(side_b) < 3:
        return None
    contrast = {i: bool(_CONTRAST.search(rows[i].text or "")) for i in side_a + side_b}
    # "Still about the same thing": at least as close as a typical pair in the whole theme.
    floor = float(np.median(similarity[np.triu_indices(len(ids), 1)]))
    pairs = []
    for a in side_a:
        for b in side_b:
            if similarity[a, b] < floor:
                continue
            cue = contrast[a] != contrast[b]  # one pushes back, the other does not
            pairs.append((float(similarity[a, b]) * (1.25 if cue else 1.0), a, b, cue))
    pairs.sort(key=lambda p: (-p[0], ids[p[1]], ids[p[2]]))
    chosen, used = [], set()
    for pair in pairs:  # each extract in at most one shown pair, so the evidence is varied
        if pair[1] in used or pair[2] in used:
            continue
        chosen.append(pair)
        used.update(pair[1:3])
        if len(chosen) == MAX_PAIRS:
            break
    if len(chosen) < 2:
        return None
    score = float(np.mean([p[0] for p in chosen]))
    # Stance: pairs in which exactly one extract pushes back. The model cannot see stance, so
    # this is the only evidence the two sides oppose rather than differ in topic.
    stance = sum(p[3] for p in chosen) / MAX_PAIRS
    words = _side_words([[rows[i].text or "" for i in members] for members in (side_a, side_b)])
    order_a = sorted(side_a, key=lambda i: -position[list(core).index(i)])
    order_b = sorted(side_b, key=lambda i: position[list(core).index(i)])
    sides = []
    for name, members, quoted in (
        (f"one side: {words[0]}", order_a, [p[1] for p in chosen]),
        (f"other side: {words[1]}", order_b, [p[2] for p in chosen]),
    ):
        sides.append(
            {
                "label": name,
                "summary": f"{len(members)} extracts at this end of the theme",
                "extract_ids": [ids[i] for i in members],
                "quotes": [ids[i] for i in quoted],
            }
        )
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for side, members in enumerate((side_a, side_b)):
        for i in members:
            if rows[i].date:
                months[rows[i].date[:7]][side] += 1
    return {
        "key": f"text|{theme_id}",
        "signal": "text",
        "title": f"In “{label}”: {words[0]} — or {words[1]}?",
        "themes": [theme_id],
        "sides": sides,
        "measures": {
            "score": round(score, 4),
            "stance": round(stance, 4),
            "side_words": words,
            "pairs": [
                {"a": ids[a], "b": ids[b], "similarity": round(float(similarity[a, b]), 4),
                 "contrast_cue": cue}
                for _, a, b, cue in chosen
            ],
            "by_month": dict(sorted(months.items())),
            "method": "topic closeness and the theme's main line of difference "
            "(all-MiniLM-L6-v2); the model does not judge agreement: confirm or dismiss",
        },
    }  # fmt: skip


def _side_words(sides: list[list[str]], top: int = 2) -> list[str]:
    """The words that most set each side apart from the other: the log-odds ratio with an
    informative prior (Monroe, Colaresi and Quinn's "Fightin' Words"), so words both sides use
    as often, such as "people", name neither."""
    from collections import Counter

    from lab_app.themes.labels import terms_of

    counts = [Counter(t for text in texts for t in terms_of(text)) for texts in sides]
    prior = counts[0] + counts[1]
    total_prior = sum(prior.values()) or 1
    totals = [sum(c.values()) for c in counts]
    scores: list[dict[str, float]] = [{}, {}]
    for term, both in prior.items():
        if both < 2:
            continue
        a = both / total_prior  # prior share of the term, scaled below
        odds = []
        for side in (0, 1):
            y, n = counts[side][term] + a * 10, totals[side] + 10
            odds.append(np.log(y / max(n - y, 1e-9)))
        spread = np.sqrt(1 / (counts[0][term] + a * 10) + 1 / (counts[1][term] + a * 10))
        z = (odds[0] - odds[1]) / spread
        scores[0][term], scores[1][term] = z, -z
    words = []
    for side in (0, 1):
        ranked = sorted(
            (t for t, z in scores[side].items() if z > 0), key=lambda t: -scores[side][t]
        )
        words.append(", ".join(ranked[:top]) or "other views")
    return words
