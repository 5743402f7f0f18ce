"""What staff decided, as essays read it: confirmed tensions (titled with today's theme names),
accepted ideas with who backs them, and opinion groups from votes. The one place the essays
read opinions.tensions, year.ideas and opinions.groups, so changes there land here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from lab_app.core.schema import extracts, theme_history, themes
from lab_app.essays.attribution import role_of
from lab_app.essays.markup import flat
from lab_app.essays.material import ideas_for
from lab_app.essays.quotable import statement_problem
from lab_app.essays.writing import readable_label
from lab_app.material.consent import may_quote
from lab_app.material.reads import extracts_by_ids
from lab_app.themes.views import attributes_of

ACCEPTED = ("adopted", "testing")  # statuses that mean the Lab is taking an idea forward
# The title idea_suggestions gives a candidate whose proposers may not be shown: key words,
# not a name anyone chose, so an essay never prints it.
MACHINE_TITLE = "A proposal about "
TOP_STATEMENTS = 3


# --- tensions --------------------------------------------------------------------------------


def confirmed_tensions(engine, theme_id: str | None = None) -> list[dict]:
    """Tensions staff confirmed (on one theme, or all), their titles naming themes as staff
    named them today rather than by the label they had when the tension was found."""
    from lab_app.opinions import tensions

    rows = [t for t in tensions.list_tensions(engine) if t["status"] == "confirmed"]
    if theme_id is not None:
        rows = [t for t in rows if theme_id in (t["themes"] or [])]
    names = theme_names(engine)
    for row in rows:
        row["title"] = _untruncated(_statement_kept(engine, row))
        if row["signal"] == "text" and (row["measures"] or {}).get("title_without_question"):
            # The question is a thread's title: words no extract holds, so no quote check
            # could trace them; the essay names the theme and the sides only.
            row["title"] = row["measures"]["title_without_question"]
        for theme in row["themes"] or []:
            current, old = names.get(theme, ("", []))
            for label in sorted(old, key=len, reverse=True):
                if label and label != current:
                    row["title"] = row["title"].replace(label, current)
    return rows


def _statement_kept(engine, row: dict) -> dict:
    """A vote tension's title quotes its statement; when the statement may not be quoted (its
    author did not agree, or it is not clean prose) the title names it without its words."""
    statement = (row["measures"] or {}).get("statement")
    if row["signal"] != "votes" or not statement:
        return row
    found = extracts_by_ids(engine, [statement])
    text = flat(found[statement]["text"]) if statement in found else ""
    if text and statement in may_quote(engine, found) and statement_problem(text) is None:
        return row
    agree, disagree = (side["label"] for side in row["sides"][:2])
    title = f"{agree[:1].upper()}{agree[1:]} and {disagree} with a statement not quoted here"
    return {**row, "title": title}


def _untruncated(row: dict) -> str:
    """A title the signal cut short ("…") written out from its own measures, when they hold
    the full question and grouping; any other title as it is."""
    measures = row["measures"] or {}
    question, grouped = measures.get("question"), measures.get("grouped_by")
    if "…" not in row["title"] or not (question and grouped):
        return row["title"]
    return f"Answers to ‘{question}’ differ by how people answered ‘{grouped}’"


def theme_names(engine) -> dict[str, tuple[str, list[str]]]:
    """theme id -> (its name as a reader sees it now, every label it has had)."""
    with engine.connect() as conn:
        rows = conn.execute(select(themes.c.id, themes.c.label, themes.c.label_by_staff)).all()
        history = conn.execute(select(theme_history.c.theme_id, theme_history.c.label)).all()
    labels: dict[str, set[str]] = {}
    for theme_id, label in history:
        if label:
            labels.setdefault(theme_id, set()).add(label)
    found = {}
    for row in rows:
        old = labels.get(row.id, set()) | {row.label}
        found[row.id] = (readable_label(row.label, bool(row.label_by_staff)), sorted(old))
    return found


# --- ideas -----------------------------------------------------------------------------------


@dataclass
class Backing:
    """Who stands behind an idea: people, never names."""

    supporters: int = 0  # backed it in the app
    proposers: int = 0  # wrote the proposal it came from
    discussed: int = 0  # other people whose words are linked to it
    roles: Counter = field(default_factory=Counter)  # role -> people among all of them


def accepted_ideas(engine, theme_ids: set[str] | None = None) -> list[dict]:
    """Ideas the Lab is taking forward (adopted, testing, or marked for the essay), touching
    these themes when given: adopted first, then testing, then marked; most backed first."""
    from lab_app.year import ideas

    touching = ideas_for(engine, theme_ids=theme_ids) if theme_ids else ideas_for(engine)
    chosen = []
    for idea in touching:
        marked = bool((idea.get("details") or {}).get("for_essay"))
        if idea["status"] not in ACCEPTED and not marked:
            continue
        detail = ideas.get_idea(engine, idea["id"])
        links = [r for r in detail["links"] if r["target_type"] == "extract"]
        idea["marked"] = marked
        idea["proposals"] = [r["target_id"] for r in links if r["role"] == "source"]
        idea["discussion"] = [r["target_id"] for r in links if r["role"] != "source"]
        idea["backing"] = backing(engine, idea, [s["participant"] for s in detail["supporters"]])
        idea["machine_title"] = idea["title"].startswith(MACHINE_TITLE)
        chosen.append(idea)
    rank = {"adopted": 0, "testing": 1}
    return sorted(chosen, key=lambda i: (rank.get(i["status"], 2), -_people(i), i["id"]))


def backing(engine, idea: dict, supporters: list[str]) -> Backing:
    """Counts of the people behind an idea and their roles, from its links and supporters."""
    rows = extracts_by_ids(engine, idea["proposals"] + idea["discussion"])
    attributes = attributes_of(engine, list(rows))
    person_of = {e: r["person"] or f"extract:{e}" for e, r in rows.items()}
    proposers = {person_of[e] for e in idea["proposals"] if e in rows}
    discussed = {person_of[e] for e in idea["discussion"] if e in rows} - proposers
    role_by_person = {person_of[e]: role_of(attributes.get(e, {})) for e in rows}
    role_by_person.update(_supporter_roles(engine, supporters))
    everyone = proposers | discussed | set(supporters)
    roles = Counter(role_by_person[p] for p in everyone if role_by_person.get(p))
    return Backing(len(set(supporters)), len(proposers), len(discussed), roles)


def _supporter_roles(engine, supporters: list[str]) -> dict[str, str]:
    """A supporter's role, from what they said about themselves where they contributed."""
    if not supporters:
        return {}
    with engine.connect() as conn:
        query = select(extracts.c.person, extracts.c.id).where(extracts.c.person.in_(supporters))
        own = dict(conn.execute(query).all())
    attributes = attributes_of(engine, list(own.values()))
    found = {p: role_of(attributes.get(e, {})) for p, e in own.items()}
    return {p: r for p, r in found.items() if r}


