"""Redaction: each identifier type is caught, and ordinary numbers and dates are left alone."""

from collections import Counter

import pytest

from ingest.redact import nhs_number_is_valid, redact, redact_many, redact_path, redact_person


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("write to jo.bloggs+lab@example.co.uk please", "EMAIL"),
        ("text me on 07700 900123", "PHONE"),
        ("ring (0161) 496 0732 after six", "PHONE"),
        ("call +44 20 7946 0018", "PHONE"),
        ("my nhs number is 943 476 5919", "NHS_NUMBER"),
        ("NHS no. 9434765919", "NHS_NUMBER"),
        ("we meet at the library, BD5 9ZX, on thursdays", "POSTCODE"),
        ("post it to sw1a 1aa", "POSTCODE"),
        ("sign up at https://peer.example.org/events?ref=lab&uid=4471 today", "URL"),
        # Issue 15: each of these leaked from the regular expressions on main.
        ("ring 0044 20 7946 0960 after six", "PHONE"),
        ("text 447700900128 any time", "PHONE"),
        ("my mobile is 07700.900.130", "PHONE"),
        ("call +44-7700-900131", "PHONE"),
        ("NHS number 876.232.8603", "NHS_NUMBER"),
        ("NHS no 1290 404 798", "NHS_NUMBER"),
        ("we meet near LS1  4AP", "POSTCODE"),
        ("post it to ec1a-1bb", "POSTCODE"),
        ("write to zoë.brown@example.org", "EMAIL"),
        ("reset it at portal.nhs.uk/reset?token=8f3a9c2e71b4 today", "URL"),
    ],
)
def test_each_identifier_becomes_its_placeholder(text, label):
    redacted, counts = redact(text)
    assert f"[{label}]" in redacted
    assert counts[label] == 1
    assert sum(counts.values()) == 1


def test_no_part_of_a_unicode_address_is_kept():
    redacted, _ = redact("her address is zoë.brown@example.org")
    assert redacted == "her address is [EMAIL]"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Thought I'd say hello. I'm Sue and I've used services for years.", ["Sue"]),
        ("Thanks Donna! That really helps.", ["Donna"]),
        ("The nurse, Kath, sat with me all night.", ["Kath"]),
        ("liz · zoe · kath", ["liz", "zoe", "kath"]),
        ("Staff nurse Bola Adeyemi explained the medication properly.", ["Bola", "Adeyemi"]),
        ("My daughter Grace came with me to the appointment.", ["Grace"]),
        ("Sister O'Brien ran the ward like clockwork.", ["O'Brien"]),
    ],
)
def test_person_names_in_text_become_name(text, names):
    redacted, counts = redact(text)
    assert "[NAME]" in redacted and counts["NAME"] >= 1
    for name in names:
        assert name not in redacted


@pytest.mark.parametrize(
    "text",
    [
        "I hope the staff will show more grace next time.",
        "Will the clinic reopen after the summer?",
        "The Parkinson's nurse was a lifeline for my dad.",
        "The group meets in Leeds and Bradford on alternate weeks.",
        "Felt threatened by him, and not understood. Physio could be better.",
    ],
)
def test_ordinary_words_places_and_conditions_are_not_names(text):
    assert redact(text) == (text, Counter())


def test_file_names_lose_identifiers_and_names_but_keep_extension_and_folders():
    path = "feedback/from jane.smith@nhs.net 07700 900777.txt"
    assert redact_path(path) == "feedback/from [EMAIL] [PHONE].txt"
    assert redact_path("notes/Notes_for_Jane_Smith.docx") == "notes/Notes_for_[NAME].docx"
    assert redact_path("survey/peer-support-survey.csv") == "survey/peer-support-survey.csv"


def test_many_texts_at_once_match_one_at_a_time():
    texts = ["Thanks Donna!", "", "text 07700 900123", "Thanks Donna!", "nothing here"]
    assert redact_many(texts) == [redact(text) for text in texts]


def test_the_identifier_itself_is_gone():
    redacted, _ = redact("email me at sam@example.com or 07700 900456 (NHS 943 476 5919)")
    for leftover in ("sam@", "example.com", "900456", "5919"):
        assert leftover not in redacted


@pytest.mark.parametrize(
    "text",
    [
        "In 2025 we had 1200 people; 45% said 3 times a week.",
        "Survey ran 2026-03-09 to 10/04/2026, 420 responses.",
        "A ten digit number that fails the check: 123 456 7890.",
        "See https://www.example.org/about for more.",
        "Funding of £412,000 over 3 years for 11 grants.",
    ],
)
def test_ordinary_numbers_and_plain_urls_are_kept(text):
    redacted, counts = redact(text)
    assert redacted == text
    assert not counts


def test_nhs_modulus_11_check():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("1234567890")
    assert not nhs_number_is_valid("94347659")


def test_a_person_named_by_an_identifier_gets_a_stable_pseudonym():
    first, found = redact_person("jo.bloggs@example.org")
    assert first.startswith("person-") and "example" not in first and found["EMAIL"] == 1
    assert redact_person("jo.bloggs@example.org")[0] == first
    assert redact_person("other@example.org")[0] != first
    assert redact_person("Jo Bloggs") == ("Jo Bloggs", Counter())


@pytest.mark.parametrize(
    "text",
    [
        "call 01234567890www.example.com?a=1 or jo@example.org",
        "07700 900123, SW1A 1AA, https://x.org/?id=943 476 5919",
        "my nhs number 943 476 5919www.nhs.uk?q=1 thanks",
        "Hiya Sue, love that. Tam here. Thanks Donna and Kath and liz!",
        "Dr. Nkechi Okafor (nkechi.okafor@example.org, 07700 900123) saw Mr Hughes.",
    ],
)
def test_one_pass_of_redaction_catches_everything_a_second_would(text):
    once, _ = redact(text)
    assert redact(once) == (once, Counter())


def test_a_text_of_over_a_million_characters_is_redacted_in_pieces():
    filler = "the ward was calm and the tea was hot. " * 30_000  # 1.2 million characters
    text = "Ring 07700 900123. " + filler + "Thanks Donna, write to jo@example.org"
    redacted, counts = redact(text)
    assert counts == Counter({"PHONE": 1, "NAME": 1, "EMAIL": 1})
    assert redacted == "Ring [PHONE]. " + filler + "Thanks [NAME], write to [EMAIL]"
