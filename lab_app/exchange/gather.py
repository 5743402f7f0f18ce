"""What the exports read from the store: codebook themes, coded sources, respondents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from lab_app.core.schema import extract_attributes, extracts, sources
from lab_app.themes.state import load_state

# Themes a codebook holds: built ones, and seeds from an imported codebook still waiting for
# extracts (they are codes staff chose, so a re-export keeps them).
CODEBOOK_STATUSES = ("active", "seed")


@dataclass
class CodebookTheme:
    id: str
    label: str
    description: str
    area: str
    status: str
    size: int
    details: dict


@dataclass
class CodedSource:
    """A stored source with its extracts: (extract id, start, end, person) in text order."""

    id: int
    path: str
    kind: str
    title: str | None
    date: str | None
    text: str
    ingested_at: object
    extracts: list[tuple[str, int, int, str | None]] = field(default_factory=list)


def codebook_themes(engine) -> list[CodebookTheme]:
    """Active and seed themes, by area then id, with how many extracts are placed in each."""
    state = load_state(engine)
    sizes = Counter(m.theme_id for m in state.members.values() if m.status == "placed")
    found = [
        CodebookTheme(
            theme_id,
            row["label"],
            row["description"] or "",
            row["area"] or "",
            row["status"],
            sizes.get(theme_id, 0),
            row["details"] or {},
        )
        for theme_id, row in state.themes.items()
        if row["status"] in CODEBOOK_STATUSES
    ]
    return sorted(found, key=lambda t: (t.area, t.id))


def by_area(themes: list[CodebookTheme]) -> dict[str, list[CodebookTheme]]:
    grouped: dict[str, list[CodebookTheme]] = {}
    for theme in themes:
        grouped.setdefault(theme.area, []).append(theme)
    return grouped


def theme_of_extract(engine) -> dict[str, str]:
    """extract id -> the theme it is placed in (Unsorted and excluded extracts are left out)."""
    state = load_state(engine)
    return {
        extract_id: member.theme_id
        for extract_id, member in state.members.items()
        if member.status == "placed"
        and state.themes.get(member.theme_id, {}).get("status") == "active"
    }


def coded_sources(engine) -> list[CodedSource]:
    """Every stored source with its extracts' offsets, by path. Withdrawn people's extracts are
    gone from the store and their words blanked in the source text, so nothing of theirs is
    read here."""
    with engine.connect() as conn:
        found = {
            row.id: CodedSource(
                row.id, row.path, row.kind, row.title, row.date, row.text, row.ingested_at
            )
            for row in conn.execute(select(sources).order_by(sources.c.path))
        }
        query = select(
            extracts.c.id, extracts.c.source_id, extracts.c.start, extracts.c.end, extracts.c.person
        ).order_by(extracts.c.source_id, extracts.c.position)
        for row in conn.execute(query):
            found[row.source_id].extracts.append((row.id, row.start, row.end, row.person))
    return list(found.values())


def respondent_attributes(engine) -> dict[str, dict[str, str]]:
    """person -> {attribute: value}. A person answering several times with different values
    keeps the value given most often (ties: the first alphabetically)."""
    query = select(extracts.c.person, extract_attributes.c.name, extract_attributes.c.value).join(
        extracts, extracts.c.id == extract_attributes.c.extract_id
    )
    tallies: dict[str, dict[str, Counter]] = {}
    with engine.connect() as conn:
        for person, name, value in conn.execute(query.where(extracts.c.person.is_not(None))):
            tallies.setdefault(person, {}).setdefault(name, Counter())[value] += 1
    return {
        person: {
            name: sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            for name, counts in names.items()
        }
        for person, names in tallies.items()
    }
