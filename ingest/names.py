"""Person names for Presidio: spaCy's PERSON entities, cleaned, plus the cues a Lab's texts give.

spaCy's small English model finds most names in well-formed prose but misses them in the way
people write online ("Hiya Sue", "thanks liz", "Staff nurse Bola Adeyemi") and calls some
ordinary words people ("Felt", "Rang", "Physio"). This recogniser keeps spaCy's PERSON spans
that hold a name-shaped token, and adds names found by a title ("Dr", "Sister"), a cue
("I'm", "thanks", "my daughter") or a first-name list (Faker's, MIT) when the word is not an
ordinary English word (WordNet's word list, shipped in the spaCy model's lemmatiser tables).
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from ingest import name_lists


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


TITLES = _set(
    "dr doctor mr mrs ms miss mx nurse sister matron prof professor sr rev reverend "
    "nurses auntie aunty uncle nan nana gran granny grandad grandma grandpa"
)
# Cues that take any capitalised word after them as a name. Other cues ("called", "thanks")
# need a listed first name or a word no dictionary has: "a group called Football and a Brew".
# "my daughter Grace", "our nurse Kath": a relation or role before a capitalised word.
RELATIONS = _set(
    "daughter son wife husband partner mum mam mom mother dad father brother sister sis bro "
    "nan nana gran granny grandad grandma grandpa grandson granddaughter grandchild friend "
    "carer nurse keyworker worker gp consultant midwife physio therapist counsellor "
    "psychiatrist psychologist doctor coordinator mentor buddy aunt auntie uncle niece nephew "
    "cousin lad fiance fiancé fiancee boyfriend girlfriend neighbour colleague manager boss "
    "cpn hv ot"
)
CUES = (
    ("i", "'m"), ("i", "’m"), ("im",), ("i", "am"), ("name", "is"), ("name", "'s"),
    ("called",), ("named",), ("thanks",), ("thank", "you"), ("thankyou",), ("ta",),
    ("cheers",), ("hi",), ("hiya",), ("hello",), ("hey",), ("dear",), ("welcome",),
    ("ask", "for"), ("asked", "for"), ("speak", "to"), ("spoke", "to"), ("love", "from"),
    ("oh",),
)  # fmt: skip
# Capitalised words spaCy or a cue may take for a name that are never one in this material.
NOT_NAMES = _set(
    "all everyone everybody team folks guys both again so very much lots there staff ladies "
    "girls boys you mum mam mom dad nan gran nurse nurses doctor doctors drs physio therapist "
    "therapists covid thankyou thanks cheers hi hiya hello dear god lord jesus christmas "
    "easter monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december jan feb mar apr jun jul "
    "aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun nhs gp ae ward "
    "reception receptionist sir madam everyone's lane road street avenue close drive way "
    "hospital infirmary centre center house court surgery practice clinic unit trust hall "
    "park square gardens crescent terrace place "
    # Ordinary words WordNet's list lacks, and Welsh's own name for Welsh: spaCy calls them
    # people when they open a sentence ("Burnout.", "Apps have been on time", "Cymraeg is").
    "burnout burnouts app apps cymraeg"
)
# Saints name churches, hospitals and community centres: "St Luke's" is a place.
SAINTS = _set("st st. saint")
# Before a lone capitalised word spaCy calls a person, these say it is a place ("from Leeds").
PLACE_WORDS = _set("in at from near to around outside into via")
# Conditions named after people: "Parkinson's nurse" names nobody.
EPONYMS = _set(
    "parkinson alzheimer crohn down asperger huntington hodgkin tourette addison graves bell "
    "raynaud lyme meniere ménière hashimoto cushing kawasaki wilson guillain barre barré "
    "korsakoff wernicke creutzfeldt jakob marfan ehlers danlos sjogren sjögren paget "
    "dupuytren duchenne perthes osgood schlatter tay sachs kegel"
)
_NEVER = NOT_NAMES | TITLES | SAINTS  # words that are never part of a name
_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_BEFORE_NAME = TITLES | RELATIONS | {cue[-1] for cue in CUES} | {"i'm", "i’m"}
ADDRESSED = _set("i we you")  # after a name opening a sentence: the writer speaks to them
_SENTENCE_END = frozenset('.!?:;·•|"“”()[]-–—*>')


def name_shaped(text: str) -> bool:
    """Name-shaped: "Sue", "O'Brien", "McKenzie", "Anne-Marie"; not "NHS", "FrIendly"."""
    if len(text) < 2 or not text[0].isupper():
        return False
    for part in re.split(r"['’\-]", text):
        part = re.sub(r"^(?:Mc|Mac)(?=[A-Z])", "", part)
        if not (part.isalpha() and part[0].isupper() and (len(part) == 1 or part[1:].islower())):
            return False
    return True


def may_hold_name(text: str, words) -> bool:
    """Could any rule here find a name in this text? Every name found holds a listed first name,
    a capitalised word no dictionary has, or a capitalised word after a title or cue; a text with
    none of those (most short feedback) need not go through the language model at all."""
    before = ""
    first = name_lists.first_names()
    for match in _WORD.finditer(text):
        word = match.group(0)
        lower = word.lower()
        if name_shaped(word):
            if lower in first or lower not in words or before in _BEFORE_NAME:
                return True
        elif lower in name_lists.english_first_names() and lower not in words:  # "thanks liz"
            return True
        before = lower
    return False


class NameRecognizer(SpacyRecognizer):
    """PERSON from spaCy, checked and added to with titles, cues and a first-name list."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="NameRecognizer")

    def analyze(self, text, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        if not nlp_artifacts:
            return []
        doc = nlp_artifacts.tokens
        words = name_lists.english_words(nlp_artifacts.nlp_engine.get_nlp("en"))
        spans: set[tuple[int, int]] = set()
        for ent in nlp_artifacts.entities:
            if ent.label_ == "PERSON":
                spans.update(_checked_entity(doc, ent.start, ent.end, words))
        # Inside a longer organisation or place ("Marie Curie Hospice") a first name names nobody.
        longer = [e for e in nlp_artifacts.entities if e.label_ != "PERSON" and len(e) > 1]
        other = {i for e in longer for i in range(e.start, e.end)}
        for i in range(len(doc)):
            end = _name_at(doc, i, words, inside_entity=i in other)
            if end:
                spans.add((i, end))
        return [self._result(doc, start, end) for start, end in sorted(spans)]

    def _result(self, doc, start: int, end: int) -> RecognizerResult:
        return RecognizerResult(
            entity_type="PERSON",
            start=doc[start].idx,
            end=doc[end - 1].idx + len(doc[end - 1].text),
            score=self.ner_strength,
            analysis_explanation=self.build_explanation(self.ner_strength, "name rules"),
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def _is_name_word(token, words) -> bool:
    """A capitalised token that reads as a name rather than an ordinary word."""
    lower = token.text.lower()
    if not name_shaped(token.text) or lower in NOT_NAMES or lower in TITLES or token.is_stop:
        return False
    return lower in name_lists.all_names() or lower not in words


def _checked_entity(doc, start: int, end: int, words) -> list[tuple[int, int]]:
    """spaCy's PERSON span cut into runs of name-shaped tokens ("My CPN Darren" -> "Darren"),
    keeping the runs that hold a real name: a listed first name or a word no dictionary has."""
    runs, run = [], []
    for i in range(start, end + 1):
        token = doc[i] if i < end else None
        if (
            token is not None
            and name_shaped(token.text)
            and not token.is_stop
            and token.text.lower() not in _NEVER
        ):
            run.append(i)
        elif run:
            runs.append(run)
            run = []
    return [(r[0], r[-1] + 1) for r in runs if _real_name(doc, r, words)]


def _real_name(doc, run: list[int], words) -> bool:
    lowers = [doc[i].text.lower() for i in run]
    if " ".join(lowers) in EPONYMS or (run[0] > 0 and doc[run[0] - 1].text.lower() in SAINTS):
        return False
    if not any(w in name_lists.first_names() or w not in words for w in lowers):
        return False  # "Good Idea", "Felt": ordinary words, even if someone has them as a surname
    if len(run) == 1 and lowers[0] not in name_lists.first_names():
        # A lone unlisted word spaCy calls a person is often a place: "from Nottingham",
        # "Latham house", or a one-word answer ("Orkney").
        if len([t for t in doc if not t.is_punct and not t.is_space]) == 1:
            return False
        before = doc[run[0] - 1].text.lower() if run[0] > 0 else ""
        after = doc[run[0] + 1].text.lower() if run[0] + 1 < len(doc) else ""
        return before not in PLACE_WORDS and after not in NOT_NAMES
    return True


def _sentence_start(doc, i: int) -> bool:
    if i == 0:
        return True
    before = doc[i - 1]
    return before.is_space or "\n" in before.whitespace_ or before.text in _SENTENCE_END


def _title_before(doc, i: int) -> bool:
    """A title right before token i; lower-case "miss" is the verb ("what scales miss")."""
    return i > 0 and doc[i - 1].text != "miss" and doc[i - 1].text.lower().rstrip(".") in TITLES


def _cue_before(doc, i: int) -> bool:
    """A cue ("I'm", "thanks", "my daughter") right before token i."""
    lowered = [t.text.lower().rstrip(".") for t in doc[max(0, i - 2) : i]]
    owner = lowered[0] if len(lowered) == 2 else ""
    if owner in {"my", "our", "his", "her", "their", "your"} and lowered[1] in RELATIONS:
        return True
    return any(tuple(lowered[-len(cue) :]) == cue for cue in CUES if len(lowered) >= len(cue))


def _name_at(doc, i: int, words, inside_entity: bool) -> int:
    """The end of a name starting at token i found by the rules, or 0."""
    token = doc[i]
    lower = token.text.lower()
    if lower in NOT_NAMES or lower in TITLES or (i > 0 and doc[i - 1].text.lower() in SAINTS):
        return 0
    first_name = lower in name_lists.first_names()
    if name_shaped(token.text):
        if not _capitalised_name(doc, i, words, first_name, inside_entity):
            return 0
    elif not (token.is_lower and len(lower) >= 3 and lower not in words):
        return 0  # lower case: "thanks liz" yes, "will" no
    elif lower not in name_lists.english_first_names():
        return 0
    elif token.is_stop:
        return 0  # "else" is a name in Faker's German list
    end = i + 1
    while end < len(doc) and _is_name_word(doc[end], words) and not _sentence_start(doc, end):
        end += 1
    return end


def _capitalised_name(doc, i: int, words, first_name: bool, inside_entity: bool) -> bool:
    token = doc[i]
    lower = token.text.lower()
    # "my son Will": a cue makes a listed first name a name even when it is a common word.
    cued = _cue_before(doc, i) and (first_name or lower not in words)
    if token.is_stop:
        return cued and first_name
    known = first_name and lower not in words and not inside_entity
    opening = _sentence_start(doc, i) and _next_text(doc, i) in {",", "here", "from"}
    # "Deb we've started …", "Tom you're right": someone spoken to, when the word is no verb
    # ("Will you …", "Hope you …", and so "Sue I …" too: a name missed rather than a word lost).
    spoken_to = _sentence_start(doc, i) and _next_text(doc, i) in ADDRESSED
    opening = opening or (spoken_to and lower not in words.verbs)
    titled = _title_before(doc, i)  # "Dr Baker", "Sister Hope"
    return known or cued or titled or (first_name and opening) or _full_name_follows(doc, i, words)


def _next_text(doc, i: int) -> str:
    return doc[i + 1].text.lower() if i + 1 < len(doc) else ""


def _full_name_follows(doc, i: int, words) -> bool:
    """ "Mark Jones": a listed first name, even an ordinary word, followed by a surname."""
    if doc[i].text.lower() not in name_lists.first_names() or i + 1 >= len(doc):
        return False
    after = doc[i + 1]
    lower = after.text.lower()
    surname = lower in name_lists.last_names() or lower not in words
    return name_shaped(after.text) and surname and lower not in NOT_NAMES and not after.is_stop
