"""Text tension signal: replies that push back on the post they answer, joined per conversation."""

# all-MiniLM-L6-v2 measures closeness in topic, not stance: trained on the demo Lab's planted
# sides themselves it separates them at AUC 0.57-0.81 (docs/benchmarks.md). What does carry
# stance in a Lab's own words is a conversation: a reply that opens "but", "with respect", "I
# hear you, but" disagrees with the post it answers, on that post's point (opinions/replies.py).
# So a text tension is a conversation (a thread) in which people push back on others, its
# exchanges joined into two sides, scored by the people on the smaller side, and filed under the
# theme most of its posts are placed in. A conversation, not a theme, is the unit: its replies
# are placed by topic, often in different themes (the demo's positive-risk thread sat in three),
# and a theme can hold several conversations on different points (read across themes but joined
# per theme, the demo's "Peer role" put a risk debate and a qualification debate on the same two
# sides). Survey answers and documents
# have no replies and give no text tension: closeness in topic is not disagreement, and listing
# it as one was issue 18's noise.

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from sqlalchemy import select

from lab_app.core.schema import extracts, theme_members, themes
from lab_app.opinions.replies import Camps, camps

MAX_PAIRS = 5  # quoted pairs per tension
MAX_TEXT_TENSIONS = 40
# People on the smaller side a text tension needs before it is reviewed first; below it a
# suggestion waits lower in staff's list, and no text suggestion reaches participants before
# staff confirm it. Chosen on three of the demo's five planted tensions, checked on the other
# two (docs/benchmarks.md, "Text tension signal").
STANCE_THRESHOLD = 2


def text_tensions(engine) -> list[dict]:
    """Per conversation: the replies in it that push back on a post, as two sides, each
    conversation filed under the theme most of its posts are placed in."""
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
    theme_of, rows = {}, []
    for row in placed:
        if row.theme_id in active and row.id not in theme_of:
            theme_of[row.id] = row.theme_id
            rows.append(row)
    by_conversation: dict[str, list[Camps]] = defaultdict(list)
    for camp in camps(rows):
        by_conversation[_conversation(camp)].append(camp)
    found = []
    openings = _openings(engine)
    for conversation, exchanges in sorted(by_conversation.items()):
        merged = _merged(exchanges)
        theme_id = _home(merged, theme_of)
        tension = _conversation_tension(conversation, theme_id, active[theme_id], merged)
        thread = tension["measures"]["thread"]
        tension["measures"]["thread_opening"] = openings.get((thread[0], thread[1]))
        found.append(tension)
    found.sort(key=lambda t: (-t["measures"]["stance"], -t["measures"]["pushback"], t["key"]))
    return found[:MAX_TEXT_TENSIONS]


def _openings(engine) -> dict[tuple, str]:
    """(source, thread) -> the extract that opens it: whoever wrote the thread's title, whose
    consent decides whether participants read that title in a tension's."""
    query = select(extracts.c.id, extracts.c.source_id, extracts.c.meta).where(
        extracts.c.kind == "contribution"
    )
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(extracts.c.id)).all()
    found = {}
    for row in rows:
        meta = row.meta or {}
        if meta.get("thread") and not meta.get("parent"):
            found.setdefault((row.source_id, meta["thread"]), row.id)
    return found


def _conversation(camp: Camps) -> str:
    """The conversation an exchange is in: its source and thread; an exchange in replies that
    name no thread is a conversation of its own (its first post pushed back on names it)."""
    post = camp.pushback[0][0]
    thread = (post.meta or {}).get("thread")
    return f"{post.source_id}|{thread}" if thread else f"{post.source_id}|post:{post.id}"


def _home(camp: Camps, theme_of: dict) -> str:
    """The theme holding most of a conversation's posts (ties: the first post pushed back on's)."""
    counts = Counter(theme_of[row.id] for side in camp.sides for row in side)
    first = theme_of[camp.pushback[0][0].id]
    return max(counts, key=lambda theme: (counts[theme], theme == first))


def _conversation_tension(conversation: str, theme_id: str, label: str, best: Camps) -> dict:
    sides_rows, people = best.sides, best.people()
    # The question argued over: the conversation's thread, when its replies name one.
    first = best.pushback[0][0]
    source, thread = first.source_id, (first.meta or {}).get("thread")
    words = _side_words([[r.text or "" for r in side] for side in sides_rows])
    shown, used = [], set()
    for pair in best.pushback:  # each post quoted once, so the evidence is varied
        if not used & {pair[0].id, pair[1].id}:
            shown.append(pair)
            used.update((pair[0].id, pair[1].id))
    shown = shown[:MAX_PAIRS]
    sides = []
    for position, (name, members) in enumerate(
        (("one side", sides_rows[0]), ("the other side", sides_rows[1]))
    ):
        sides.append(
            {
                "label": name,
                "people": people[position],
                "summary": f"{_count(people[position], 'person', 'people')}, "
                f"{_count(len(members), 'post', 'posts')}",
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
        "key": f"text|{conversation}",
        "signal": "text",
        "title": _title(label, thread, words, people),
        "themes": [theme_id],
        "sides": sides,
        "measures": {
            "stance": min(people),
            "pushback": len(best.pushback),
            "side_words": words,
            "thread": [source, thread],
            "title_without_question": _title(label, None, words, people),
            "pairs": [{"a": a.id, "b": b.id} for a, b in shown],
            "by_month": dict(sorted(months.items())),
            "method": "replies in one conversation that push back on (or side with) the post "
            "they answer, joined into two sides; confirm only if they truly oppose",
        },
    }


def _merged(found: list[Camps]) -> Camps:
    """A conversation's exchanges as one tension, each with the first post pushed back on in it
    on the first side: a thread opens with a position and replies push back on it, so the sides
    are those who made a case and those who pushed back. Exchanges no reply links are oriented
    that way too; turning each to lie nearest in meaning to the largest instead changed no side
    on the demo (20 of 22 planted extracts consistent either way; per theme it had been worse,
    11 of 14 against 13 of 14): the model sees topic, not stance."""
    merged = Camps()
    for camp in found:
        for position in (0, 1):
            merged.sides[position].extend(camp.sides[position])
        merged.pushback.extend(camp.pushback)
    return merged


def _title(label: str, thread: str | None, words: list[str], people: list[int]) -> str:
    """The theme, the question argued over (a thread's title, redacted at ingest) and the two
    sides: in their own distinctive words when words clearly set them apart, else by people."""
    on = f", on “{_short(thread, 90)}”" if thread else ""
    if all(words):
        return f"In “{label}”{on}: {words[0]} — or {words[1]}?"
    return (f"In “{label}”{on}: {_count(people[0], 'person makes', 'people make')} a case "
            f"and {_count(people[1], 'pushes', 'push')} back")  # fmt: skip


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


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
        # Only words that set the sides apart beyond chance (|z| >= 1.96, as in the paper): a
        # few posts rarely give any, and a word picked by chance would misname a side.
        words.append(", ".join(t for t in ranked[:top] if scores[side][t] >= 1.96))
    return words
