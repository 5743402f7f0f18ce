"""Draft an essay from chosen themes (or an area): an opening with the Lab's question and real
counts, one section per theme opening with a synthesis in people's own words, a closing with
recommendations from the ideas staff took forward. Every draft is checked before it is saved;
regenerating a section keeps the others' edits."""

from __future__ import annotations

from lab_app.essays import store
from lab_app.essays.argument import (
    Backdrop,
    in_brief,
    label_of,
    still_open,
    tension_prose,
    theme_finding,
)
from lab_app.essays.attribution import month_of
from lab_app.essays.grounding import check_body
from lab_app.essays.lab import gathered, lab_facts
from lab_app.essays.markup import body_markers
from lab_app.essays.material import (
    choose_themes,
    everyone_attributes,
    related_evidence,
    source_info,
)
from lab_app.essays.material import theme_material as read_theme
from lab_app.essays.points import overview, theme_points
from lab_app.essays.recommend import PLURAL_ROLES, idea_line
from lab_app.essays.staff_decisions import accepted_ideas, confirmed_tensions
from lab_app.essays.store import Section
from lab_app.essays.synthesis_model import theme_synthesis
from lab_app.essays.theme_section import theme_body
from lab_app.essays.writing import counted, full_stop, in_words, prose, readable_label
from lab_app.themes.over_time import volumes

LENGTHS = {
    "short": {
        "themes": 3,
        "heard": 2,
        "voices": 2,
        "evidence": 1,
        "tensions": 1,
        "ideas": 2,
        "recommendations": 3,
    },
    "medium": {
        "themes": 5,
        "heard": 3,
        "voices": 4,
        "evidence": 2,
        "tensions": 2,
        "ideas": 3,
        "recommendations": 5,
    },
    "long": {
        "themes": 8,
        "heard": 4,
        "voices": 6,
        "evidence": 4,
        "tensions": 3,
        "ideas": 5,
        "recommendations": 7,
    },
}
MAX_AUDIENCE = 300


def draft_essay(
    workspace,
    who: str,
    theme_ids: list[str] | None = None,
    area: str | None = None,
    audience: str = "",
    length: str = "medium",
    title: str | None = None,
    lab_name: str | None = None,
    question: str | None = None,
) -> int:
    """Draft, check and save an essay; return its id."""
    if length not in LENGTHS:
        raise ValueError(f"length must be short, medium or long, not {length!r}")
    audience = " ".join((audience or "").split())
    if len(audience) > MAX_AUDIENCE:
        raise ValueError(f"the audience is over {MAX_AUDIENCE} characters: say it more briefly")
    engine = workspace.store.engine
    chosen = choose_themes(engine, list(theme_ids or []), area, LENGTHS[length]["themes"])
    choice = {"themes": chosen, "area": area or None, "lab_name": lab_name, "question": question}
    lab = lab_facts(workspace, lab_name, question)
    sections = build_sections(workspace, choice, audience, length)
    for section in sections:
        must_pass(engine, section)
    title = " ".join((title or "").split()) or default_title(lab, area)
    return store.create_essay(engine, title, audience, length, choice, sections, who)


def default_title(lab: dict, area: str | None) -> str:
    name = lab["name"] or "the Lab"
    return f"What we learnt: {name}" + (f" — {area}" if area else "")


