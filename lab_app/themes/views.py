"""What the Themes page reads: theme rows with flags and sparklines, one theme in detail, the
theme × attribute matrix and a build report with labels."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select

from lab_app.core.audit import last_change
from lab_app.core.schema import extract_attributes, extracts, sources, theme_members, theme_pins
from lab_app.core.schema import themes as themes_table
from lab_app.material.store import Store
from lab_app.themes.answers import ordered_values
from lab_app.themes.state import history_for, last_build

FLAGS = ("new", "grown", "faded")
# Survey exports split a tick-all-that-apply question into one column per option,
# "question — option"; the matrix puts the options back together as values of the question.
OPTION_SEPARATOR = " — "
SHORT_TEXT = 100  # characters of an extract shown where staff pick one from a list


def version(engine) -> tuple:
    """A value that changes whenever a build, a curation action, an undo or an ingest does
    (not a sign-in or an export): the key the page caches its reads on."""
    with engine.connect() as conn:
        return (
            last_change(conn),
            conn.execute(select(func.count()).select_from(extracts)).scalar(),
            str(conn.execute(select(func.max(sources.c.ingested_at))).scalar()),
        )


def build_flags(report: dict | None) -> dict[str, list[str]]:
    """theme id -> the flags (new, grown, faded) the last build gave it. A first or fresh build
    calls every theme new, which tells staff nothing, so only incremental builds flag."""
    if not report or report.get("mode") != "incremental":
        return {}
    flags: dict[str, list[str]] = {}
    for flag in FLAGS:
        for theme_id in report.get(flag, []):
            flags.setdefault(theme_id, []).append(flag)
    return flags


def volumes(engine) -> tuple[dict[str, dict[str, int]], list[str], dict[str, list[int]]]:
    """What the theme list counts, as the store holds it now (the build's counts in details go
    stale with every move and merge): theme id -> {kind: placed extracts}; every month from
    the first dated placed extract to the last; theme id -> its count in each of those months
    (zeros included, so the sparklines share one time axis)."""
    month = func.substr(extracts.c.date, 1, 7)
    # One grouped pass in the database: reading each extract row costs more than the counting.
    query = (
        select(theme_members.c.theme_id, extracts.c.kind, month, func.count())
        .join(extracts, extracts.c.id == theme_members.c.extract_id)
        .where(theme_members.c.status == "placed")
        .group_by(theme_members.c.theme_id, extracts.c.kind, month)
    )
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    kinds: dict[str, Counter] = defaultdict(Counter)
    for theme_id, kind, _, count in rows:
        kinds[theme_id][kind] += count
    dated = [r for r in rows if r[2]]
    if not dated:
        return {t: dict(c) for t, c in kinds.items()}, [], {}
    months = month_range(min(r[2] for r in dated), max(r[2] for r in dated))
    position = {m: i for i, m in enumerate(months)}
    series: dict[str, list[int]] = {}
    for theme_id, _, period, count in dated:
        series.setdefault(theme_id, [0] * len(months))[position[period]] += count
    return {t: dict(c) for t, c in kinds.items()}, months, series


def month_range(first: str, last: str) -> list[str]:
    """Every yyyy-mm from first to last."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def theme_rows(engine) -> list[dict]:
    """Active themes, areas largest first and themes largest first within each, with live size,
    kind mix, lock, flags from the last build and monthly volumes."""
    with engine.connect() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                select(
                    themes_table.c.id,
                    themes_table.c.label,
                    themes_table.c.description,
                    themes_table.c.area,
                    themes_table.c.locked,
                ).where(themes_table.c.status == "active")
            )
        ]
    kinds, months, series = volumes(engine)
    build = last_build(engine)
    flags = build_flags(build["report"] if build else None)
    for row in rows:
        row["kinds"] = kinds.get(row["id"], {})
        row["size"] = sum(row["kinds"].values())
        row["flags"] = flags.get(row["id"], [])
        row["volumes"] = series.get(row["id"], [0] * len(months))
        row["months"] = months  # the yyyy-mm of each volume (one list shared by every row)
    area_size = Counter()
    for row in rows:
        area_size[row["area"]] += row["size"]
    return sorted(rows, key=lambda r: (-area_size[r["area"]], r["area"], -r["size"], r["id"]))