def _people(idea: dict) -> int:
    b = idea["backing"]
    return b.supporters + b.proposers + b.discussed


# --- opinion groups --------------------------------------------------------------------------


def opinion_summary(engine) -> dict | None:
    """Opinion groups from the workspace's votes, or None when there are too few to group:
    sizes, each group's most representative statements (groups named by letter, as
    everywhere) and the statements of consensus (Pol.is's: a majority of every group)."""
    from lab_app.opinions import groups as opinion_groups

    result = opinion_groups.from_workspace(engine)
    if result is None or result.k < 2:
        return None
    sizes = result.group_sizes()
    groups = []
    for number, size in sizes.items():
        picked = result.representative.get(number, [])[:TOP_STATEMENTS]
        statements = [
            {"extract_id": r["statement"], "direction": r["direction"], "share": _plain_share(r)}
            for r in picked
        ]
        name = opinion_groups.letter(number)
        groups.append({"group": name, "size": size, "statements": statements})
    consensus = []
    for entry in result.consensus.get("agree", []):
        counts = result.stats[entry["statement"]]
        share = counts["agree"] / counts["seen"] if counts["seen"] else 0.0
        consensus.append({"extract_id": entry["statement"], "share": share, "seen": counts["seen"]})
    stats = {
        s: {"seen": e["seen"], "agree": e["agree"], "consensus": e["consensus_agree"],
            "divisiveness": e["divisiveness"]}
        for s, e in result.stats.items()
    }  # fmt: skip
    return {
        "voters": len(result.participants),
        "grouped": len(result.labels),
        "statements": len(result.statements),
        "groups": groups,
        "consensus": consensus,
        "divisive": result.most_divisive(TOP_STATEMENTS, min_seen=5),
        "stats": stats,
    }


def _plain_share(pick: dict) -> float:
    """The share of the group's votes on the statement that went its way (not smoothed)."""
    return pick["votes"] / pick["seen"] if pick["seen"] else 0.0