def build_sections(
    workspace, choice: dict, audience: str, length: str, sizes: dict | None = None
) -> list[Section]:
    """Opening, one section per chosen theme and the closing, each with its grounding;
    `sizes` overrides the length's counts (the report's recommendations are not capped)."""
    engine = workspace.store.engine
    sizes = sizes or LENGTHS[length]
    documents = source_info(engine)
    months, phases = volumes(engine, "month"), volumes(engine, "phase")
    everyone = everyone_attributes(engine)
    themes = [read_theme(engine, t, months, phases, everyone) for t in choice["themes"]]
    for theme in themes:
        theme.related = related_evidence(workspace, theme.id)
    lab = lab_facts(workspace, choice.get("lab_name"), choice.get("question"))
    facts = gathered(engine)
    backdrop = Backdrop.of(themes, facts["extracts"])
    theme_ids = {t.id for t in themes}
    # Read once: the opening's brief and the closing's open questions name the same tensions.
    tensions = [t for t in confirmed_tensions(engine) if set(t["themes"] or []) & theme_ids]
    sections = [
        Section(
            "opening", "Introduction", opening(lab, themes, audience, facts, backdrop, tensions)
        )
    ]
    for theme in themes:
        points = theme_points(workspace, theme)
        synthesis = theme_synthesis(
            workspace, theme, sizes["heard"] + 1, documents, audience, points
        )
        finding = theme_finding(theme, backdrop)
        if synthesis.by_points:
            finding += " " + overview(points, theme.size - theme.kinds.get("evidence", 0))
        body = theme_body(engine, theme, sizes, documents, synthesis, finding)
        heading = readable_label(theme.label, theme.label_by_staff)
        grounding = {"theme": theme.id, "synthesis": synthesis.how}
        sections.append(Section(f"theme:{theme.id}", heading, body, grounding))
    sections.append(
        Section("closing", "What we recommend", closing(engine, themes, sizes, tensions))
    )
    for section in sections:
        section.grounding["extracts"] = body_markers(section.body)
    return sections


def regenerate_section(workspace, essay_id: int, key: str, who: str) -> int:
    """Draft one section afresh from the store as it is now; the others keep their edits."""
    engine = workspace.store.engine
    essay = store.load_essay(engine, essay_id)
    store.section_of(essay, key)  # says clearly when there is no such section
    fresh = {
        s.key: s
        for s in build_sections(workspace, essay["choice"], essay["audience"], essay["length"])
    }
    if key not in fresh:
        raise ValueError(f"section {key!r} cannot be drafted again: its theme is gone")
    section = fresh[key]
    must_pass(engine, section)
    return store.save_section(
        engine,
        essay_id,
        key,
        section.body,
        who,
        heading=section.heading,
        edited=False,
        grounding=section.grounding,
    )


def must_pass(engine, section: Section) -> None:
    """Refuse a section whose quotations fail the check."""
    problems = check_body(engine, section.key, section.body)
    if problems:  # a bug, not a user error: never save a draft that misquotes anyone
        raise RuntimeError("draft failed its own quotation check: " + problems[0].line())


# --- opening and closing ----------------------------------------------------------------------


def opening(
    lab: dict, themes, audience: str, facts: dict, backdrop: Backdrop, tensions: list[dict]
) -> str:
    """The Lab's question, what it gathered and from whom, the findings in brief (the essay's
    argument in a paragraph) and how the sections make the case."""
    span = lab_span(lab, facts)
    first = "This essay draws together what " + (prose(lab["name"]) or "the Lab") + " heard"
    first += f" {span}" if span else ""
    if lab["question"]:
        first += f", in answer to one question: {prose(lab['question'])}"
    else:
        first += "."
    paragraphs = [first if first.endswith(("?", ".", "!")) else first + "."]
    if audience:
        paragraphs[0] += f" It is written for {prose(audience)}."
    paragraphs.append(material_sentence(facts))
    paragraphs.append(roles_sentence(facts))
    paragraphs.append(in_brief(themes, backdrop, tensions))
    paragraphs.append(
        f"The sections that follow make the case theme by theme: "
        f"{'; '.join(label_of(t) for t in themes)}. Each opens with what the theme shows, then "
        "people's own words and what the evidence says that bear it out; where the Lab found views "
        "that differ, or ideas it is taking forward, we say so; and we show how the theme changed "
        "over the year. Every "
        "quotation is word for word, used only with the consent of the person or source it "
        "comes from, and marked with where it comes from."
    )
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def roles_sentence(facts: dict) -> str:
    """Who took part, by the roles people gave, or "" when nobody gave one."""
    roles = facts["roles"].most_common(6)
    if not roles:
        return ""
    named = [f"{n} {PLURAL_ROLES.get(r, prose(r)) if n != 1 else prose(r)}" for r, n in roles]
    return (
        f"Those who told us who they are included {in_words(named)} "
        "(counting each person once for each way they described themselves)."
    )


