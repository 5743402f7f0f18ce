"""Tension signals from votes and survey answers: groups leaning opposite ways, with evidence."""

# - votes: statements that split the opinion groups (lab_app.opinions.groups);
# - attributes: an agreement question (Likert) on which respondent groups lean opposite ways,
#   linked to the theme nearest in meaning to the question; groups under 5 people are suppressed.
# Each is kept with its evidence; the text signal is in opinions/text_signal.py.

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from sqlalchemy import select

from lab_app.core.schema import extract_attributes, extracts, theme_members, themes
from lab_app.material.consent import MIN_GROUP  # smaller respondent groups are never shown
from lab_app.material.reads import vectors_of

QUOTES_PER_SIDE = 3

# --- votes
MIN_SEEN = 5  # a statement needs this many votes before it can be called divisive
MIN_DIVISIVENESS = 0.3
MAX_VOTE_TENSIONS = 10

# --- attributes
AGREEMENT = {
    "strongly agree": 2, "agree": 1, "somewhat agree": 1, "tend to agree": 1,
    "neither agree nor disagree": 0, "neutral": 0, "neither": 0,
    "somewhat disagree": -1, "tend to disagree": -1, "disagree": -1, "strongly disagree": -2,
}  # fmt: skip
NOT_AN_ANSWER = {"don't know", "dont know", "not sure", "prefer not to say", "n/a", ""}
MIN_SHARE_GAP = 0.3  # agree shares at least this far apart between two groups
MAX_P_VALUE = 0.001  # chi-square on groups × (agree, neither, disagree)
MAX_GROUP_VALUES = 12


def vote_tensions(engine) -> list[dict]:
    """Statements on which one opinion group mostly agrees and another mostly disagrees,
    titled by the statement and the two sides in words (groups lettered as everywhere)."""
    from lab_app.opinions import groups as opinion_groups
    from lab_app.opinions.group_views import statement_texts

    result = opinion_groups.from_workspace(engine)
    if result is None or result.k < 2:
        return []
    sizes = result.group_sizes()
    theme_of = _themes_of(engine, result.statements)
    ranked = result.most_divisive(len(result.statements), min_seen=MIN_SEEN)
    texts = statement_texts(engine, ranked[: MAX_VOTE_TENSIONS * 3], for_participants=False)
    found = []
    for statement in ranked:
        entry = result.stats[statement]
        if entry["divisiveness"] < MIN_DIVISIVENESS or len(found) >= MAX_VOTE_TENSIONS:
            break
        tension = _vote_split(statement, entry, result, sizes, texts.get(statement, ""))
        if tension:
            tension["themes"] = [theme_of[statement]] if statement in theme_of else []
            found.append(tension)
    return found


def _vote_split(statement, entry, result, sizes, text) -> dict | None:
    letter = _letter()
    shares = {
        g: {"agree": m["na"] / m["ns"] if m["ns"] else 0.0,
            "disagree": m["nd"] / m["ns"] if m["ns"] else 0.0, "voted": m["ns"]}
        for g, m in entry["groups"].items()
    }  # fmt: skip
    agreeing = [g for g, s in shares.items() if s["agree"] > s["disagree"] and s["voted"]]
    disagreeing = [g for g, s in shares.items() if s["disagree"] > s["agree"] and s["voted"]]
    if not agreeing or not disagreeing:
        return None  # groups differ in degree only: not two sides
    sides = []
    for direction, members in (("agree", agreeing), ("disagree", disagreeing)):
        # What the side's groups also agree with, so the page can quote them (not what they
        # reject, which would read as their view).
        also = [r["statement"] for g in members for r in result.representative.get(g, [])
                if r["statement"] != statement and r["direction"] == "agree"]  # fmt: skip
        summary = "; ".join(
            f"group {letter(g)} ({sizes.get(g, 0)} people): {shares[g][direction]:.0%} {direction}"
            for g in members
        )
        verb = direction + ("s" if len(members) == 1 else "")
        sides.append(
            {"label": f"{_groups_in_words(members)} {verb}", "summary": summary,
             "groups": [letter(g) for g in members],
             "extract_ids": list(dict.fromkeys([statement] + also)), "quotes": [statement]}
        )  # fmt: skip
    first = sides[0]["label"]
    return {
        "key": f"votes|{statement}",
        "signal": "votes",
        "title": f"{first[:1].upper()}{first[1:]} and {sides[1]['label']} that "
        f"“{_short(text, 120)}”",
        "sides": sides,
        "measures": {
            "statement": statement,
            "divisiveness": round(entry["divisiveness"], 4),
            "consensus_agree": round(entry["consensus_agree"], 4),
            "votes": entry["seen"],
            "groups": {letter(g): {k: round(v, 4) if isinstance(v, float) else v
                                   for k, v in s.items()} for g, s in shares.items()},
            "group_sizes": {letter(g): n for g, n in sizes.items()},
        },
    }  # fmt: skip


