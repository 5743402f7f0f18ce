"""One theme's section: what we heard, participants' words, the evidence, tensions, ideas and how
the theme changed over the year — every quotation marked with the extract it comes from."""

from __future__ import annotations

from lab_app.essays.attribution import attribution, month_of, role_of, source_name
from lab_app.essays.markup import CHART_LINE, is_verbatim
from lab_app.essays.material import ThemeMaterial
from lab_app.essays.writing import (
    blockquote,
    counted,
    excerpt,
    in_words,
    inline_quote,
    inline_sentence,
    percent,
    prose,
)
from lab_app.material.consent import may_quote
from lab_app.material.store import extracts_by_ids
from lab_app.themes.views import attributes_of

KIND_WORDS = {
    "survey": ("survey answer", "survey answers"),
    "contribution": ("contribution", "contributions"),
    "evidence": ("passage from evidence documents", "passages from evidence documents"),
}
PLURAL_ROLES = {
    "peer worker": "peer workers",
    "person with lived experience": "people with lived experience",
    "carer": "carers",
    "clinician": "clinicians",
    "commissioner": "commissioners",
    "voluntary-sector worker": "voluntary-sector workers",
    "researcher": "researchers",
}
SUBHEADINGS = {
    "heard": "What we heard",
    "voices": "In participants' words",
    "evidence": "What the evidence says",
    "tensions": "Where views differ",
    "ideas": "Ideas that emerged",
    "time": "How it changed over the year",
}


