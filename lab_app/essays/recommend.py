"""Recommendations from ideas the Lab took forward: each named as staff titled it (or in its
proposer's own words, quoted and marked; or by what those words are about when they may not be
quoted), with its status and its backing in words."""

from __future__ import annotations

import numpy as np

from lab_app.essays.markup import is_verbatim
from lab_app.essays.quotable import PLACEHOLDER, worth_quoting
from lab_app.essays.staff_decisions import MACHINE_TITLE, Backing
from lab_app.essays.synthesis import speaker
from lab_app.essays.writing import counted, in_words, inline_quote, inline_sentence, prose
from lab_app.material.consent import may_quote
from lab_app.material.reads import extracts_by_ids, vectors_of
from lab_app.themes.labels import terms_of
from lab_app.themes.views import attributes_of

PLURAL_ROLES = {
    "peer worker": "peer workers",
    "person with lived experience": "people with lived experience",
    "carer": "carers",
    "clinician": "clinicians",
    "commissioner": "commissioners",
    "voluntary-sector worker": "voluntary-sector workers",
    "researcher": "researchers",
}
STATUS_WORDS = {"adopted": "The Lab has adopted it.", "testing": "The Lab is testing it."}
FEWEST_FOR_A_ROLE = 2  # one person of a role is not named: "1 of them a commissioner" points


def idea_line(engine, idea: dict, with_backing: bool = True) -> str:
    """One idea as a sentence or two of essay Markdown: its name, its status and (when asked)
    who backs it, with a quote of its proposal when one may be quoted."""
    rows = extracts_by_ids(engine, idea["proposals"] + idea["discussion"])
    allowed = may_quote(engine, rows)
    quotable = [e for e in idea["proposals"] + idea["discussion"] if e in allowed]
    name, quoted_in_name = _name(engine, idea, rows, quotable)
    quote = None if quoted_in_name else _proposal_quote(engine, idea, rows, quotable)
    if name is None and quote:  # no title worth reading: the proposal's own words lead
        name, quote = f"{quote}, as raised in the Lab's discussions.", None
    parts = [name or "An idea raised in the Lab's discussions."]
    if idea.get("description"):
        parts.append(_sentence(prose(idea["description"])))
    if STATUS_WORDS.get(idea["status"]):
        parts.append(STATUS_WORDS[idea["status"]])
    if with_backing:
        words = backing_words(idea["backing"], proposer_named=quoted_in_name)
        if words:
            parts.append(_sentence(words[:1].upper() + words[1:]))
    if quote:
        parts.append(f"In the Lab's discussions: {quote}")
    return " ".join(parts)


def _name(engine, idea: dict, rows: dict, quotable: list[str]) -> tuple[str | None, bool]:
    """(the idea's name as Markdown, whether it is a quotation). A title that is a proposer's
    own sentence is quoted with its marker, or left out when it may not be quoted; None when
    there is no name worth reading."""
    title = idea["title"]
    own = [e for e in idea["proposals"] if e in rows and is_verbatim(title, rows[e]["text"])]
    if not own and not idea["machine_title"]:
        return _sentence(prose(title)), False
    source = own[0] if own else None
    # Not quoted from a proposal that held a name or identifier (as writing.inline_sentence).
    clean = source is not None and not PLACEHOLDER.search(rows[source]["text"] or "")
    if clean and source in quotable and worth_quoting(title) and not {"“", "”"} & set(title):
        row = dict(rows[source], attributes=attributes_of(engine, [source]).get(source, {}))
        subject, _, where = speaker(row, {}, set())
        place = f" {where}" if where else ""
        return f"{inline_quote(title, source)}, as {subject} proposed{place}.", True
    if idea["machine_title"]:  # key words, not anyone's sentence: say what it is about
        words = [w.strip() for w in title[len(MACHINE_TITLE) :].split(",") if w.strip()]
        return _sentence(f"An idea about {prose(in_words(words))}"), False
    # The proposer's own sentence, not quotable here: what it is about, in its key phrases (as a
    # machine title would), never a reply's words standing in for the idea.
    about = key_phrases(title)
    return (_sentence(f"An idea about {prose(in_words(about))}"), False) if about else (None, False)


def key_phrases(sentence: str, most: int = 2) -> list[str]:
    """The noun phrases a sentence is about ("What if we set up our own peer supervision
    network?" -> ["peer supervision network"]), at most `most`, each once."""
    from lab_app.themes.phrases import parse, phrases_of

    found: list[str] = []
    for phrase in phrases_of(parse({0: sentence})[0]):
        if phrase.text not in found:
            found.append(phrase.text)
    return found[:most]


def _proposal_quote(engine, idea: dict, rows: dict, quotable: list[str]) -> str | None:
    """A quotable sentence of the proposal, else of the discussion nearest in meaning to the
    proposal: replies linked to an idea wander ("the navigator idea …" under a funding idea)."""
    vectors = vectors_of(engine, idea["proposals"] + quotable)
    proposed = [vectors[e] for e in idea["proposals"] if e in vectors]
    if proposed:
        centre = np.mean(proposed, axis=0)
        nearness = {e: float(vectors[e] @ centre) for e in quotable if e in vectors}
        quotable = sorted(
            quotable, key=lambda e: (e not in idea["proposals"], -nearness.get(e, -1.0))
        )
    about = {w for term in terms_of(idea["title"]) for w in term.split()}
    for extract_id in quotable:
        sentence = inline_sentence(rows[extract_id]["text"], about=about)
        if sentence:
            return inline_quote(sentence, extract_id)
    return None


def backing_words(backing: Backing, proposer_named: bool = False) -> str:
    """'backed by 14 participants in the app; proposed by one participant and discussed by 8
    others, among them 4 peer workers and 2 commissioners' — counts and roles, never names.
    With proposer_named (the idea is already quoted as someone's proposal) a lone proposer is
    not counted again."""
    parts = []
    if backing.supporters:
        parts.append(f"backed by {counted(backing.supporters, 'participant')} in the app")
    raised = []
    if backing.proposers and not (proposer_named and backing.proposers == 1):
        who = "one participant" if backing.proposers == 1 else f"{backing.proposers} participants"
        raised.append(f"proposed by {who}")
    if backing.discussed:
        others = "others" if backing.proposers else "participants"
        raised.append(f"discussed by {backing.discussed} {others}")
    if raised:
        parts.append(" and ".join(raised))
    roles = [
        f"{n} {PLURAL_ROLES.get(role, role)}"
        for role, n in backing.roles.most_common()
        if n >= FEWEST_FOR_A_ROLE
    ]
    text = "; ".join(parts)
    if text and roles:
        text += f", among them {in_words(roles[:3])}"
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
