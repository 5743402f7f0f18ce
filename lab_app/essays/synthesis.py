"""A theme's synthesis: a few of its own sentences, central and varied (maximal marginal
relevance on all-MiniLM-L6-v2), each attributed ("a carer wrote in the Lab's online space") and
quoted word for word with its extract's marker, joined into one paragraph of prose."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from lab_app.essays.attribution import role_of
from lab_app.essays.markup import flat
from lab_app.essays.quotable import PLACEHOLDER, front_matter, title_parts, worth_quoting
from lab_app.essays.writing import inline_quote, prose, sentences
from lab_app.material.source_names import source_name
from lab_app.material.store import text_hash

POOL = 40  # most central extracts whose sentences are weighed: the centre of the theme
PER_EXTRACT = 3  # sentences weighed per extract: the model's time goes on each one
RELEVANCE = 0.65  # MMR: weight on centrality against difference from what is already chosen
SAME = 0.85  # two sentences this similar say the same thing: never both
SHORTEST_WORDS, LONGEST_WORDS = 8, 45
# Sentences opening like these lean on one before them, which the reader will not see.
_LEANING = re.compile(
    r"^(?:this|that|these|those|they|he|she|but|and|so|also|which|yes|no|or|because|then|"
    r"however|although|though|plus|same|agree|exactly)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"^(?:I|I'm|I've|I'd|My|We|We're|We've|Our|Me)\b")
# "Having information in the hospital." or "Clinicians not understanding what peer workers are
# for." answer a survey question but read oddly as something said: an -ing word among the first
# few, with no finite verb before it, marks such a fragment, chosen only after whole sentences.
_FRAGMENT = re.compile(
    r"^(?!During\b|Nothing\b|Something\b|Everything\b|Anything\b)"
    r"(?:(?!(?:is|are|was|were|am|be|been|have|has|had|do|does|did|can|could|will|would|"
    r"should|must|may|might)\b)[A-Za-z]+ ){0,3}(?:not )?[A-Za-z]*ing\b(?<!thing)"
)
FRAGMENT_PENALTY = 0.1


@dataclass
class Synthesis:
    """The paragraph (essay Markdown, with markers), the extracts it quotes, how it was made."""

    text: str
    used: set[str] = field(default_factory=set)
    how: str = "extractive"
    by_points: bool = False  # one quote per point of the theme (essays.points)


@dataclass
class _Candidate:
    sentence: str
    row: dict
    person: str
    participant: bool


def synthesise(
    workspace, extracts: list[dict], count: int, documents: dict[str, dict] | None = None
) -> Synthesis:
    """`count` sentences from the theme's quotable extracts (most central first), chosen and
    written as one paragraph; an empty Synthesis when none reads as a quotable sentence."""
    candidates = quotable_sentences(extracts[:POOL], documents or {})
    if not candidates:
        return Synthesis("")
    picked = choose(candidates, sentence_vectors(workspace, candidates), count)
    return Synthesis(paragraph(picked, documents or {}), {c.row["extract_id"] for c in picked})


def quotable_sentences(rows: list[dict], documents: dict[str, dict]) -> list[_Candidate]:
    """Whole, quotable sentences of readable length that stand on their own, PER_EXTRACT at
    most from each extract; none from an extract that held a name or identifier."""
    found = []
    for row in rows:
        if PLACEHOLDER.search(row["text"] or ""):
            continue
        document = documents.get(row.get("source"), {})
        avoid = title_parts(document.get("title", ""), document.get("organisation", ""))
        person = row.get("person") or f"extract:{row['extract_id']}"
        kept = [s for s in _lines_sentences(row["text"]) if _stands_alone(s, avoid)]
        found += [_Candidate(s, row, person, row["kind"] != "evidence") for s in kept[:PER_EXTRACT]]
    return found


def _stands_alone(sentence: str, avoid: tuple[str, ...]) -> bool:
    words = len(sentence.split())
    if not SHORTEST_WORDS <= words <= LONGEST_WORDS or _LEANING.match(sentence):
        return False
    if not sentence.endswith((".", "!", "?")) or "“" in sentence or "”" in sentence:
        return False
    return worth_quoting(sentence, avoid)


def sentence_vectors(workspace, candidates: list[_Candidate]) -> np.ndarray:
    """A vector per sentence; a sentence that is its extract's whole text reuses the stored
    vector, so only the sentences of longer extracts go through the model."""
    whole = {
        i: text_hash(c.row["text"])
        for i, c in enumerate(candidates)
        if flat(c.row["text"]) == c.sentence
    }
    known = workspace.store.vectors_for_texts(whole.values())
    missing = [c.sentence for i, c in enumerate(candidates) if whole.get(i) not in known]
    fresh = iter(workspace.embedder.embed(missing))
    return np.vstack(
        [known[whole[i]] if whole.get(i) in known else next(fresh) for i in range(len(candidates))]
    )


def _lines_sentences(text: str) -> list[str]:
    """Sentences line by line, so a heading on its own line never runs into the text below;
    none from a document's byline."""
    lines = [line for line in (text or "").split("\n") if not front_matter(line)]
    return [s for line in lines for s in sentences(line)]


