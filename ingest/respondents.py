"""Who answered a survey row, recognisable in the next export of the same survey: the survey by
its header (its question set, not its file name), the respondent by their id within it.

Withdrawal keys on these (lab_app/people/identity.py): a renamed export, a longer one (the same
rows plus new ones), or an upload (stored under a hash-prefixed name) names a respondent the
same way. Every answer's meta carries "survey" (the header's signature) and "respondent" (a
hash of the id, never the id).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ingest.records import Extract, Table

SIGNATURE_CHARS = 16
# An id this long, varied and unpadded (Qualtrics "R_2YPOQ602ER1jkf1", SurveyMonkey's
# "12024316473", a UUID) is issued once by its platform: it names the respondent in any
# survey, so a re-export that gained a question still recognises them. A short or padded id
# ("R3", "17", "RESP000003", "2026000001") is only unique within its survey.
DISTINCTIVE_CHARS = 10
DISTINCTIVE_VARIETY = 5
PADDING_RUN = re.compile(r"(.)\1{3}")  # the same character four times running


def header_signature(table: Table) -> str:
    """The survey's identity across exports: a hash of its column names (case, spacing and
    order ignored), so the same survey exported again under any file name matches."""
    names = sorted({_normal(name) for name in table.columns} - {""})
    digest = hashlib.sha256("\x1f".join(names).encode()).hexdigest()
    return digest[:SIGNATURE_CHARS]


def is_distinctive(respondent: str) -> bool:
    """True for ids a platform issues once (see DISTINCTIVE_CHARS)."""
    return (
        len(respondent) >= DISTINCTIVE_CHARS
        and len(set(respondent)) >= DISTINCTIVE_VARIETY
        and any(char.isdigit() for char in respondent)
        and not PADDING_RUN.search(respondent)
    )


def mark_respondents(table: Table, answers: list[Extract]) -> None:
    """Put the table's signature and each answer's respondent key in its meta. The key is a
    hash of the respondent id (or author): an id column may hold an e-mail address, which must
    not be stored. A short id, or the row number when there is none, also carries the row's
    date ("…|2026-03-02"), so two surveys built from one template are not confused; a
    distinctive id's key is bare, and stands alone (people/identity.py)."""
    signature = header_signature(table)
    for answer in answers:
        given = " ".join((answer.person or "").split())
        if given and is_distinctive(given):
            respondent = pseudonym(given)
        else:
            respondent = f"{pseudonym(given or f'row{answer.row}')}|{answer.date or ''}"
        answer.meta["survey"] = signature
        answer.meta["respondent"] = respondent


def pseudonym(respondent: str) -> str:
    """How a respondent id is kept in an answer's meta: never the id itself."""
    return "r-" + hashlib.sha256(f"respondent\x1f{respondent}".encode()).hexdigest()[:20]


def _normal(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