def _letter():
    from lab_app.opinions.groups import letter

    return letter


def _groups_in_words(groups: list[int]) -> str:
    letter = _letter()
    names = [letter(g) for g in groups]
    if len(names) == 1:
        return f"group {names[0]}"
    return "groups " + ", ".join(names[:-1]) + " and " + names[-1]


def attribute_tensions(workspace) -> list[dict]:
    """Agreement questions on which respondent groups lean opposite ways, with the numbers."""
    engine = workspace.store.engine
    answers, extracts_of = _respondents(engine)
    names = sorted({name for values in answers.values() for name in values})
    scales = [n for n in names if _is_agreement_scale(answers, n)]
    grouping = [n for n in names if n not in scales and _is_grouping(answers, n)]
    found = []
    for scale in scales:
        theme, wording = _nearest_theme(workspace, scale)
        for attribute in grouping:
            split = _attribute_split(engine, answers, extracts_of, scale, attribute, theme, wording)
            if split:
                found.append(split)
    return found


def _speaking_to(engine, ids: list[str], wording, theme_members_: dict) -> list[str]:
    """A side's answers, those nearest in meaning to the question first, so the words shown
    speak to what the groups split on: any of the side's answers, in any theme (the nearest
    theme's own answers may hold none on the point: "The question assumes everyone wants peer
    support" was a side's best from the theme "Peer support"). Without the question's vector,
    the theme's most central answers first."""
    if wording is None:
        inside = [e for e in ids if e in theme_members_]
        return sorted(inside, key=lambda e: (-(theme_members_.get(e) or 0.0), e))
    vectors = vectors_of(engine, ids)
    return sorted(ids, key=lambda e: (-float(vectors[e] @ wording) if e in vectors else 0.0, e))


def _respondents(engine) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """person -> {attribute: value} (first value seen) and person -> their extract ids."""
    query = (
        select(
            extracts.c.person,
            extracts.c.id,
            extract_attributes.c.name,
            extract_attributes.c.value,
        )
        .join(extract_attributes, extract_attributes.c.extract_id == extracts.c.id)
        .where(extracts.c.person.is_not(None))
        .order_by(extracts.c.person, extracts.c.id)
    )
    answers: dict[str, dict[str, str]] = defaultdict(dict)
    extracts_of: dict[str, list[str]] = defaultdict(list)
    with engine.connect() as conn:
        for person, extract_id, name, value in conn.execute(query):
            answers[person].setdefault(name, (value or "").strip())
            if not extracts_of[person] or extracts_of[person][-1] != extract_id:
                extracts_of[person].append(extract_id)
    return answers, extracts_of


def _score(value: str) -> int | None:
    return AGREEMENT.get(value.strip().lower())


def _is_agreement_scale(answers, name: str) -> bool:
    values = [a[name] for a in answers.values() if name in a]
    given = [v for v in values if v.strip().lower() not in NOT_AN_ANSWER]
    scored = [v for v in given if _score(v) is not None]
    return (
        len(scored) >= 2 * MIN_GROUP
        and len(scored) >= 0.8 * len(given)
        and (len({_score(v) for v in scored}) >= 3)
    )


def _is_grouping(answers, name: str) -> bool:
    """A categorical attribute worth comparing by: a handful of values, not about consent."""
    if "quot" in name.lower() or "consent" in name.lower():
        return False
    counts = Counter(a[name] for a in answers.values() if a.get(name))
    big = [v for v, n in counts.items() if n >= MIN_GROUP]
    return 2 <= len(counts) <= MAX_GROUP_VALUES and len(big) >= 2