def lab_span(lab: dict, facts: dict) -> str:
    """'between December 2025 and November 2026': the Lab's dates, else its material's."""
    start, end = lab.get("start") or facts["first"], lab.get("end") or facts["last"]
    if not start or not end:
        return ""
    return f"between {month_of(start)} and {month_of(end)}"


def material_sentence(facts: dict) -> str:
    """What the Lab gathered, in one sentence of real counts from the store."""
    sources, extracts, people = facts["sources"], facts["extracts"], facts["people"]
    parts = []
    if extracts.get("evidence"):
        parts.append(
            f"{counted(extracts['evidence'], 'passage')} from "
            f"{counted(sources.get('evidence', 0), 'evidence document')}"
        )
    if extracts.get("survey"):
        parts.append(
            f"{counted(extracts['survey'], 'survey answer')} from "
            f"{counted(people.get('survey', 0), 'respondent')}"
        )
    if extracts.get("contribution"):
        parts.append(
            f"{counted(extracts['contribution'], 'contribution')} from "
            f"{counted(people.get('contribution', 0), 'person', 'people')} in the Lab's online "
            "space and workshops"
        )
    if not parts:
        return "The workspace holds no material yet."
    text = f"The Lab gathered {in_words(parts)}."
    workshops = facts["events"].get("workshop")
    if workshops:
        text += f" It met in {counted(workshops, 'workshop')} over the year."
    return text


def closing(engine, themes, sizes: dict, tensions: list[dict]) -> str:
    """Recommendations from ideas staff took forward (adopted, testing or marked for the
    essay) touching these themes, then the confirmed tensions that stay open."""
    theme_ids = {t.id for t in themes}
    best = accepted_ideas(engine, theme_ids)[: sizes["recommendations"]]
    parts = []
    if best:
        parts.append(
            "These recommendations come from the ideas the Lab has taken forward, adopted or "
            "being tested first, each with who stands behind it:"
        )
        answers = _answers(themes)
        parts.append(
            "\n".join(
                f"{n}. {idea_line(engine, i)}{answers.get(i['id'], '')}"
                for n, i in enumerate(best, 1)
            )
        )
    else:
        parts.append(
            "The Lab team has not yet taken forward an idea linked to these themes (none is "
            "adopted, being tested or marked for the essay), so this draft makes no "
            "recommendation of its own. The themes above are where the Lab heard most:"
        )
        parts.append(
            "\n".join(
                f"- {prose(readable_label(t.label, t.label_by_staff))}: "
                f"{counted(t.size, 'extract')}."
                for t in sorted(themes, key=lambda t: -t.size)
            )
        )
    gaps = still_open(themes) if best else ""
    if gaps:
        parts.append(gaps)
    if tensions:
        said = [
            tension_prose(t) or full_stop(prose(t["title"]))
            for t in tensions[: sizes["tensions"] + 2]
        ]
        parts.append(
            "Some questions stay open and deserve care in what comes next, because the Lab's "
            f"people are divided on them. {' '.join(said)}"
        )
    return "\n\n".join(parts) + "\n"


def _answers(themes) -> dict[str, str]:
    """Idea id -> ' It addresses Peer role and Training.': the essay's themes it is linked to."""
    touched: dict[str, list[str]] = {}
    for theme in themes:
        for idea in theme.ideas:
            touched.setdefault(idea["id"], []).append(label_of(theme))
    return {i: f" It addresses {in_words(labels)}." for i, labels in touched.items()}
