"""How people voted, as essay Markdown: the opinion groups with the statements that set each
apart, the statements every group agreed with, and a theme's own voted statements. Statements
are quoted word for word with their markers, and only when their authors agreed."""

from __future__ import annotations

from lab_app.essays.markup import flat
from lab_app.essays.quotable import statement_problem
from lab_app.essays.writing import counted, inline_quote, percent
from lab_app.material.consent import may_quote
from lab_app.material.reads import extracts_by_ids

MIN_SEEN = 5  # a statement fewer people voted on says little about anyone


def votes_body(engine, summary: dict) -> str:
    """The report's section on opinion groups and consensus, from staff_decisions'
    opinion_summary."""
    groups = summary["groups"]
    wanted = [s["extract_id"] for g in groups for s in g["statements"]]
    wanted += [c["extract_id"] for c in summary["consensus"]] + list(summary["divisive"])
    quote = _quoter(engine, wanted)
    parts = [
        f"{counted(summary['voters'], 'person', 'people')} voted agree, disagree or pass on "
        f"{counted(summary['statements'], 'statement')}. Grouping people by how they voted, "
        f"the way Pol.is does, places {summary['grouped']} of them in "
        f"{counted(len(groups), 'opinion group')}.",
        "### What sets each group apart",
    ]
    for group in groups:
        lines = [
            f"- {_verb(s['direction'])} {quote(s['extract_id'])} "
            f"({percent(s['share'])} of the group {_past(s['direction'])})"
            for s in group["statements"]
            if quote(s["extract_id"])
        ]
        parts.append(f"Group {group['group']} ({counted(group['size'], 'person', 'people')}):")
        parts.append("\n".join(lines) if lines else "No statement of this group may be quoted.")
    agreed = [c for c in summary["consensus"] if quote(c["extract_id"])][:3]
    if agreed:
        parts.append("### Where every group agreed")
        parts.append(
            "\n".join(
                f"- {quote(c['extract_id'])} ({percent(c['share'])} of "
                f"{counted(c['seen'], 'voter')} agreed)"
                for c in agreed
            )
        )
    split = [s for s in summary["divisive"] if quote(s)][:3]
    if split:
        parts.append("### Where the groups split most")
        parts.append("\n".join(f"- {quote(s)}" for s in split))
    return "\n\n".join(parts) + "\n"


def theme_votes(engine, summary: dict, member_ids: set[str]) -> str:
    """A paragraph on a theme's own voted statements: the one all groups agreed with most and
    the one that split them most; "" when nobody voted on the theme's statements."""
    voted = {s: m for s, m in summary["stats"].items() if s in member_ids and m["seen"] >= MIN_SEEN}
    if not voted:
        return ""
    quote = _quoter(engine, list(voted))
    text = f"People voted on {counted(len(voted), 'statement')} in this theme."
    agreed = sorted(voted, key=lambda s: (-voted[s]["consensus"], s))
    split = sorted(voted, key=lambda s: (-voted[s]["divisiveness"], s))
    best = next((s for s in agreed if quote(s)), None)
    if best:
        share = voted[best]["agree"] / voted[best]["seen"]
        text += f" The groups agreed most with {quote(best)} ({percent(share)} agreed)."
    worst = next((s for s in split if quote(s) and s != best), None)
    if worst:
        text += f" They were most divided on {quote(worst)}."
    return text


def _quoter(engine, extract_ids: list[str]):
    """quote(extract id) -> the statement quoted with its marker, or "" when it may not be."""
    rows = extracts_by_ids(engine, list(dict.fromkeys(extract_ids)))
    allowed = may_quote(engine, rows)
    quoted = {}
    for extract_id, row in rows.items():
        text = flat(row["text"])
        clean = not ({"“", "”"} & set(text)) and statement_problem(text) is None
        if extract_id in allowed and clean:
            quoted[extract_id] = inline_quote(text, extract_id)
    return lambda extract_id: quoted.get(extract_id, "")


def _verb(direction: str) -> str:
    return f"{_past(direction)} more than others with"


def _past(direction: str) -> str:
    return "agreed" if direction == "agree" else "disagreed"
