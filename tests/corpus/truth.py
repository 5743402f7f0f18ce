"""Map the demo Lab's truth items to the extract ids a workspace gave them (tests only)."""

from __future__ import annotations

import json

from sqlalchemy import select

from lab_app.core.schema import extracts, sources
from lab_app.demo import demo_dir

TRUTH = json.loads((demo_dir() / "truth.json").read_text(encoding="utf-8"))


def truth_extracts(engine, wanted) -> dict[str, dict]:
    """extract id -> its truth item, for every item `wanted(item)` accepts that the store holds
    (items name a row and question, a post id, or a passage a document contains)."""
    query = select(
        extracts.c.id,
        extracts.c.text,
        extracts.c.row,
        extracts.c.question,
        extracts.c.meta,
        sources.c.path,
    ).join(sources, sources.c.id == extracts.c.source_id)
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    by_row = {(r.path.split("/", 1)[1], r.row, r.question): r.id for r in rows if r.row}
    by_post = {(r.path.split("/", 1)[1], (r.meta or {}).get("id")): r.id for r in rows}
    documents = [(r.path.split("/", 1)[1], " ".join(r.text.split()), r.id) for r in rows]
    found: dict[str, dict] = {}
    for item in TRUTH["items"]:
        if not wanted(item):
            continue
        if "row" in item:
            extract_id = by_row.get((item["file"], item["row"], item.get("question")))
        elif "id" in item:
            extract_id = by_post.get((item["file"], item["id"]))
        else:
            needle = " ".join(item["contains"].split())
            extract_id = next(
                (e for f, text, e in documents if f == item["file"] and needle in text), None
            )
        if extract_id:
            found[extract_id] = item
    return found


def truth_themes(engine) -> dict[str, str]:
    """extract id -> true theme, for every truth item that names one."""
    items = truth_extracts(engine, lambda item: bool(item.get("theme")))
    return {extract_id: item["theme"] for extract_id, item in items.items()}
