"""One theme's section: what we heard, participants' words, the evidence, tensions, ideas and how
the theme changed over the year — every quotation marked with the extract it comes from."""

from __future__ import annotations

import re

from lab_app.essays.argument import concern_of, survey_led, tension_prose, trend
from lab_app.essays.attribution import attribution, month_of, role_of
from lab_app.essays.markup import CHART_LINE, is_verbatim
from lab_app.essays.material import ThemeMaterial
from lab_app.essays.quotable import PLACEHOLDER, title_parts, worth_quoting
from lab_app.essays.recommend import PLURAL_ROLES, idea_line
from lab_app.essays.synthesis import Synthesis
from lab_app.essays.writing import (
    blockquote,
    counted,
    excerpt,
    full_stop,
    in_words,
    inline_quote,
    inline_sentence,
    percent,
    prose,
)
from lab_app.material.consent import may_quote
from lab_app.material.reads import extracts_by_ids
from lab_app.material.source_names import title_of
from lab_app.themes.views import attributes_of

KIND_WORDS = {
    "survey": ("survey answer", "survey answers"),
    "contribution": ("contribution", "contributions"),
    "evidence": ("passage from evidence documents", "passages from evidence documents"),
}
SUBHEADINGS = {
    "heard": "What we heard",
    "voices": "In participants' words",
    "evidence": "What the evidence says",
    "tensions": "Where views differ",
    "ideas": "Ideas the Lab is taking forward",
    "time": "How it changed over the year",
}


def theme_body(
    engine,
    theme: ThemeMaterial,
    sizes: dict,
    documents: dict[str, dict],
    synthesis: Synthesis | None = None,
    finding: str = "",
) -> str:
    """The section's Markdown; `sizes` says how many of each thing the essay's length allows.
    It opens with its finding (argument.theme_finding), then the synthesis that bears it out in
    people's own words; "Where views differ" and the ideas appear only when staff confirmed a
    tension or took an idea forward."""
    used: set[str] = set(synthesis.used) if synthesis else set()
    # Each side of a tension gets first pick of its own words; other parts avoid them.
    tensions = _tensions(engine, theme, sizes["tensions"], used)
    parts = [
        f"### {SUBHEADINGS['heard']}",
        finding,
        prose(theme.description) if theme.description else "",
        synthesis.text if synthesis and synthesis.text else _central(theme, sizes["heard"], used),
        _about(theme),
        f"### {SUBHEADINGS['voices']}",
        *_voices(theme, sizes["voices"], used),
        f"### {SUBHEADINGS['evidence']}",
        *_evidence(theme, sizes["evidence"], documents, used),
    ]
    if tensions:
        parts += [f"### {SUBHEADINGS['tensions']}", *tensions]
    if theme.ideas:
        lines = [
            f"- {idea_line(engine, i, with_backing=False)}" for i in theme.ideas[: sizes["ideas"]]
        ]
        parts += [f"### {SUBHEADINGS['ideas']}", "\n".join(lines)]
    parts += [f"### {SUBHEADINGS['time']}", _over_time(theme), CHART_LINE]
    return "\n\n".join(p for p in parts if p) + "\n"


def _central(theme: ThemeMaterial, count: int, used: set[str]) -> str:
    """Without a synthesis: the theme's most central quotable sentences, participants first."""
    quotes = []
    ordered = sorted(theme.extracts, key=lambda r: r["kind"] == "evidence")
    for row in ordered:
        if len(quotes) >= count:
            break
        sentence = inline_sentence(row["text"])
        if sentence and row["extract_id"] not in used:
            quotes.append(inline_quote(sentence, row["extract_id"]))
            used.add(row["extract_id"])
    return f"At its centre are remarks such as {in_words(quotes)}." if quotes else ""


def _about(theme: ThemeMaterial) -> str:
    """Where the theme's material came from and who raised it more often than others."""
    kinds = [counted(n, *KIND_WORDS.get(k, (k, k + "s"))) for k, n in theme.kinds.items()]
    text = f"Its {counted(theme.size, 'extract')} are {in_words(kinds)}."
    concern = concern_of(theme)  # already named in the finding: not said twice
    groups, seen = [], {concern[0]} if concern else set()
    for item in theme.over_represented:
        group = _group(item)
        if group and group[0] not in seen:
            seen.add(group[0])
            groups.append(group[1])
    if groups:
        more = " also" if concern else ""
        text += f" It was{more} raised more often by {in_words(groups[:2])}."
    return text


def _group(item: dict) -> tuple[str, str] | None:
    """(who, 'peer workers (34% of this theme against 17% overall)') from an over-represented
    value, or None when the attribute is not a role or a place."""
    name, value = item["attribute"], item["value"]
    role = role_of({name: value})
    if role:
        who = PLURAL_ROLES.get(role, f"people who said {prose(role)}")
    elif "where" in name.lower() or "region" in name.lower():
        who = f"people in {prose(value)}"
    else:
        return None
    share = f"{percent(item['share'])} of this theme against {percent(item['overall'])} overall"
    return who, f"{who} ({share})"


