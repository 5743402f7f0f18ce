"""Who said it, without saying who: "peer worker, Wales, March 2026 survey" from attributes,
the kind of source and the date — never a person's id or name."""

from __future__ import annotations

from datetime import date

from lab_app.material.source_names import source_name

# Attribute names that say what someone's connection to the work is, or where they are.
ROLE_NAMES = ("role", "describes your", "connection to", "job title", "occupation", "who are you")
REGION_NAMES = ("region", "where do you live", "where do you work", "nation", "location")
# Long survey options shortened to the words a reader expects; first match wins, so the more
# specific phrases come first ("peer worker or peer supporter" before anything with "worker").
ROLE_WORDS = (
    ("peer worker", "peer worker"),
    ("peer supporter", "peer worker"),
    ("lived experience", "person with lived experience"),
    ("carer", "carer"),
    ("family member", "carer"),
    ("clinician", "clinician"),
    ("health professional", "clinician"),
    ("commission", "commissioner"),
    ("voluntary", "voluntary-sector worker"),
    ("community sector", "voluntary-sector worker"),
    ("research", "researcher"),
)
LONGEST_VALUE = 40  # a longer free-text answer could say too much about the person


def role_of(attributes: dict[str, str]) -> str | None:
    for name, value in sorted(attributes.items()):
        if any(key in name.lower() for key in ROLE_NAMES) and value.strip():
            return short_role(value)
    return None


def region_of(attributes: dict[str, str]) -> str | None:
    for name, value in sorted(attributes.items()):
        if any(key in name.lower() for key in REGION_NAMES) and value.strip():
            value = value.strip()
            return value if len(value) <= LONGEST_VALUE else None
    return None


def short_role(value: str) -> str | None:
    lowered = " ".join(value.lower().split())
    for phrase, role in ROLE_WORDS:
        if phrase in lowered:
            return role
    for prefix in ("i am an ", "i am a ", "i am ", "i "):
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
            break
    return lowered if 0 < len(lowered) <= LONGEST_VALUE else None


def month_of(day: str | None) -> str | None:
    """'2026-03-09' -> 'March 2026'."""
    if not day:
        return None
    try:
        parsed = date.fromisoformat(day[:10])
    except ValueError:
        return None
    return parsed.strftime("%B %Y")


def attribution(row: dict, attributes: dict[str, str]) -> str:
    """A participant's quote attribution from attributes, kind, source and date."""
    parts = [role_of(attributes), region_of(attributes)]
    month = month_of(row.get("date"))
    if row.get("kind") == "survey":
        parts.append(f"{month} survey" if month else "Lab survey")
    else:
        parts += [source_name(row.get("source", "")), month]
    return ", ".join(p for p in parts if p)