def _attribute_split(
    engine, answers, extracts_of, scale, attribute, theme, wording=None
) -> dict | None:
    from scipy.stats import chi2_contingency

    table: dict[str, Counter] = defaultdict(Counter)
    people: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for person, values in answers.items():
        group, score = values.get(attribute), _score(values.get(scale, ""))
        if not group or score is None:
            continue
        lean = "agree" if score > 0 else "disagree" if score < 0 else "neither"
        table[group][lean] += 1
        people[group][lean].append(person)
    shown = {g: c for g, c in table.items() if sum(c.values()) >= MIN_GROUP}
    suppressed = len(table) - len(shown)
    if len(shown) < 2:
        return None
    rows = []
    for group, counts in sorted(shown.items()):
        n = sum(counts.values())
        rows.append(
            {
                "value": group,
                "n": n,
                "agree": counts["agree"],
                "neither": counts["neither"],
                "disagree": counts["disagree"],
                "agree_share": round(counts["agree"] / n, 4),
                "disagree_share": round(counts["disagree"] / n, 4),
            }
        )
    agreeing = [r for r in rows if r["agree"] > r["disagree"]]
    disagreeing = [r for r in rows if r["disagree"] > r["agree"]]
    if not agreeing or not disagreeing:
        return None
    gap = max(r["agree_share"] for r in rows) - min(r["agree_share"] for r in rows)
    observed = np.array([[r["agree"], r["neither"], r["disagree"]] for r in rows])
    observed = observed[:, observed.sum(axis=0) > 0]
    chi2, p_value, _, _ = chi2_contingency(observed)
    cramers_v = float(np.sqrt(chi2 / (observed.sum() * max(1, min(observed.shape) - 1))))
    if gap < MIN_SHARE_GAP or p_value > MAX_P_VALUE:
        return None
    theme_members_ = _placed_in(engine, theme) if theme else {}
    sides = []
    for label, members in (("agree", agreeing), ("disagree", disagreeing)):
        members = sorted(members, key=lambda r: -r[f"{label}_share"])
        ids = [
            e
            for r in members
            for person in people[r["value"]][label]
            for e in extracts_of.get(person, [])
        ]
        ids = _speaking_to(engine, list(dict.fromkeys(ids)), wording, theme_members_)
        sides.append(
            {
                "label": label,
                "summary": "; ".join(
                    f"{r['value']} ({r['n']} people): {r[f'{label}_share']:.0%} {label}"
                    for r in members
                ),
                "groups": [r["value"] for r in members],
                "extract_ids": ids[:20],
                "quotes": ids[: QUOTES_PER_SIDE * 3],  # spare ones for consent filtering
            }
        )
    return {
        "key": f"attributes|{scale}|{attribute}",
        "signal": "attributes",
        "title": _attribute_title(scale, sides),
        "themes": [theme] if theme else [],
        "sides": sides,
        "measures": {
            "question": scale,
            "grouped_by": attribute,
            "groups": rows,
            "suppressed_groups": suppressed,
            "agree_gap": round(gap, 4),
            "p_value": float(p_value),
            "cramers_v": round(cramers_v, 4),
        },
    }


def _attribute_title(question: str, sides: list[dict]) -> str:
    """The question in its own words and who leans which way: "“…a recognised qualification”:
    most who answered “I am a clinician…” agree; most who answered “I am a peer worker…” …"."""
    wording = question.split(":", 1)[-1].strip() if ":" in question else question
    parts = []
    for side in sides:
        values = [f"“{_short(v, 45)}”" for v in side["groups"]]
        more = f" (and {len(values) - 2} more)" if len(values) > 2 else ""
        parts.append(f"most who answered {' or '.join(values[:2])}{more} {side['label']}")
    return f"“{_short(wording, 100)}”: " + "; ".join(parts)


def _nearest_theme(workspace, question: str) -> str | None:
    """The active theme whose centre is nearest in meaning to the question's wording, and the
    wording's vector."""
    with workspace.store.engine.connect() as conn:
        rows = conn.execute(
            select(themes.c.id, themes.c.centroid).where(
                themes.c.status == "active", themes.c.centroid.is_not(None)
            )
        ).all()
    if not rows:
        return None, None
    wording = question.split(":", 1)[-1] if ":" in question else question
    vector = workspace.embedder.embed([wording.strip()])[0]
    centres = np.vstack([np.frombuffer(r.centroid, dtype=np.float32) for r in rows])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    return rows[int(np.argmax(centres @ vector))].id, vector


# --- helpers ---------------------------------------------------------------------------------


def _themes_of(engine, extract_ids) -> dict[str, str]:
    wanted = list(extract_ids)
    found = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            query = select(theme_members.c.extract_id, theme_members.c.theme_id).where(
                theme_members.c.extract_id.in_(wanted[start : start + 500]),
                theme_members.c.status == "placed",
            )
            found.update({row.extract_id: row.theme_id for row in conn.execute(query)})
    return found


def _placed_in(engine, theme_id: str) -> dict[str, float | None]:
    query = select(theme_members.c.extract_id, theme_members.c.similarity).where(
        theme_members.c.theme_id == theme_id, theme_members.c.status == "placed"
    )
    with engine.connect() as conn:
        return {row.extract_id: row.similarity for row in conn.execute(query)}


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