def _voices(theme: ThemeMaterial, count: int, used: set[str]) -> list[str]:
    candidates = [
        r
        for r in theme.extracts
        if r["kind"] != "evidence" and len(r["text"].strip()) >= 40 and worth_quoting(r["text"])
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
        avoid = title_parts(document.get("title", ""), document.get("organisation", ""))
        sentence = inline_sentence(row["text"], 50, 320, avoid, about=_theme_words(theme))
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


def _theme_words(theme: ThemeMaterial) -> set[str]:
    """The words of a theme's name and key phrases: a document's sentence holding them speaks
    to the theme ("Peer workers inside clinical teams …"), where its first sentence may lean on
    one before it ("A peer worker … replied that this was exactly the problem.")."""
    text = " ".join([theme.label, *theme.phrases]).lower()
    return {w for w in re.findall(r"[\w'-]+", text) if len(w) > 3}


def _cited(document: dict, row: dict) -> str:
    title = prose(title_of(document.get("title"), row["source"]))
    organisation = prose(document_organisation(document))
    year = (document.get("date") or row.get("date") or "")[:4]
    who = ", ".join(p for p in (organisation, year) if p)
    return f"{title} ({who}) says:" if who else f"{title} says:"


def document_organisation(document: dict) -> str:
    """Who wrote the document: its author, else the site a web page's title names."""
    if document.get("organisation"):
        return document["organisation"]
    title = document.get("title") or ""
    return title.split(" | ", 1)[1].strip() if " | " in title else ""


def _tensions(engine, theme: ThemeMaterial, count: int, used: set[str]) -> list[str]:
    """Tensions staff confirmed, each side in words from that side only."""
    parts = []
    for tension in theme.tensions[:count]:
        said = tension_prose(tension)  # who leans which way, in a sentence, when it can be
        parts.append(said or full_stop(prose(tension["title"])))
        sides = tension["sides"] or []
        for number, side in enumerate(sides):
            lead = "On one side" if number == 0 else "On the other side"
            if number and len(sides) > 2:
                lead = "On another side"
            summary = prose(side.get("summary") or "")
            if said and side.get("label"):  # the sentence gave the shares: the side's words
                parts.append(f"From those who {prose(side['label'])}:")
            else:
                parts.append(f"{lead}: {summary}" if summary else f"{lead}:")
            quote = side_quote(engine, side, used)
            if quote:
                used.add(quote[2])
                parts.append(blockquote(*quote))
            else:
                parts.append("No extract on this side may be quoted.")
    return parts


def side_quote(engine, side: dict, used: set[str] = frozenset()) -> tuple[str, str, str] | None:
    """(passage, attribution, extract id) for one side of a tension, from that side's extracts
    only: a quote the side names if it is verbatim in one of them, else an excerpt of its first
    extract worth quoting; extracts `used` already in the section only when no other will do."""
    ids = [e for e in side.get("extract_ids") or [] if isinstance(e, str)]
    for quote in side.get("quotes") or []:
        if isinstance(quote, dict) and quote.get("extract_id"):
            ids.append(quote["extract_id"])
    # Words not yet quoted in the section come first; a side never goes unquoted for that.
    ids = sorted(dict.fromkeys(ids), key=lambda e: e in used)
    rows = extracts_by_ids(engine, ids)
    allowed = [e for e in ids if e in may_quote(engine, rows)]
    if not allowed:
        return None
    attributes = attributes_of(engine, allowed)
    for quote in side.get("quotes") or []:
        text = quote.get("text") if isinstance(quote, dict) else quote
        if not isinstance(text, str) or not text.strip() or not worth_quoting(text):
            continue
        for extract_id in allowed:
            # Not from an extract that held a name or identifier, as writing.inline_sentence.
            whole = rows[extract_id]["text"]
            if is_verbatim(text, whole) and not PLACEHOLDER.search(whole or ""):
                row = rows[extract_id]
                return excerpt(text), _who(row, attributes.get(extract_id, {})), extract_id
    for extract_id in allowed:
        row = rows[extract_id]
        if worth_quoting(excerpt(row["text"])) and worth_quoting(row["text"]):
            return excerpt(row["text"]), _who(row, attributes.get(extract_id, {})), extract_id
    return None


def _who(row: dict, attributes: dict) -> str:
    if row["kind"] == "evidence":
        return "evidence document" + (f", {month_of(row.get('date'))}" if row.get("date") else "")
    return attribution(row, attributes)


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
        if not survey_led(theme):  # else its rise and fall are the survey's dates, not the theme's
            text += {
                "grew": " It grew as the year went on.",
                "faded": " It was strongest early in the year and faded later.",
                "steady": " It stayed present through the year.",
            }.get(trend(theme), "")
    if survey_led(theme):
        text += " Most of it came through the Lab survey, so its peak follows the survey's dates."
    return text
