"""The shareable report's content: the Lab's opening, every active theme by area as the same
checked section an essay would hold, how people voted, and the recommendations. Each section
passes the essays' quotation check before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field

from lab_app.core.audit import now
from lab_app.essays.draft import (
    LENGTHS,
    build_sections,
    lab_span,
    material_sentence,
    must_pass,
    roles_sentence,
)
from lab_app.essays.lab import gathered, lab_facts
from lab_app.essays.material import active_themes
from lab_app.essays.staff_decisions import opinion_summary
from lab_app.essays.store import Section
from lab_app.essays.votes import theme_votes, votes_body
from lab_app.essays.writing import counted, prose, readable_label

REPORT_SIZES = dict(LENGTHS["short"], recommendations=50, tensions=3)


@dataclass
class Report:
    """What the HTML is written from: every section checked, areas naming their themes."""

    title: str
    lab: dict
    sections: list[Section]
    areas: list[tuple[str, list[str]]] = field(default_factory=list)  # area -> section keys
    made: str = ""


def build_report(workspace, audience: str = "", theme_ids: list[str] | None = None) -> Report:
    """The report on every active theme (or those given), grouped by area, largest first."""
    engine = workspace.store.engine
    themes = [t for t in active_themes(engine) if not theme_ids or t["id"] in theme_ids]
    if not themes:
        raise ValueError("the workspace has no themes yet: run `qlab themes build` first")
    areas = _areas(themes)
    ordered = [t for _, members in areas for t in members]
    lab = lab_facts(workspace)
    choice = {"themes": [t["id"] for t in ordered], "area": None}
    sections = build_sections(workspace, choice, audience, "short", REPORT_SIZES)
    sections[0] = Section("opening", "About this report", opening(engine, lab, areas))
    summary = opinion_summary(engine)
    if summary:
        _add_theme_votes(engine, sections, summary)
        sections.insert(-1, Section("votes", "How people voted", votes_body(engine, summary)))
    for section in sections:
        must_pass(engine, section)
    title = f"What we heard: {lab['name']}" if lab["name"] else "What the Lab heard"
    keys = [(_area_name(area), [f"theme:{t['id']}" for t in members]) for area, members in areas]
    return Report(title, lab, sections, keys, now().date().isoformat())


def _areas(themes: list[dict]) -> list[tuple[str, list[dict]]]:
    """Themes grouped by area: the areas with most extracts first, and their themes likewise."""
    grouped: dict[str, list[dict]] = {}
    for theme in themes:
        grouped.setdefault(theme["area"] or "", []).append(theme)
    return sorted(grouped.items(), key=lambda item: (-sum(t["size"] for t in item[1]), item[0]))


def _area_name(area: str) -> str:
    return readable_label(area, False) if area else "Other themes"


def _add_theme_votes(engine, sections: list[Section], summary: dict) -> None:
    """Each theme section gains a paragraph on its own voted statements, if any."""
    from lab_app.essays.material import theme_member_ids

    for section in sections:
        if section.key.startswith("theme:"):
            text = theme_votes(engine, summary, theme_member_ids(engine, section.key[6:]))
            if text:
                section.body = section.body.rstrip("\n") + f"\n\n### How people voted\n\n{text}\n"


def opening(engine, lab: dict, areas: list[tuple[str, list[dict]]]) -> str:
    """What the report is, what the Lab gathered and who took part, in real counts."""
    facts = gathered(engine)
    span = lab_span(lab, facts)
    first = "This report draws together what " + (prose(lab["name"]) or "the Lab") + " heard"
    first += f" {span}" if span else ""
    first += f", in answer to one question: {prose(lab['question'])}" if lab["question"] else ""
    first += "" if first.endswith(("?", ".", "!")) else "."
    themes = sum(len(members) for _, members in areas)
    plan = (
        f"What people said falls into {counted(themes, 'theme')} in "
        f"{counted(len(areas), 'area')}, found by meaning and named as the Lab team named them. "
        "Each theme opens with what people said, in their own words, then shows more of their "
        "words and what the evidence says; where the Lab confirmed that views differ, or took "
        "an idea forward, the theme says so. Every quotation is word for word, used only with "
        "the consent of the person or source it comes from, and numbered: the lists at the end "
        "say where each comes from."
    )
    paragraphs = [first, material_sentence(facts), roles_sentence(facts), plan]
    return "\n\n".join(p for p in paragraphs if p) + "\n"
