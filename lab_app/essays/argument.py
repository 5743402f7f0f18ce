"""The essay's argument: what each theme shows, as a claim its own numbers bear out (who raised
it, whether the evidence documents speak to it, how it moved, whether the Lab has an answer),
the opening's findings in brief and the gaps the closing names. No claim without its count."""

from __future__ import annotations

from dataclasses import dataclass

from lab_app.essays.attribution import role_of, short_role
from lab_app.essays.material import ThemeMaterial
from lab_app.essays.recommend import PLURAL_ROLES
from lab_app.essays.writing import counted, in_words, percent, prose, readable_label

CONCERN_LIFT = 2.0  # a role this much commoner in a theme than overall: "raised far more by"
MOSTLY = 0.5  # and holding over this share of the theme: "above all a concern of"
EVIDENCE_LEANS = 2.0  # evidence passages this many times their overall share: rests on documents
EVIDENCE_SCARCE = 0.3  # under this share of their overall share: participants raise it, not them
FEWEST_FOR_A_CLAIM = 10  # a theme smaller than this gets no claim about its make-up
OPEN_NAMED = 4  # themes without an answer named in the opening; more are counted
TREND = 1.5  # the later half of the year this many times the earlier (or the reverse): it moved


@dataclass
class Backdrop:
    """What a theme is measured against: the essay's themes and the store as a whole."""

    sizes: dict[str, int]  # theme id -> extracts, for the essay's themes
    evidence_share: float  # evidence passages among all extracts in the workspace

    @classmethod
    def of(cls, themes: list[ThemeMaterial], extracts_by_kind: dict[str, int]) -> Backdrop:
        total = sum(extracts_by_kind.values())
        share = extracts_by_kind.get("evidence", 0) / total if total else 0.0
        return cls({t.id: t.size for t in themes}, share)


def label_of(theme: ThemeMaterial) -> str:
    return prose(readable_label(theme.label, theme.label_by_staff))


def _concern(theme: ThemeMaterial) -> tuple[str, dict] | None:
    """(role, its over-represented entry) for the role much commoner in the theme than in the
    Lab as a whole (strongest lift first), or None."""
    if theme.size < FEWEST_FOR_A_CLAIM:
        return None
    for item in theme.over_represented:
        role = role_of({item["attribute"]: item["value"]})
        if role and item["lift"] >= CONCERN_LIFT:
            return role, item
    return None


def concern_of(theme: ThemeMaterial) -> tuple[str, str] | None:
    """(who, 'commissioners (75% of this theme against 9% overall)') for the role much commoner
    in the theme than in the Lab as a whole, or None."""
    found = _concern(theme)
    if not found:
        return None
    role, item = found
    who = PLURAL_ROLES.get(role, f"people who said {prose(role)}")
    share = f"{percent(item['share'])} of this theme against {percent(item['overall'])}"
    return who, f"{who} ({share} overall)"


def concern_share(theme: ThemeMaterial) -> float:
    """The share of the theme held by the role concern_of names (0 when none)."""
    found = _concern(theme)
    return found[1]["share"] if found else 0.0


def listed(labels: list[str], conjunction: str = "and") -> str:
    """Theme names in a list; with semicolons when a name holds 'and' itself ("Patients and
    appointment; Carers group; and Training"), so the reader sees where each ends."""
    if not any(" and " in label for label in labels) or len(labels) < 3:
        return in_words(labels, conjunction)
    return "; ".join(labels[:-1]) + f"; {conjunction} {labels[-1]}"


def evidence_lean(theme: ThemeMaterial, backdrop: Backdrop) -> str | None:
    """'documents' when the theme rests on evidence passages, 'participants' when the evidence
    documents barely speak to it, else None."""
    if theme.size < FEWEST_FOR_A_CLAIM or not backdrop.evidence_share:
        return None
    share = theme.kinds.get("evidence", 0) / theme.size
    if share >= EVIDENCE_LEANS * backdrop.evidence_share:
        return "documents"
    if share <= EVIDENCE_SCARCE * backdrop.evidence_share:
        return "participants"
    return None


def trend(theme: ThemeMaterial) -> str | None:
    """'grew', 'faded' or 'steady' over the Lab's phases; None without dated phases."""
    phases = [n for name, n in theme.phases if name not in ("before", "after")]
    half = len(phases) // 2
    if not sum(phases) or not half:
        return None
    early, late = sum(phases[:half]), sum(phases[-half:])
    if late > early * TREND:
        return "grew"
    if early > late * TREND:
        return "faded"
    return "steady"


def survey_led(theme: ThemeMaterial) -> bool:
    """Most of the theme came through the survey, so its course follows the survey's dates."""
    return theme.kinds.get("survey", 0) * 2 > theme.size


