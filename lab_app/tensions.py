"""Tensions: two sides found from votes, respondent attributes or text; staff confirm or dismiss.

Three signals, each kept with its evidence:
- votes: statements that split the opinion groups (lab_app.opinion_groups);
- attributes: an agreement question (Likert) on which respondent groups lean opposite ways,
  linked to the theme nearest in meaning to the question; groups under 5 people are suppressed;
- text: inside a theme, extracts that sit at opposite ends of the theme's main line of
  difference and still talk about the same thing. The model (all-MiniLM-L6-v2) measures
  closeness in topic, not agreement, so these are suggestions for staff to confirm or dismiss.

A tension's id comes from what it is about (the statement, the two attributes, the theme), so a
recompute updates it in place and staff decisions stick. Tensions hold extract ids, never text:
quotes are looked up when shown, so withdrawn material disappears from them too.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

import numpy as np
from sqlalchemy import insert, select, update

from lab_app.tables import extract_attributes, extracts, theme_members, themes
from lab_app.tables_year import tension_history, tensions
from lab_app.theme_state import current_user, now, record_audit

STATUSES = ("suggested", "confirmed", "dismissed")
MIN_GROUP = 5  # respondent groups smaller than this are never shown (disclosure control)
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

# --- text
MIN_THEME_SIZE = 8
POLE = 0.5  # an extract is on a side when it sits this many spreads from the middle
MAX_PAIRS = 5
MAX_TEXT_TENSIONS = 40
# Words that mark a claim being pushed back on. A cue only strengthens a pair; it never makes one.
_CONTRAST = re.compile(
    r"\b(not|no|never|don't|doesn't|isn't|can't|won't|shouldn't|without|instead|rather than|"
    r"but|however|although|disagree|against|worr(?:y|ied)|scared|risk)\b|n't\b",
    re.IGNORECASE,
)


# --- computing -------------------------------------------------------------------------------


def refresh(workspace, who: str | None = None) -> dict:
    """Recompute every signal and store the result; return counts by signal and change."""
    engine = workspace.store.engine
    found = vote_tensions(engine) + attribute_tensions(workspace) + text_tensions(engine)
    return save(engine, found, who or current_user())


def vote_tensions(engine) -> list[dict]:
    """Statements on which one opinion group mostly agrees and another mostly disagrees."""
    from lab_app import opinion_groups

    result = opinion_groups.from_workspace(engine)
    if result is None or result.k < 2:
        return []
    sizes = result.group_sizes()
    theme_of = _themes_of(engine, result.statements)
    found = []
    for statement in result.most_divisive(len(result.statements), min_seen=MIN_SEEN):
        entry = result.stats[statement]
        if entry["divisiveness"] < MIN_DIVISIVENESS or len(found) >= MAX_VOTE_TENSIONS:
            break
        shares = {
            g: {"agree": m["na"] / m["ns"] if m["ns"] else 0.0,
                "disagree": m["nd"] / m["ns"] if m["ns"] else 0.0, "voted": m["ns"]}
            for g, m in entry["groups"].items()
        }  # fmt: skip
        agreeing = [g for g, s in shares.items() if s["agree"] > s["disagree"] and s["voted"]]
        disagreeing = [g for g, s in shares.items() if s["disagree"] > s["agree"] and s["voted"]]
        if not agreeing or not disagreeing:
            continue  # groups differ in degree only: not two sides
        sides = []
        for label, members, direction in (
            ("agree", agreeing, "agree"),
            ("disagree", disagreeing, "disagree"),
        ):
            also = [
                r["statement"]
                for g in members
                for r in result.representative.get(g, [])
                if r["statement"] != statement
            ]
            summary = "; ".join(
                f"group {g + 1} ({sizes.get(g, 0)} people): {shares[g][direction]:.0%} {direction}"
                for g in members
            )
            sides.append(
                {
                    "label": label,
                    "summary": summary,
                    "groups": [g + 1 for g in members],
                    "extract_ids": list(dict.fromkeys([statement] + also)),
                    "quotes": [statement],
                }
            )
        found.append(
            {
                "key": f"votes|{statement}",
                "signal": "votes",
                "title": "Opinion groups split on a statement",
                "themes": [theme_of[statement]] if statement in theme_of else [],
                "sides": sides,
                "measures": {
                    "statement": statement,
                    "divisiveness": round(entry["divisiveness"], 4),
                    "consensus_agree": round(entry["consensus_agree"], 4),
                    "votes": entry["seen"],
                    "groups": {str(g + 1): {k: round(v, 4) if isinstance(v, float) else v
                                            for k, v in s.items()} for g, s in shares.items()},
                    "group_sizes": {str(g + 1): n for g, n in sizes.items()},
                },
            }
        )  # fmt: skip
    return found


def attribute_tensions(workspace) -> list[dict]:
    """Agreement questions on which respondent groups lean opposite ways, with the numbers."""
    engine = workspace.store.engine
    answers, extracts_of = _respondents(engine)
    names = sorted({name for values in answers.values() for name in values})
    scales = [n for n in names if _is_agreement_scale(answers, n)]
    grouping = [n for n in names if n not in scales and _is_grouping(answers, n)]
    found = []
    for scale in scales:
        theme = _nearest_theme(workspace, scale)
        for attribute in grouping:
            tension = _attribute_split(engine, answers, extracts_of, scale, attribute, theme)
            if tension:
                found.append(tension)
    return found


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


def _attribute_split(engine, answers, extracts_of, scale, attribute, theme) -> dict | None:
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
            if e in theme_members_
        ]
        ids = sorted(set(ids), key=lambda e: (-(theme_members_.get(e) or 0.0), e))
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
        "title": f"{_short(attribute)} differ on: {_short(scale)}",
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


def _nearest_theme(workspace, question: str) -> str | None:
    """The active theme whose centre is nearest in meaning to the question's wording."""
    with workspace.store.engine.connect() as conn:
        rows = conn.execute(
            select(themes.c.id, themes.c.centroid).where(
                themes.c.status == "active", themes.c.centroid.is_not(None)
            )
        ).all()
    if not rows:
        return None
    wording = question.split(":", 1)[-1] if ":" in question else question
    vector = workspace.embedder.embed([wording.strip()])[0]
    centres = np.vstack([np.frombuffer(r.centroid, dtype=np.float32) for r in rows])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    return rows[int(np.argmax(centres @ vector))].id


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
    order_a = sorted(side_a, key=lambda i: -position[list(core).index(i)])
    order_b = sorted(side_b, key=lambda i: position[list(core).index(i)])
    sides = []
    for name, members, quoted in (
        ("one side", order_a, [p[1] for p in chosen]),
        ("other side", order_b, [p[2] for p in chosen]),
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
        "title": f"Opposing views in “{label}”",
        "themes": [theme_id],
        "sides": sides,
        "measures": {
            "score": round(score, 4),
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


# --- storing ---------------------------------------------------------------------------------


def tension_id(key: str) -> str:
    """A stable id from what the tension is about."""
    return "X-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def save(engine, found: list[dict], who: str) -> dict:
    """Insert new tensions, update changed ones (keeping staff status), mark vanished ones."""
    stamp = now()
    counts: Counter = Counter()
    with engine.begin() as conn:
        existing = {row.id: dict(row._mapping) for row in conn.execute(select(tensions))}
        seen = set()
        for tension in found:
            identifier = tension_id(tension["key"])
            seen.add(identifier)
            measures = dict(tension["measures"], key=tension["key"], current=True)
            values = {
                "signal": tension["signal"],
                "title": tension["title"],
                "themes": tension["themes"],
                "sides": tension["sides"],
                "measures": measures,
            }
            before = existing.get(identifier)
            if before is None:
                conn.execute(
                    insert(tensions).values(
                        id=identifier, status="suggested", created_at=stamp, updated_at=stamp,
                        **values,
                    )
                )  # fmt: skip
                _history(conn, identifier, stamp, who, "found", _snapshot(tension))
                counts["new"] += 1
            elif any(before[k] != v for k, v in values.items()):
                conn.execute(
                    update(tensions)
                    .where(tensions.c.id == identifier)
                    .values(updated_at=stamp, **values)
                )
                _history(conn, identifier, stamp, who, "updated", _snapshot(tension))
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        for identifier, row in existing.items():
            if identifier in seen or not (row["measures"] or {}).get("current", True):
                continue
            measures = dict(row["measures"] or {}, current=False)
            conn.execute(
                update(tensions)
                .where(tensions.c.id == identifier)
                .values(measures=measures, updated_at=stamp)
            )
            _history(conn, identifier, stamp, who, "no longer found", {})
            counts["gone"] += 1
        by_signal = Counter(t["signal"] for t in found)
        record_audit(conn, "tensions.refresh", None, {**counts, **by_signal}, who=who)
    return {"signals": dict(by_signal), **{k: counts[k] for k in
            ("new", "updated", "unchanged", "gone")}}  # fmt: skip


def _snapshot(tension: dict) -> dict:
    """What the history keeps of a recompute: sizes and the headline measure, never text."""
    measures = tension["measures"]
    headline = {
        k: measures[k]
        for k in ("divisiveness", "votes", "agree_gap", "cramers_v", "score")
        if k in measures
    }
    headline["sides"] = [len(side["extract_ids"]) for side in tension["sides"]]
    return headline


def _history(conn, tension: str, stamp, who: str, event: str, detail: dict) -> None:
    conn.execute(
        insert(tension_history).values(
            tension_id=tension, at=stamp, who=who, event=event, detail=detail
        )
    )


def decide(engine, identifier: str, status: str, who: str, note: str = "") -> dict:
    """Staff confirm or dismiss a tension (or put it back to suggested); kept through recomputes."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    who = (who or "").strip()
    if not who:
        raise ValueError("say who decides: a staff name is needed")
    row = get(engine, identifier)
    if row is None:
        raise ValueError(f"no tension {identifier}: see `qlab tensions` for the ids")
    if row["status"] == status:
        return row
    stamp = now()
    with engine.begin() as conn:
        conn.execute(update(tensions).where(tensions.c.id == identifier).values(status=status))
        detail = {"from": row["status"], "to": status}
        if note:
            detail["note_chars"] = len(note)  # the trail never holds free text
        _history(conn, identifier, stamp, who, status, detail)
        record_audit(conn, f"tension.{status}", identifier, detail, who=who)
    return get(engine, identifier)


def confirm(engine, identifier: str, who: str) -> dict:
    return decide(engine, identifier, "confirmed", who)


def dismiss(engine, identifier: str, who: str) -> dict:
    return decide(engine, identifier, "dismissed", who)


# --- reading ---------------------------------------------------------------------------------


def get(engine, identifier: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(tensions).where(tensions.c.id == identifier)).first()
    return dict(row._mapping) if row else None


def list_tensions(engine, include_dismissed: bool = False, include_gone: bool = False):
    """Tensions for the UI and CLI: confirmed first, then suggested, by signal and strength."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(tensions))]
    kept = [
        r
        for r in rows
        if (include_dismissed or r["status"] != "dismissed")
        and (
            include_gone or (r["measures"] or {}).get("current", True) or r["status"] == "confirmed"
        )
    ]
    order = {"confirmed": 0, "suggested": 1, "dismissed": 2}
    signal_order = {"votes": 0, "attributes": 1, "text": 2}
    return sorted(
        kept,
        key=lambda r: (
            order[r["status"]],
            signal_order.get(r["signal"], 3),
            -_strength(r),
            r["id"],
        ),
    )


def _strength(row: dict) -> float:
    measures = row["measures"] or {}
    for key in ("divisiveness", "cramers_v", "score"):
        if key in measures:
            return float(measures[key])
    return 0.0


def history(engine, identifier: str) -> list[dict]:
    query = (
        select(tension_history)
        .where(tension_history.c.tension_id == identifier)
        .order_by(tension_history.c.id)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def as_json(row: dict) -> dict:
    """A tension as plain JSON values (dates as ISO text)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


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
