"""Redaction at ingest: personal identifiers become typed placeholders before anything is stored."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

# Order matters: a URL can hold an e-mail address, and an NHS number looks like a phone number.
# A URL starts anywhere not inside a word: after a digit too ("…07700900123www.x.org?a=1"), or
# the phone rule would take the digits first and leave the address for a second pass.
URL = re.compile(r"(?<![A-Za-z])(?:https?://|www\.)[^\s<>\"')\]]*\?[^\s<>\"')\]]+", re.IGNORECASE)
EMAIL = re.compile(r"\b[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
TEN_DIGITS = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)"  # +44, +44 (0), 0 or (0
    r"(?:\d[\s\-)]{0,2}){8,9}\d(?!\d)"
)
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number modulus-11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _phone_digits_ok(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    if digits.startswith("44"):
        digits = "0" + digits[2:].lstrip("0")
    # UK numbers are 0 plus 9 or 10 digits; 01/02/03/07/08 are the ranges people give out.
    return len(digits) in (10, 11) and digits[:2] in {"01", "02", "03", "07", "08"}


def redact(text: str) -> tuple[str, Counter]:
    """Replace identifiers with [URL], [EMAIL], [NHS_NUMBER], [PHONE], [POSTCODE]; count each."""
    counts: Counter = Counter()

    def sub(pattern: re.Pattern, label: str, accept=lambda m: True) -> None:
        nonlocal text

        def replace(match: re.Match) -> str:
            if not accept(match):
                return match.group(0)
            counts[label] += 1
            return f"[{label}]"

        text = pattern.sub(replace, text)

    sub(URL, "URL")
    sub(EMAIL, "EMAIL")
    sub(TEN_DIGITS, "NHS_NUMBER", lambda m: nhs_number_is_valid("".join(m.groups())))
    sub(PHONE, "PHONE", lambda m: _phone_digits_ok(m.group(0)))
    sub(POSTCODE, "POSTCODE")
    return text, counts


def redact_person(person: str) -> tuple[str, Counter]:
    """A person's name as stored: one given as an e-mail or phone number becomes a stable
    pseudonym ("person-" and a hash), so their items stay together without the identifier."""
    cleaned, found = redact(person)
    if found:
        cleaned = "person-" + hashlib.sha256(person.encode()).hexdigest()[:10]
    return cleaned, found