def theme_finding(theme: ThemeMaterial, backdrop: Backdrop) -> str:
    """The section's claim, before the words that bear it out: its weight among the essay's
    themes, whose concern it is, whether the evidence speaks to it, how it moved over the year
    and whether the Lab has an answer to it yet."""
    label = label_of(theme)
    ranked = sorted(backdrop.sizes, key=lambda t: (-backdrop.sizes[t], t))
    total = sum(backdrop.sizes.values())
    if len(ranked) > 1 and ranked[0] == theme.id:
        lead = (
            f"{label} is the largest of the {len(ranked)} themes here, with "
            f"{counted(theme.size, 'extract')} ({percent(theme.size / total)} of all they hold)."
        )
    else:
        lead = f"{label} gathers {counted(theme.size, 'extract')}."
    parts = [lead]
    concern = concern_of(theme)
    if concern and concern_share(theme) > MOSTLY:
        parts.append(f"It is above all a concern of {concern[1]}.")
    elif concern:
        parts.append(f"It is raised far more by {concern[1]} than by others.")
    lean = evidence_lean(theme, backdrop)
    evidence = theme.kinds.get("evidence", 0)
    overall = percent(backdrop.evidence_share)
    if lean == "documents":
        parts.append(
            f"The evidence documents speak to it more than to most: {evidence} of its "
            f"{theme.size} extracts are passages from them, against {overall} of everything "
            "the Lab gathered."
        )
    elif lean == "participants":
        parts.append(
            "Participants raised it; none of its extracts comes from the evidence documents."
            if not evidence
            else f"Participants raised it far more than the evidence documents do: only "
            f"{evidence} of its {theme.size} extracts "
            f"{'is a passage' if evidence == 1 else 'are passages'} from them, against "
            f"{overall} of everything the Lab gathered."
        )
    moved = trend(theme)
    if moved in ("grew", "faded") and not survey_led(theme):
        parts.append(
            "It grew as the year went on."
            if moved == "grew"
            else "It was strongest early in the year and faded later."
        )
    if theme.tensions:
        parts.append("People disagree about it, as the section shows.")
    if theme.ideas:
        parts.append(
            f"The Lab is taking forward {counted(len(theme.ideas), 'idea')} that "
            f"{'addresses' if len(theme.ideas) == 1 else 'address'} it."
        )
    else:
        parts.append("No idea the Lab has taken forward addresses it yet.")
    return " ".join(parts)


def tension_prose(tension: dict) -> str | None:
    """A survey tension in a sentence: 'On whether ‘peer supporters should hold …’, most
    commissioners (81%) and clinicians (67%) agree; most peer workers (69%) … disagree.'
    None when the tension is not one between groups of respondents, or no role holds a majority."""
    measures = tension.get("measures") or {}
    question, groups = measures.get("question") or "", measures.get("groups") or []
    statement = question.split(":", 1)[-1].strip()  # "How far do you agree: …" -> "…"
    if tension.get("signal") != "attributes" or not statement or not groups:
        return None
    sides = []
    for way in ("agree", "disagree"):
        held = []
        for group in sorted(groups, key=lambda g: -g.get(f"{way}_share", 0)):
            role = short_role(str(group.get("value", "")))
            share = group.get(f"{way}_share", 0)
            if share > 0.5 and role:
                held.append(f"{PLURAL_ROLES.get(role, prose(role))} ({percent(share)})")
        if not held:
            return None
        sides.append(f"most {in_words(held[:3])} {way}")
    return f"On whether ‘{prose(statement)}’, {sides[0]}, while {sides[1]}."


def in_brief(themes: list[ThemeMaterial], backdrop: Backdrop, tensions: list[dict]) -> str:
    """The opening's findings: where the Lab heard most, whose concerns differ, where the
    evidence is silent, the sharpest confirmed split in the survey (tensions come strongest
    first) and what has no answer yet."""
    if not themes:
        return ""
    by_size = sorted(themes, key=lambda t: (-t.size, t.id))
    heard = [f"{label_of(t)} ({counted(t.size, 'extract')})" for t in by_size[:2]]
    parts = [f"In brief, the Lab heard most about {listed(heard)}."]
    concerns = [(label_of(t), concern_of(t)) for t in by_size]
    owned = [f"{label} by {concern[0]}" for label, concern in concerns if concern]
    if owned:
        parts.append(f"Some themes are raised far more by particular people: {listed(owned[:3])}.")
    silent = [label_of(t) for t in by_size if evidence_lean(t, backdrop) == "participants"]
    if silent:
        verb = "is" if len(silent) == 1 else "are"
        parts.append(
            f"{listed(silent[:3])} {verb} raised by participants far more than by the evidence "
            "documents: the documents the Lab gathered hold least where its people said most."
        )
    for tension in tensions:
        sentence = tension_prose(tension)
        if sentence:
            parts.append(f"The sharpest split in the survey: {sentence[0].lower()}{sentence[1:]}")
            break
    answered = [t for t in by_size if t.ideas]
    open_ = [label_of(t) for t in by_size if not t.ideas]
    if answered and open_:
        gaps = (
            listed(open_)
            if len(open_) <= OPEN_NAMED
            else f"{len(open_)} of them, the largest among them {listed(open_[:OPEN_NAMED])}"
        )
        parts.append(
            f"The ideas the Lab is taking forward address {len(answered)} of these "
            f"{counted(len(themes), 'theme')}; nothing yet addresses {gaps}."
        )
    elif answered:
        parts.append("Every one of these themes has an idea the Lab is taking forward.")
    else:
        parts.append("None of these themes has an idea the Lab has taken forward yet.")
    return " ".join(parts)


def still_open(themes: list[ThemeMaterial]) -> str:
    """The closing's gaps: themes no idea addresses, with whose concern each is."""
    gaps = []
    for theme in sorted(themes, key=lambda t: (-t.size, t.id)):
        if theme.ideas:
            continue
        concern = concern_of(theme)
        raised = f" (raised far more by {concern[0]})" if concern else ""
        gaps.append(f"{label_of(theme)}{raised}")
    if not gaps:
        return ""
    return (
        f"Nothing the Lab has taken forward yet addresses these themes: {'; '.join(gaps)}. "
        "They are where the next ideas are most needed."
    )