def theme_body(engine, theme: ThemeMaterial, sizes: dict, documents: dict[str, dict]) -> str:
    """The section's Markdown; `sizes` says how many of each thing the essay's length allows."""
    used: set[str] = set()
    parts = [
        f"### {SUBHEADINGS['heard']}",
        _heard(theme, sizes["heard"], used),
        f"### {SUBHEADINGS['voices']}",
        *_voices(theme, sizes["voices"], used),
        f"### {SUBHEADINGS['evidence']}",
        *_evidence(theme, sizes["evidence"], documents, used),
        f"### {SUBHEADINGS['tensions']}",
        *_tensions(engine, theme, sizes["tensions"]),
        f"### {SUBHEADINGS['ideas']}",
        *_ideas(engine, theme, sizes["ideas"]),
        f"### {SUBHEADINGS['time']}",
        _over_time(theme),
        CHART_LINE,
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _heard(theme: ThemeMaterial, count: int, used: set[str]) -> str:
    kinds = [counted(n, *KIND_WORDS.get(k, (k, k + "s"))) for k, n in theme.kinds.items()]
    text = f"This theme gathers {counted(theme.size, 'extract')}: {in_words(kinds)}."
    if theme.description:
        text += f" {prose(theme.description)}"
    if theme.phrases:
        text += (
            f" The words that set it apart are {in_words([prose(p) for p in theme.phrases[:4]])}."
        )
    groups = [g for g in (_group(a) for a in theme.over_represented[:3]) if g]
    if groups:
        text += f" It was raised more often by {in_words(groups[:2])}."
    quotes = []
    # Participants' own sentences first: documents get their own part below.
    ordered = sorted(theme.extracts, key=lambda r: r["kind"] == "evidence")
    for row in ordered:
        if len(quotes) >= count:
            break
        sentence = inline_sentence(row["text"])
        if sentence and row["extract_id"] not in used:
            quotes.append(inline_quote(sentence, row["extract_id"]))
            used.add(row["extract_id"])
    if quotes:
        text += f" At its centre are remarks such as {in_words(quotes)}."
    return text


def _group(item: dict) -> str | None:
    """'peer workers (34% of this theme against 17% overall)' from an over-represented value."""
    name, value = item["attribute"], item["value"]
    role = role_of({name: value})
    if role:
        who = PLURAL_ROLES.get(role, f"people who said {prose(role)}")
    elif "where" in name.lower() or "region" in name.lower():
        who = f"people in {prose(value)}"
    else:
        return None
    return (
        f"{who} ({percent(item['share'])} of this theme against {percent(item['overall'])} overall)"
    )


def _voices(theme: ThemeMaterial, count: int, used: set[str]) -> list[str]:
    candidates = [
        r for r in theme.extracts if r["kind"] != "evidence" and len(r["text"].strip()) >= 40
    ]
    chosen: list[dict] = []
    people: set = set()
    roles: set = set()
    # First one voice per kind of participant, then anyone else not yet heard from.
    for wanting_new_role in (True, False):
        for row in candidates:
            if len(chosen) >= count:
                break
            role = role_of(row["attributes"])
            person = row.get("person") or row["extract_id"]
            taken = row in chosen or row["extract_id"] in used or person in people
            if taken or (wanting_new_role and role in roles):
                continue
            chosen.append(row)
            people.add(person)
            roles.add(role)
    if not chosen:
        return ["No participant in this theme has agreed to be quoted yet."]
    used.update(r["extract_id"] for r in chosen)
    return [
        blockquote(excerpt(r["text"]), attribution(r, r["attributes"]), r["extract_id"])
        for r in chosen
    ]


def _evidence(theme, count, documents, used) -> list[str]:
    found, seen = [], set()
    for row in [*theme.extracts, *theme.related]:
        if len(found) >= count:
            break
        if row["kind"] != "evidence" or row["source"] in seen or row["extract_id"] in used:
            continue
        document = documents.get(row["source"], {})
        avoid = (document.get("title", ""), document.get("organisation", ""))
        sentence = inline_sentence(row["text"], 50, 320, avoid)
        if not sentence:
            continue
        seen.add(row["source"])
        used.add(row["extract_id"])
        cited = _cited(document, row)
        found.append(f"{cited} {inline_quote(sentence, row['extract_id'])}")
    if not found:
        return [
            "No evidence document in the workspace speaks to this theme in a sentence that can "
            "be quoted: what the published evidence says about it still needs adding."
        ]
    return found


def _cited(document: dict, row: dict) -> str:
    title = prose(document_title(document, row["source"]))
    organisation = prose(document.get("organisation") or "")
    year = (document.get("date") or row.get("date") or "")[:4]
    who = ", ".join(p for p in (organisation, year) if p)
    return f"{title} ({who}) says:" if who else f"{title} says:"


def document_title(document: dict, path: str) -> str:
    """The document's own title, else its file name in words ('Commissioner position note')."""
    if document.get("title"):
        return document["title"]
    words = source_name(path)
    return words[:1].upper() + words[1:]


def _tensions(engine, theme: ThemeMaterial, count: int) -> list[str]:
    if not theme.tensions:
        return ["The Lab has not recorded a tension on this theme."]
    parts = []
    for tension in theme.tensions[:count]:
        status = (
            "" if tension["status"] == "confirmed" else " (suggested; staff have not confirmed it)"
        )
        parts.append(f"{prose(tension['title'])}{status}.")
        for number, side in enumerate(tension["sides"] or []):
            lead = "On one side" if number == 0 else "On the other side"
            parts.append(f"{lead}: {prose(side.get('summary') or '')}")
            quote = side_quote(engine, side)
            parts.append(blockquote(*quote) if quote else "No extract on this side may be quoted.")
    return parts


def side_quote(engine, side: dict) -> tuple[str, str, str] | None:
    """(passage, attribution, extract id) for one side of a tension: a quote the side names if
    it is verbatim in one of its extracts, else an excerpt of its first quotable extract."""
    ids = [e for e in side.get("extract_ids") or [] if isinstance(e, str)]
    for quote in side.get("quotes") or []:
        if isinstance(quote, dict) and quote.get("extract_id"):
            ids.append(quote["extract_id"])
    rows = extracts_by_ids(engine, list(dict.fromkeys(ids)))
    allowed = [e for e in dict.fromkeys(ids) if e in may_quote(engine, rows)]
    if not allowed:
        return None
    attributes = attributes_of(engine, allowed)
    for quote in side.get("quotes") or []:
        text = quote.get("text") if isinstance(quote, dict) else quote
        if not isinstance(text, str) or not text.strip():
            continue
        for extract_id in allowed:
            if is_verbatim(text, rows[extract_id]["text"]):
                row = rows[extract_id]
                return excerpt(text), _who(row, attributes.get(extract_id, {})), extract_id
    first = rows[allowed[0]]
    return excerpt(first["text"]), _who(first, attributes.get(allowed[0], {})), allowed[0]


def _who(row: dict, attributes: dict) -> str:
    if row["kind"] == "evidence":
        return "evidence document" + (f", {month_of(row.get('date'))}" if row.get("date") else "")
    return attribution(row, attributes)


def _ideas(engine, theme: ThemeMaterial, count: int) -> list[str]:
    if not theme.ideas:
        return ["No idea has been recorded against this theme yet."]
    items = [f"- {idea_line(engine, idea)}" for idea in theme.ideas[:count]]
    return ["\n".join(items)]


def idea_line(engine, idea: dict) -> str:
    """'Title — testing; 12 supporters; 5 linked extracts. “…” [#id]' for one idea."""
    facts = [prose(idea["status"]), counted(idea["supporters"], "supporter")]
    if idea["extract_ids"]:
        facts.append(counted(len(idea["extract_ids"]), "linked extract"))
    line = f"{prose(idea['title'])} — {'; '.join(facts)}."
    rows = extracts_by_ids(engine, idea["extract_ids"])
    allowed = may_quote(engine, rows)
    for extract_id in idea["extract_ids"]:
        sentence = inline_sentence(rows[extract_id]["text"]) if extract_id in allowed else None
        if sentence:
            return f"{line} {inline_quote(sentence, extract_id)}"
    return line


def _over_time(theme: ThemeMaterial) -> str:
    months = [(m, n) for m, n in theme.months if n]
    if not months:
        return (
            "None of this theme's extracts carries a date, so its course over the year is unknown."
        )
    first = month_of(months[0][0] + "-01")
    peak_month, peak = max(months, key=lambda item: (item[1], item[0]))
    text = (
        f"The theme first appears in {first} and was most present in "
        f"{month_of(peak_month + '-01')} ({counted(peak, 'extract')})."
    )
    phases = [(name, n) for name, n in theme.phases if name not in ("before", "after")]
    if phases:
        text += " By phase of the Lab: " + ", ".join(f"{prose(p)} {n}" for p, n in phases) + "."
        total = sum(n for _, n in phases)
        half = len(phases) // 2
        early = sum(n for _, n in phases[:half])
        late = sum(n for _, n in phases[-half:]) if half else 0
        if total and late > early * 1.5:
            text += " It grew as the year went on."
        elif total and early > late * 1.5:
            text += " It was strongest early in the year and faded later."
        else:
            text += " It stayed present through the year."
    if theme.kinds.get("survey", 0) * 2 > theme.size:
        text += " Most of it came through the Lab survey, so its peak follows the survey's dates."
    return text
