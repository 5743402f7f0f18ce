"""Redaction at ingest: identifiers and names become typed placeholders before anything is stored.

Detection is Microsoft Presidio's (ingest/pii.py, ingest/names.py); this module merges what it
finds, replaces it and counts it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = [
    "find_spans",
    "nhs_number_is_valid",
    "redact",
    "redact_many",
    "redact_path",
    "redact_person",
]

# Presidio's entity names -> our placeholders. Several recognisers may feed one placeholder.
LABELS = {
    "URL": "URL",
    "SECRET_URL": "URL",
    "EMAIL_ADDRESS": "EMAIL",
    "UK_NHS": "NHS_NUMBER",
    "PHONE_NUMBER": "PHONE",
    "UK_POSTCODE": "POSTCODE",
    "PERSON": "NAME",
}

# When findings overlap, their union is replaced once; equal-length findings take the first of
# these: ten digits that pass the NHS check are an NHS number even when they could be dialled.
PRIORITY = ("URL", "EMAIL", "NHS_NUMBER", "PHONE", "POSTCODE", "NAME")
BATCH = 256  # texts per spaCy batch: short survey answers go through nlp.pipe together
PIECE = 20_000  # characters: longer texts are read in pieces cut at line or word breaks
_MAX_ROUNDS = 4  # a replacement can reveal a name to the model; stop once nothing new is found


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number modulus-11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def uk_phone_digits_ok(text: str) -> bool:
    """A UK number once its prefix is normalised: 0 plus 9 or 10 digits, in a range people give."""
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0044"):
        digits = "0" + digits[4:].lstrip("0")  # 0044 (0)20 ... keeps one 0
    elif digits.startswith("44") and not text.lstrip().startswith("0"):
        digits = "0" + digits[2:].lstrip("0")
    return len(digits) in (10, 11) and digits[:2] in {"01", "02", "03", "05", "07", "08"}


def redact(text: str, names: bool = True) -> tuple[str, Counter]:
    """Replace identifiers with [URL], [EMAIL], [NHS_NUMBER], [PHONE], [POSTCODE] and person
    names with [NAME] (unless names=False); count each."""
    return redact_many([text], names=names)[0]


def redact_many(texts: Sequence[str], names: bool = True) -> list[tuple[str, Counter]]:
    """redact() for many texts at once: the model reads them in batches, which is much faster."""
    done: list[tuple[str, Counter]] = [(text, Counter()) for text in texts]
    pending = [i for i, text in enumerate(texts) if text and text.strip()]
    for _ in range(_MAX_ROUNDS):
        if not pending:
            break
        found = _analyze([done[i][0] for i in pending], names)
        still = []
        for i, spans in zip(pending, found, strict=True):
            if spans:
                text, counts = done[i]
                done[i] = (_replace(text, spans), counts + Counter(label for _, _, label in spans))
                still.append(i)
        pending = still
    return done


def redact_person(person: str) -> tuple[str, Counter]:
    """A person's name as stored: one given as an e-mail or phone number becomes a stable
    pseudonym ("person-" and a hash), so their items stay together without the identifier.
    A chosen handle or plain name is not text to redact: it is how a Lab tells people apart."""
    cleaned, found = redact(person, names=False)
    if found:
        cleaned = "person-" + hashlib.sha256(person.encode()).hexdigest()[:10]
    return cleaned, found


_HASH_PREFIX = re.compile(r"^[0-9a-f]{12}-")


def redact_path(path: str) -> str:
    """A source's display path with identifiers and names in its folder and file names replaced,
    keeping the separators and the extension: "in/[NAME] notes [PHONE].txt"."""
    if not path:
        return path
    parts = path.split("/")
    stem, suffix = _split_suffix(parts[-1])
    # An upload's name starts with our content hash (lab_app/material/uploads.py): never
    # personal, and all digits now and then, which would read as an NHS number.
    kept = _HASH_PREFIX.match(stem)
    kept = kept.group(0) if kept else ""
    pieces = [*parts[:-1], stem[len(kept) :]]
    # "_" and "+" join words in file names; read them as spaces (same length, so offsets hold).
    readable = [re.sub(r"[_+]", " ", piece) for piece in pieces]
    found = _analyze(readable, names=True)
    cleaned = [_replace(piece, spans) for piece, spans in zip(pieces, found, strict=True)]
    cleaned[-1] = kept + cleaned[-1]
    return "/".join(cleaned) + suffix


def find_spans(texts: Sequence[str], names: bool = True) -> list[list[tuple[int, int, str]]]:
    """What one round of detection finds in each text: (start, end, label), merged, in order."""
    return _analyze(list(texts), names)


def _split_suffix(name: str) -> tuple[str, str]:
    match = re.search(r"\.[A-Za-z][A-Za-z0-9]{0,4}$", name)
    if not match or "@" in name[match.start() :] or match.start() == 0:
        return name, ""
    return name[: match.start()], match.group(0)


def _analyze(texts: list[str], names: bool) -> list[list[tuple[int, int, str]]]:
    """Presidio's findings per text as merged (start, end, label) spans. Each distinct text is
    read once, long texts in pieces, and only pieces that may hold a name go through the
    language model."""
    from ingest.pii import analyzer, may_hold_name

    distinct = list(dict.fromkeys(texts))
    pieces = list(dict.fromkeys(p for t in distinct for _, p in _pieces(t)))
    with_names = [p for p in pieces if names and may_hold_name(p)]
    found = dict(zip(with_names, _run(analyzer(True), with_names), strict=True))
    rest = [p for p in pieces if p not in found]
    found.update(zip(rest, _run(analyzer(False), rest), strict=True))
    whole = {
        text: [
            (at + s, at + e, label) for at, piece in _pieces(text) for s, e, label in found[piece]
        ]
        for text in distinct
    }
    return [whole[text] for text in texts]


def _pieces(text: str) -> list[tuple[int, str]]:
    """A long text cut into pieces of at most PIECE characters, with where each starts: spaCy
    refuses texts over a million characters and slows long before. Cuts fall at a line break,
    else a sentence end, else a space: an identifier is cut in two only in a line of 10,000
    characters without a sentence end."""
    out, start = [], 0
    while len(text) - start > PIECE:
        end = start + PIECE
        cut = next(
            (
                at + len(sep)
                for sep in ("\n", ". ", " ")
                if (at := text.rfind(sep, start, end)) > start + PIECE // 2
            ),
            end,
        )
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


def _run(engine, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    from presidio_analyzer import BatchAnalyzerEngine  # Presidio loads torch: import when used

    if not texts:
        return []
    results = BatchAnalyzerEngine(engine).analyze_iterator(texts, language="en", batch_size=BATCH)
    return [_merge(found) for found in results]


def _merge(results: Iterable) -> list[tuple[int, int, str]]:
    """Overlapping findings become one span, named by the longest finding in it (a phone number
    holding ten digits that pass the NHS check is a phone number), ties by PRIORITY."""
    spans = sorted((r.start, r.end, LABELS[r.entity_type]) for r in results if r.end > r.start)
    merged: list[tuple[int, int, str, tuple]] = []
    for start, end, label in spans:
        rank = (end - start, -PRIORITY.index(label))
        if merged and start < merged[-1][1]:
            first, last, best, best_rank = merged[-1]
            if rank > best_rank:
                best, best_rank = label, rank
            merged[-1] = (first, max(last, end), best, best_rank)
        else:
            merged.append((start, end, label, rank))
    return [(start, end, label) for start, end, label, _ in merged]


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    pieces, position = [], 0
    for start, end, label in spans:
        pieces.append(text[position:start])
        pieces.append(f"[{label}]")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
