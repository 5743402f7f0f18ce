"""The Map's points: columns per extract, subsets and filters over them, escaped hover labels."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select

from lab_app.core.schema import extract_attributes, extracts, sources
from lab_app.core.text import html_safe
from lab_app.material.reads import with_sources
from lab_app.themes.build import placements

POINT_FIELDS = ("id", "kind", "date", "person", "page", "row", "short", "source", "theme_id",
                "theme_label")  # fmt: skip


def map_points(engine, hover_chars: int = 180) -> dict:
    """Column lists, one entry per extract sorted by id: id, kind, date, source, person, page,
    row, short (text cut to hover_chars), theme_id ("unsorted" or None when not themed),
    theme_label; plus attributes {name: {value: [row numbers]}} for the attribute filter."""
    query = with_sources(
        extracts.c.id,
        extracts.c.kind,
        extracts.c.date,
        extracts.c.person,
        extracts.c.page,
        extracts.c.row,
        func.substr(extracts.c.text, 1, hover_chars + 1).label("short"),
        sources.c.path.label("source"),
    ).order_by(extracts.c.id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        attribute_rows = conn.execute(select(extract_attributes)).all()
    placed = placements(engine)
    columns: dict = {name: [] for name in POINT_FIELDS}
    position = {}
    for i, r in enumerate(rows):
        position[r.id] = i
        place = placed.get(r.id, {})
        short = " ".join((r.short or "").split())
        if len(short) > hover_chars:
            short = short[: hover_chars - 1].rstrip() + "…"
        values = (r.id, r.kind, r.date, r.person, r.page, r.row, short, r.source)
        for name, value in zip(POINT_FIELDS, values, strict=False):
            columns[name].append(value)
        columns["theme_id"].append(place.get("theme_id"))
        columns["theme_label"].append(place.get("theme_label") or "Not themed yet")
    attributes: dict[str, dict[str, list[int]]] = {}
    for a in attribute_rows:
        if a.extract_id in position:
            attributes.setdefault(a.name, {}).setdefault(a.value, []).append(position[a.extract_id])
    columns["attributes"] = {
        name: {value: sorted(rows_) for value, rows_ in sorted(values.items())}
        for name, values in sorted(attributes.items())
    }
    return columns


def subset_points(points: dict, keep) -> dict:
    """map_points' columns (and any other per-point list, such as hover texts) for only the
    points whose id is in `keep`, the attribute index renumbered to match: a point left out is
    nowhere in the result, so no chart, hover, filter or count can show it."""
    keep = set(keep)
    rows = [i for i, extract_id in enumerate(points["id"]) if extract_id in keep]
    renumbered = {old: new for new, old in enumerate(rows)}
    result = {
        name: [column[i] for i in rows]
        for name, column in points.items()
        if isinstance(column, list) and len(column) == len(points["id"])
    }
    attributes: dict[str, dict[str, list[int]]] = {}
    for name, values in points["attributes"].items():
        for value, members in values.items():
            kept = [renumbered[i] for i in members if i in renumbered]
            if kept:
                attributes.setdefault(name, {})[value] = kept
    result["attributes"] = attributes
    return result


def keep_attribute_values(points: dict, allowed) -> dict:
    """The points with their attribute index cut to the (attribute, value) pairs allowed, for
    example those held by enough people to be shown (consent.people_per_value)."""
    allowed = set(allowed)
    attributes = {}
    for name, values in points["attributes"].items():
        kept = {value: rows for value, rows in values.items() if (name, value) in allowed}
        if kept:
            attributes[name] = kept
    return dict(points, attributes=attributes)


def filter_mask(
    points: dict,
    kinds: list[str] | None = None,
    dates: tuple[str, str] | None = None,
    attribute: str | None = None,
    value: str | None = None,
) -> np.ndarray:
    """Boolean mask over the points: kinds chosen (None = all), dated within [start, end]
    inclusive (None = no date filter, undated extracts kept), attribute equal to value."""
    n = len(points["id"])
    mask = np.ones(n, dtype=bool)
    if kinds is not None:
        mask &= np.isin(np.array(points["kind"], dtype=object), list(kinds))
    if dates is not None:
        start, end = dates
        day = np.array([d or "" for d in points["date"]], dtype=object)
        mask &= (day != "") & (day >= start) & (day <= end)
    if attribute and value is not None:
        hit = np.zeros(n, dtype=bool)
        hit[points["attributes"].get(attribute, {}).get(value, [])] = True
        mask &= hit
    return mask


def without_small_theme_groups(points: dict, mask: np.ndarray, minimum: int) -> np.ndarray:
    """The mask without the themes that fewer than `minimum` people of the masked points are in
    (a person-less extract counts as a person of its own). With an attribute filter on, the
    points per theme are a theme x value breakdown: a handful of people could be pointed at."""
    people: dict = {}
    for i in np.flatnonzero(mask):
        who = points["person"][i] or points["id"][i]
        people.setdefault(points["theme_id"][i], set()).add(who)
    small = {theme for theme, who in people.items() if len(who) < minimum}
    if not small:
        return mask
    return mask & np.array([theme not in small for theme in points["theme_id"]], dtype=bool)


def even_sample(indices: np.ndarray, limit: int) -> np.ndarray:
    """At most `limit` of the indices, evenly spaced (ids are hashes, so this is unbiased)."""
    if len(indices) <= limit:
        return indices
    picks = np.linspace(0, len(indices) - 1, limit).round().astype(np.int64)
    return indices[picks]


def _wrapped(text: str, width: int) -> list[str]:
    # A plain greedy wrap: textwrap is several times slower on 20,000 extracts.
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def hover_texts(points: dict, width: int = 60) -> list[str]:
    """One hover label per point: the short text wrapped, its source and its theme, every piece
    of user text escaped (plotly renders tags such as <a> and <b> in hover labels)."""
    out = []
    for short, source, page, row, label in zip(
        points["short"],
        points["source"],
        points["page"],
        points["row"],
        points["theme_label"],
        strict=True,
    ):
        body = "<br>".join(html_safe(line) for line in _wrapped(short, width))
        where = source + (f" · page {page}" if page else "") + (f" · row {row}" if row else "")
        out.append(f"{body}<br><i>{html_safe(where)}</i><br><b>{html_safe(label)}</b>")
    return out