def choose(candidates: list[_Candidate], vectors: np.ndarray, count: int) -> list[_Candidate]:
    """Maximal marginal relevance: central to the theme's sentences, unlike those already
    chosen; one sentence per person; participants' words before documents'."""
    centre = vectors.mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-9)
    centrality = vectors @ centre
    chosen: list[int] = []
    people: set[str] = set()
    for want_participant in (True, False):
        while len(chosen) < count:
            best, best_score = None, -np.inf
            for i, candidate in enumerate(candidates):
                if candidate.participant != want_participant or candidate.person in people:
                    continue
                overlap = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
                if overlap >= SAME:
                    continue
                score = RELEVANCE * centrality[i] - (1 - RELEVANCE) * overlap
                if _FRAGMENT.match(candidate.sentence):
                    score -= FRAGMENT_PENALTY
                if score > best_score:
                    best, best_score = i, score
            if best is None:
                break
            chosen.append(best)
            people.add(candidates[best].person)
    return [candidates[i] for i in chosen]


# --- writing the paragraph -------------------------------------------------------------------


def paragraph(picked: list[_Candidate], documents: dict[str, dict]) -> str:
    """The chosen sentences as prose: who said each and where, in varied but plain framing that
    claims nothing the sentences do not say."""
    parts, roles_seen = [], set()
    for number, candidate in enumerate(picked):
        subject, verb, where = speaker(candidate.row, documents, roles_seen)
        quote = inline_quote(candidate.sentence, candidate.row["extract_id"])
        parts.append(_framed(number, subject, verb, where, candidate.sentence, quote))
    return " ".join(parts)


def _framed(number: int, subject: str, verb: str, where: str, sentence: str, quote: str) -> str:
    place = f" {where}" if where else ""
    if number % 3 == 1:
        return f"As {subject} put it{place}, {quote}"
    if number % 3 == 2 and not _FIRST_PERSON.match(sentence):
        return f"{_capital(subject)} {verb}{place} that {quote}"
    return f"{_capital(subject)} {verb}{place}: {quote}"


def speaker(row: dict, documents: dict[str, dict], roles_seen: set) -> tuple[str, str, str]:
    """(who, verb, where) for a sentence: 'a commissioner', 'said', 'in the survey'. Never a
    name: a role when the person gave one, else the kind of contribution."""
    if row["kind"] == "evidence":
        document = documents.get(row.get("source"), {})
        title = document.get("title") or source_name(row.get("source", ""))
        return f"‘{prose(title)}’", "notes", ""
    role = role_of(row.get("attributes") or {})
    if role:
        who = ("another " if role in roles_seen else _article(role) + " ") + prose(role)
        roles_seen.add(role)
    else:
        who = "a survey respondent" if row["kind"] == "survey" else "a participant"
    if row["kind"] == "survey":
        return who, "said", "in the survey"
    if "workshop" in source_name(row.get("source", "")):
        if not role:  # a facilitator's notes of a table's talk, not one person's words
            return "the notes from one workshop table", "record", ""
        return who, "said", "at a workshop"
    return who, "wrote", "in the Lab's online space"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
