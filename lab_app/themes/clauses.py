"""Short answers people write as a clause ("Knowing where to look", "Not being told"), as names.

Survey answers to "what helped?" or "what put you off?" are often a gerund clause, not a noun
phrase, and the clause is what an analyst would quote as the theme's name (an in-vivo code).
A clause is read from a sentence's start: an optional "not", a verb ending in -ing, and what
follows it up to the sentence's end, a comma, or a clause of its own ("…who had been there"),
at most six words, cut back to a word that says something.
"""

from __future__ import annotations

MAX_WORDS = 6
_STOP_AT_DEPS = {"relcl", "ccomp", "advcl", "mark", "cc", "punct", "conj"}
_END_POS = {"NOUN", "PROPN", "VERB", "ADJ"}
_PRONOUNS_KEPT = {"it"}  # "Not knowing it's free" speaks for many; "my", "me", "I" for one


def clauses_of(doc, token_ok, filler: set[str]) -> list[list]:
    """The tokens of each gerund clause that opens a sentence of the parsed text."""
    found = []
    for sentence in doc.sents:
        tokens = _opening_clause(list(sentence), token_ok, filler)
        if tokens:
            found.append(tokens)
    return found


def is_clause(wording: str) -> bool:
    """A label read as a clause ("Not being told"): joining another phrase to it reads badly."""
    words = wording.lower().split()
    verb = words[1] if words and words[0] == "not" and len(words) > 1 else words[0]
    return len(words) > 1 and verb.endswith("ing")


def _opening_clause(tokens: list, token_ok, filler: set[str]) -> list:
    start = 1 if tokens and tokens[0].lower_ == "not" else 0
    if len(tokens) <= start or tokens[start].tag_ != "VBG":
        return []
    clause = tokens[: start + 1]
    for token in tokens[start + 1 :]:
        if token.dep_ in _STOP_AT_DEPS or token.is_punct:
            break
        clause.append(token)
    if len(clause) > MAX_WORDS:
        return []  # cut short it would say something else ("Seeing that recovery")
    while clause and not _ends_well(clause[-1], filler):
        clause.pop()
    if len(clause) < 2 + start:
        return []  # a lone "Knowing" says nothing yet
    for token in clause:
        if token.lower_ in filler:
            return []  # "Finding time to go": a vague word reads as filler in a name
        if token.pos_ == "PRON" and token.lower_ not in _PRONOUNS_KEPT:
            return []
        if not (token.is_stop or token_ok(token)):  # "a", "'s" are no one's name
            return []
    return clause


def _ends_well(token, filler: set[str]) -> bool:
    if _stranded(token):
        return True
    return token.pos_ in _END_POS and not token.is_stop and token.lower_ not in filler


def _stranded(token) -> bool:
    """A verb's own particle or preposition with no object: "Being listened to" and "Being
    looked after (properly)" lose their sense without it."""
    return (
        token.dep_ in ("prt", "prep")
        and all(child.pos_ == "ADV" for child in token.children)
        and token.head.pos_ == "VERB"
        and token.head.i == token.i - 1
    )


def written(tokens: list) -> str:
    """As written, contractions joined; lower case except acronyms and names (NHS, Leeds)."""
    words = []
    for token in tokens:
        keep = (token.text.isupper() and len(token.text) > 1) or token.pos_ == "PROPN"
        words.append((token.text if keep else token.lower_) + token.whitespace_)
    return "".join(words).strip()