def by_area(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """theme_rows grouped by area, keeping their order."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["area"], []).append(row)
    return list(groups.items())


def label_of(engine, theme_id: str) -> str:
    """A theme's current label (its id if there is no such theme)."""
    with engine.connect() as conn:
        query = select(themes_table.c.label).where(themes_table.c.id == theme_id)
        return conn.execute(query).scalar() or theme_id


def themes_of(engine, extract_ids) -> dict[str, dict]:
    """extract id -> the active theme it is placed in ({"id", "label"}); others left out."""
    wanted = sorted(set(extract_ids))
    found: dict[str, dict] = {}
    for start in range(0, len(wanted), 500):  # keep IN lists within every database's limit
        query = (
            select(theme_members.c.extract_id, themes_table.c.id, themes_table.c.label)
            .join(themes_table, themes_table.c.id == theme_members.c.theme_id)
            .where(
                theme_members.c.extract_id.in_(wanted[start : start + 500]),
                theme_members.c.status == "placed",
                themes_table.c.status == "active",
            )
        )
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        found.update({r.extract_id: {"id": r.id, "label": r.label} for r in rows})
    return found


def faded_themes(engine) -> list[dict]:
    """Themes the last build found faded (no longer active, or no new material)."""
    build = last_build(engine)
    ids = (build["report"].get("faded") or []) if build else []
    if not ids:
        return []
    with engine.connect() as conn:
        query = select(themes_table.c.id, themes_table.c.label, themes_table.c.status).where(
            themes_table.c.id.in_(ids)
        )
        found = {r.id: dict(r._mapping) for r in conn.execute(query)}
    return [found[t] for t in ids if t in found]


def theme_detail(store: Store, theme_id: str, exemplars: int = 3) -> dict | None:
    """One theme as staff curate it: its row, live size and kind mix, the representative extracts
    (pinned first) with provenance and respondent attributes, its members for picking one, the
    over-represented attributes from the last build, and its history. None if no such theme."""
    engine = store.engine
    with engine.connect() as conn:
        row = conn.execute(select(themes_table).where(themes_table.c.id == theme_id)).first()
        if row is None:
            return None
        members = [
            dict(r._mapping)
            for r in conn.execute(
                select(
                    extracts.c.id,
                    extracts.c.kind,
                    func.substr(extracts.c.text, 1, SHORT_TEXT + 1).label("text"),
                    theme_members.c.similarity,
                )
                .join(extracts, extracts.c.id == theme_members.c.extract_id)
                .where(theme_members.c.theme_id == theme_id, theme_members.c.status == "placed")
                # Most central first, so the top of a picker is what the theme is about.
                .order_by(theme_members.c.similarity.desc().nulls_last(), extracts.c.id)
            )
        ]
        pins = set(
            conn.execute(
                select(theme_pins.c.extract_id).where(theme_pins.c.theme_id == theme_id)
            ).scalars()
        )
    details = row.details or {}
    member_ids = [m["id"] for m in members]
    placed = set(member_ids)
    chosen = [e for e in member_ids if e in pins]
    chosen += [e for e in details.get("exemplars", []) if e in placed and e not in chosen]
    # A theme made by a split, or one whose exemplars moved away, falls back to its most
    # central members until the next build picks exemplars again.
    chosen += [e for e in member_ids if e not in chosen][: max(0, exemplars - len(chosen))]
    rows = store.extracts_by_ids(chosen)
    attributes = attributes_of(engine, chosen)
    shown = [
        dict(rows[e], attributes=attributes.get(e, {}), pinned=e in pins)
        for e in chosen
        if e in rows
    ]
    for member in members:
        member["pinned"] = member["id"] in pins
        member["text"] = shortened(member["text"])
    return {
        "id": row.id,
        "label": row.label,
        "description": row.description,
        "area": row.area,
        "status": row.status,
        "merged_into": row.merged_into,
        "locked": row.locked,
        "label_by_staff": row.label_by_staff,
        "description_by_staff": row.description_by_staff,
        "phrases": details.get("phrases", []),
        "size": len(members),
        "kinds": dict(Counter(m["kind"] for m in members).most_common()),
        "exemplars": shown,
        "over_represented": details.get("attributes", []),
        "members": members,
        "history": history_for(engine, theme_id),
    }


def shortened(text: str, limit: int = SHORT_TEXT) -> str:
    """On one line, cut to `limit` characters with an ellipsis: a text in a list to pick from."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def attributes_of(engine, extract_ids: list[str]) -> dict[str, dict[str, str]]:
    """extract id -> {attribute: value}: who a survey answer or contribution came from."""
    if not extract_ids:
        return {}
    found: dict[str, dict[str, str]] = {}
    with engine.connect() as conn:
        query = select(extract_attributes).where(extract_attributes.c.extract_id.in_(extract_ids))
        for row in conn.execute(query.order_by(extract_attributes.c.name)):
            found.setdefault(row.extract_id, {})[row.name] = row.value
    return found


def question_of(name: str) -> str:
    """The question an attribute column answers ("question — option" columns share one)."""
    return name.split(OPTION_SEPARATOR)[0] if OPTION_SEPARATOR in name else name


def respondent(attributes: dict[str, str]) -> list[tuple[str, str]]:
    """(question, answer) pairs for a caption, the options of a tick-all question joined."""
    answers: dict[str, list[str]] = {}
    for name, value in sorted(attributes.items()):
        answers.setdefault(question_of(name), []).append(value)
    return [(question, ", ".join(values)) for question, values in answers.items()]


def matrix_attributes(engine) -> list[str]:
    """The attributes (questions) the theme × attribute matrix can show, alphabetically."""
    with engine.connect() as conn:
        names = conn.execute(select(extract_attributes.c.name).distinct()).scalars()
        return sorted({question_of(n) for n in names})


def attribute_matrix(engine, attribute: str, order: list[str] | None = None) -> dict:
    """For one attribute: each active theme's share of extracts holding each value, among the
    theme's extracts that hold the attribute at all (a theme of evidence documents has no age),
    with the same share over every extract as the reference row.

    Returns {attribute, values, themes: [{id, label, holders, counts, share}], overall}; themes
    come in `order` (theme ids, say the list's), else by id; themes without holders are left
    out."""
    attrs = extract_attributes.c
    with engine.connect() as conn:
        names = [
            n
            for n in conn.execute(select(attrs.name).distinct()).scalars()
            if question_of(n) == attribute
        ]
        if not names:
            return {"attribute": attribute, "values": [], "themes": [], "overall": None}
        of_attribute = attrs.name.in_(names)
        # Counted in the database; holders are counted apart because one extract may tick
        # several options of a tick-all question.
        everyone = dict(
            conn.execute(
                select(attrs.value, func.count()).where(of_attribute).group_by(attrs.value)
            ).all()
        )
        every_holder = conn.execute(
            select(func.count(attrs.extract_id.distinct())).where(of_attribute)
        ).scalar()
        placed = (
            select()
            .select_from(extract_attributes)
            .join(theme_members, theme_members.c.extract_id == attrs.extract_id)
            .join(themes_table, themes_table.c.id == theme_members.c.theme_id)
            .where(of_attribute, theme_members.c.status == "placed")
            .where(themes_table.c.status == "active")
        )
        counts: dict[str, Counter] = defaultdict(Counter)
        for theme_id, value, count in conn.execute(
            placed.add_columns(theme_members.c.theme_id, attrs.value, func.count()).group_by(
                theme_members.c.theme_id, attrs.value
            )
        ):
            counts[theme_id][value] = count
        holders = dict(
            conn.execute(
                placed.add_columns(
                    theme_members.c.theme_id, func.count(attrs.extract_id.distinct())
                ).group_by(theme_members.c.theme_id)
            ).all()
        )
        labels = dict(
            conn.execute(
                select(themes_table.c.id, themes_table.c.label).where(
                    themes_table.c.status == "active"
                )
            ).all()
        )
        values = ordered_values(conn, names, everyone)  # scale order, never alphabetical
    rank = {theme_id: i for i, theme_id in enumerate(order or [])}
    result = []
    for theme_id in sorted(holders, key=lambda t: (rank.get(t, len(rank)), t)):
        n, c = holders[theme_id], counts[theme_id]
        result.append(
            {
                "id": theme_id,
                "label": labels[theme_id],
                "holders": n,
                "counts": [c[v] for v in values],
                "share": [c[v] / n for v in values],
            }
        )
    overall = {
        "holders": every_holder,
        "counts": [everyone[v] for v in values],
        "share": [everyone[v] / every_holder for v in values],
    }
    return {"attribute": attribute, "values": values, "themes": result, "overall": overall}


def labelled_report(engine, report: dict) -> dict:
    """A build report with labels: counts as they are; new, grown and faded as [{id, label}];
    merged and split as [{from: [{id, label}], to: [{id, label}]}]."""
    with engine.connect() as conn:
        labels = dict(conn.execute(select(themes_table.c.id, themes_table.c.label)).all())

    def named(theme_id: str) -> dict:
        return {"id": theme_id, "label": labels.get(theme_id, theme_id)}

    result = {
        key: report.get(key)
        for key in ("mode", "themes", "extracts", "unsorted", "unsorted_share", "fit_none", "build")
    }
    for key in FLAGS:
        result[key] = [named(t) for t in report.get(key, [])]
    for key in ("merged", "split"):
        result[key] = []
        # Entries read "T-002+T-003→T-001" (merged) or "T-001→T-001+T-033" (split).
        for entry in report.get(key, []):
            left, _, right = entry.partition("→")
            result[key].append(
                {
                    "from": [named(t) for t in left.split("+") if t],
                    "to": [named(t) for t in right.split("+") if t],
                }
            )
    return result


def attribute_values(engine, most: int) -> dict[str, list[str]]:
    """Attribute name -> its distinct values, sorted, for attributes with at most `most` values
    (a role or a region; not a respondent id or a free-text column)."""
    attrs = extract_attributes.c
    query = select(attrs.name, attrs.value).distinct()
    found: dict[str, set[str]] = defaultdict(set)
    with engine.connect() as conn:
        for name, value in conn.execute(query):
            found[name].add(value)
        return {
            name: ordered_values(conn, [name], sorted(values))
            for name, values in sorted(found.items())
            if len(values) <= most
        }


def date_span(engine) -> tuple[str, str] | None:
    """The first and last extract date (ISO days), or None when no extract is dated."""
    day = func.substr(extracts.c.date, 1, 10)
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(day), func.max(day))).one()
    return (first, last) if first else None
