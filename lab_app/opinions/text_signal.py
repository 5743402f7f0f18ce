"""Text tension signal: replies that push back on the post they answer, gathered per theme."""

# all-MiniLM-L6-v2 measures closeness in topic, not stance: trained on the demo Lab's planted
# sides themselves it separates them at AUC 0.57-0.81 (docs/benchmarks.md). What does carry
# stance in a Lab's own words is a conversation: a reply that opens "but", "with respect", "I
# hear you, but" disagrees with the post it answers, on that post's point. So a text tension is
# a theme in which several people push back on several others in replies both placed in that
# theme; the posts pushed back on are one side, the replies the other. Survey answers and
# documents have no replies and give no text tension: a theme's closeness in topic is not
# disagreement, and listing it as one was issue 18's noise.

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from sqlalchemy import select

from lab_app.core.schema import extracts, theme_members, themes

MAX_PAIRS = 5  # quoted pairs per tension
MAX_TEXT_TENSIONS = 40
# Pushback pairs (distinct people, distinct posts) a theme needs before its text tension is
# reviewed first; below it a suggestion waits lower in staff's list, and no text suggestion
# reaches participants before staff confirm it. Chosen on three of the demo's five planted
# tensions, checked on the other two (docs/benchmarks.md, "Text tension signal").
STANCE_THRESHOLD = 2
# Discourse markers of disagreement at the start of a reply or of one of its sentences: the
# general English ones (contrast, hedged or open disagreement, conceding before objecting).
_PUSHBACK = re.compile(
    r"(?:^|[.!?]\s+)(?:but|however|i disagree|i don't agree|i'm not sure|i am not sure|"
    r"with respect|respectfully|i hear (?:you|that|what|the)|i see what you mean|"
    r"i take your point|i understand\b.{0,40}\bbut|i'd push back|i would push back|"
    r"on the other hand|not so sure|i'm not saying|sorry,? but)\b",
    re.IGNORECASE,
)
_OPENING = 240  # characters of a reply searched: pushback opens a reply, it is not buried in it


def text_tensions(engine) -> list[dict]:
    """Per theme: the replies that push back on a post also placed in it, with both sides."""
    with engine.connect() as conn:
        query = select(themes.c.id, themes.c.label).where(themes.c.status == "active")
        active = {row.id: row.label for row in conn.execute(query)}
        placed = conn.execute(
            select(theme_members.c.theme_id, extracts.c.id, extracts.c.text, extracts.c.date,
                   extracts.c.person, extracts.c.source_id, extracts.c.meta)
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
        tension = _theme_tension(theme_id, active[theme_id], rows)
        if tension:
            found.append(tension)
    found.sort(key=lambda t: (-t["measures"]["stance"], -t["measures"]["people"], t["key"]))
    return found[:MAX_TEXT_TENSIONS]


def pushes_back(text: str) -> bool:
    """Does this reply open (or open a sentence) with a marker of disagreement?"""
    return bool(_PUSHBACK.search((text or "")[:_OPENING]))


def pushback_pairs(rows) -> list[tuple]:
    """(post, reply) pairs among these rows: the reply answers the post, pushes back on it and
    comes from someone else. A post is quoted in one pair at most, so the evidence is varied."""
    posts = {}
    for row in rows:
        meta = row.meta or {}
        if meta.get("id"):
            posts[(row.source_id, meta.get("thread"), meta["id"])] = row
    pairs, used = [], set()
    for reply in rows:
        meta = reply.meta or {}
        post = posts.get((reply.source_id, meta.get("thread"), meta.get("parent")))
        if post is None or not reply.person or reply.person == post.person:
            continue
        if reply.id in used or post.id in used or not pushes_back(reply.text):
            continue
        pairs.append((post, reply))
        used.update((post.id, reply.id))
    return pairs


def _theme_tension(theme_id: str, label: str, rows) -> dict | None:
    pairs = pushback_pairs(rows)
    if not pairs:
        return None
    sides_rows = [[post for post, _ in pairs], [reply for _, reply in pairs]]
    people = [len({r.person for r in side}) for side in sides_rows]
    words = _side_words([[r.text or "" for r in side] for side in sides_rows])
    shown = pairs[:MAX_PAIRS]
    sides = []
    for position, (name, members) in enumerate(
        ((f"one side: {words[0]}", sides_rows[0]), (f"pushing back: {words[1]}", sides_rows[1]))
    ):
        sides.append(
            {
                "label": name,
                "summary": f"{people[position]} people, {len(members)} posts",
                "extract_ids": [r.id for r in members],
                "quotes": [pair[position].id for pair in shown],
            }
        )
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for side, members in enumerate(sides_rows):
        for row in members:
            if row.date:
                months[row.date[:7]][side] += 1
    return {
        "key": f"text|{theme_id}",
        "signal": "text",
        "title": f"In “{label}”: {words[0]} — or {words[1]}?",
        "themes": [theme_id],
        "sides": sides,
        "measures": {
            "stance": len(pairs),
            "people": min(people),
            "side_words": words,
            "pairs": [{"a": post.id, "b": reply.id} for post, reply in shown],
            "by_month": dict(sorted(months.items())),
            "method": "replies that open by pushing back on the post they answer, both placed "
            "in this theme; confirm only if the two sides truly oppose",
        },
    }


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
