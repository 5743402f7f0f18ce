"""Links from proposals and comments to other things in the workspace: proposals, ideas, themes
and extracts, checked when made and named (never by bare id) when shown."""

from __future__ import annotations

from sqlalchemy import select

from lab_app.core.schema import round_proposals
from lab_app.material.reads import extracts_by_ids
from lab_app.opinions.participation import shown_to_participants
from lab_app.themes.build import list_themes
from lab_app.year import ideas

TYPES = ("proposal", "idea", "theme", "extract")
MAX_LINKS = 20
SNIPPET_CHARS = 80


def parse(text: str) -> list[tuple[str, str]]:
    """'theme:T-3, idea:I-002' (as typed in the CLI) → [("theme", "T-3"), ("idea", "I-002")]."""
    found = []
    for part in (text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        kind, _, target = part.strip().partition(":")
        if not target:
            raise ValueError(f"write a link as TYPE:ID ({', '.join(TYPES)}), not {part.strip()!r}")
        found.append((kind.strip().lower(), target.strip()))
    return found


def checked(engine, links) -> list[dict]:
    """The links as stored ({"type", "id"}), each checked to exist; duplicates dropped."""
    links = list(dict.fromkeys((str(k).strip(), str(t).strip()) for k, t in links or ()))
    if len(links) > MAX_LINKS:
        raise ValueError(f"at most {MAX_LINKS} links: keep the ones that matter most")
    named = names(engine, [{"type": k, "id": t} for k, t in links], strict=True)
    return [{"type": row["type"], "id": row["id"]} for row in named]


def names(engine, links: list[dict], strict: bool = False, staff: bool = False) -> list[dict]:
    """Each link with a readable label; a link whose target has gone is left out (or, with
    strict, refused with a ValueError). Only staff see extracts that their people did not
    agree to show to participants."""
    wanted = {kind: [r["id"] for r in links if r["type"] == kind] for kind in TYPES}
    for row in links:
        if row["type"] not in TYPES:
            raise ValueError(f"a link goes to a {', '.join(TYPES)}, not {row['type']!r}")
    labels = {
        "proposal": _proposal_titles(engine, wanted["proposal"]),
        "idea": _idea_titles(engine, wanted["idea"]),
        "theme": _theme_labels(engine) if wanted["theme"] else {},
        "extract": _extract_snippets(engine, wanted["extract"], staff or strict),
    }
    found = []
    for row in links:
        label = labels[row["type"]].get(str(row["id"]))
        if label is None:
            if strict:
                raise ValueError(f"no {row['type']} {row['id']} in the workspace: check the id")
            continue
        found.append({"type": row["type"], "id": str(row["id"]), "label": label})
    return found


def _proposal_titles(engine, ids) -> dict[str, str]:
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if not numbers:
        return {}
    query = select(round_proposals.c.id, round_proposals.c.title)
    with engine.connect() as conn:
        rows = conn.execute(query.where(round_proposals.c.id.in_(numbers))).all()
    return {str(i): title for i, title in rows}


def _idea_titles(engine, ids) -> dict[str, str]:
    if not ids:
        return {}
    return {row["id"]: row["title"] for row in ideas.list_ideas(engine) if row["id"] in ids}


def _theme_labels(engine) -> dict[str, str]:
    return {row["id"]: row["label"] for row in list_themes(engine) if row["status"] == "active"}


def _extract_snippets(engine, ids, staff: bool) -> dict[str, str]:
    if not ids:
        return {}
    allowed = set(ids) if staff else shown_to_participants(engine, ids)
    found = {}
    for extract_id, row in extracts_by_ids(engine, ids).items():
        if extract_id not in allowed:
            continue
        text = " ".join(row["text"].split())
        found[extract_id] = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "…"
    return found
