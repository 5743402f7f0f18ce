"""Word lists for name detection: first names and surnames (Faker), English words (WordNet)."""

from __future__ import annotations

import functools
import importlib


# Faker's person providers for the languages a UK health-and-care Lab hears most often.
# Only Latin-script names are kept: the texts are English.
def _words(text: str) -> list[str]:
    return text.split()


LOCALES = tuple(
    _words(
        "en_GB en_IE ga_IE en_US en_IN en_PK en_NG yo_NG ig_NG tw_GH zu_ZA pl_PL ro_RO lt_LT "
        "cs_CZ sk_SK hu_HU pt_PT pt_BR it_IT es_ES fr_FR de_DE nl_NL tr_TR"
    )
)
# Short forms people use in the UK that Faker's lists lack ("thanks liz", "Kath on nights").
SHORT_FORMS = frozenset(
    _words(
        "liz lizzie kath kathy pat pam bev deb debs kev gaz mags jojo tam shaz baz del sandeep "
        "nkechi bola chidi kemi tunde wole femi yinka dapo jas jaz raj sunil anil rakesh priya "
        "aisling niamh siobhan sinead saoirse ciara roisin oisin cathal padraig eilidh morag "
        "kirsty shona ailsa hamish fraser lachlan rhys dylan cerys carys bethan gethin owain "
        "steff gwen wojtek kasia gosia magda bartek will bill bob rob sue tom jack ben dan sam max "
        "ray jo di viv val chris nick ted pete jim mike mick mo sid fi jen"
    )
)


def _latin(name: str) -> bool:
    return (
        name.isascii()
        and name.replace("-", "").replace("'", "").isalpha()
        or all("LATIN" in _char_name(c) for c in name if c.isalpha())
    )


def _char_name(char: str) -> str:
    import unicodedata

    return unicodedata.name(char, "")


def _names(attributes: tuple[str, ...], locales=LOCALES) -> frozenset[str]:
    found: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in attributes:
            values = getattr(provider, attribute, None) or ()
            found.update(v.lower() for v in values if _latin(v) and len(v) > 1)
    return frozenset(found)


@functools.cache
def first_names() -> frozenset[str]:
    """Lower-case first names: Faker's for the LOCALES plus common UK short forms."""
    attributes = ("first_names", "first_names_female", "first_names_male", "first_names_nonbinary")
    return _names(attributes) | SHORT_FORMS


@functools.cache
def english_first_names() -> frozenset[str]:
    """First names from the English-speaking locales and the short forms: the ones people also
    write in lower case ("thanks liz"). Other lists hold short names that are English fragments."""
    english = [locale for locale in LOCALES if locale.startswith("en_")]
    attributes = ("first_names", "first_names_female", "first_names_male", "first_names_nonbinary")
    return _names(attributes, english) | SHORT_FORMS


@functools.cache
def all_names() -> frozenset[str]:
    """First names and surnames together."""
    return first_names() | last_names()


@functools.cache
def last_names() -> frozenset[str]:
    """Lower-case surnames from Faker's lists for the LOCALES."""
    return _names(("last_names",))


class EnglishWords:
    """WordNet's words and inflection rules, from the spaCy model's lemmatiser tables."""

    def __init__(self, nlp) -> None:
        lookups = nlp.get_pipe("lemmatizer").lookups
        self.words = frozenset(w for pos in lookups.get_table("lemma_index").values() for w in pos)
        self.forms = frozenset(f for pos in lookups.get_table("lemma_exc").values() for f in pos)
        # Verbs and their irregular forms: "Will you …", "Hope you …", "Rose I …" open with one.
        verbs = lookups.get_table("lemma_index").get("verb", [])
        self.verbs = frozenset(verbs) | frozenset(lookups.get_table("lemma_exc").get("verb", {}))
        rules = lookups.get_table("lemma_rules").values()
        self.suffixes = tuple((old, new) for pos in rules for old, new in pos if old)
        self._seen: dict[str, bool] = {}

    def __contains__(self, lower: str) -> bool:
        """An ordinary English word or an inflection of one ("felt", "rang", "clearer")."""
        found = self._seen.get(lower)
        if found is None:
            found = (
                lower in self.words
                or lower in self.forms
                or any(
                    lower.endswith(old) and lower[: -len(old)] + new in self.words
                    for old, new in self.suffixes
                    if len(lower) > len(old) + 1
                )
            )
            if len(self._seen) < 200_000:
                self._seen[lower] = found
        return found


_WORDS: dict[int, EnglishWords] = {}


def english_words(nlp) -> EnglishWords:
    """The word list for this spaCy model, built once."""
    if id(nlp) not in _WORDS:
        _WORDS[id(nlp)] = EnglishWords(nlp)
    return _WORDS[id(nlp)]
