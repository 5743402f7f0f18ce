"""Turn one file into a Source: parse, map, redact, chunk — pure, no store and no model."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ingest import chunking
from ingest.errors import EmptyFile, IngestError, TooLarge, UnsupportedFormat
from ingest.formats import DOCUMENT_PARSERS, REFUSED, TABULAR_SUFFIXES, parse_document
from ingest.mentions import redact_mentions
from ingest.records import Extract, SetAside, Source
from ingest.redact import redact, redact_many, redact_path, redact_person


@dataclass(frozen=True)
class IngestOptions:
    """What the user told us about the files: kind, survey column roles, a default date."""

    kind: str | None = None
    text_cols: tuple[str, ...] = ()
    attr_cols: tuple[str, ...] = ()
    id_col: str | None = None
    date_col: str | None = None
    author_col: str | None = None
    date: str | None = None
    password: str | None = None
    max_file_bytes: int = 200_000_000
    max_unpacked_bytes: int = 500_000_000
    # column -> role, applied last: lets a person take a guessed role away ("ignore").
    roles: dict = field(default_factory=dict)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_kind(path: Path, options: IngestOptions) -> str:
    """The kind a file becomes: the user's --kind, else by format and, for tables, by columns."""
    if options.kind:
        return options.kind
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_PARSERS:
        return "evidence"
    if suffix == ".json":
        return "contribution"
    if suffix in TABULAR_SUFFIXES:
        from ingest.contributions import looks_like_contributions
        from ingest.formats.tabular import read_tables

        tables = read_tables(path, options.max_unpacked_bytes)
        return "contribution" if any(looks_like_contributions(t) for t in tables) else "survey"
    raise UnsupportedFormat(REFUSED.get(suffix, f"unsupported format {suffix or '(no suffix)'}"))


def load_source(path: Path, display_path: str, content_hash: str, options: IngestOptions) -> Source:
    """Parse, redact and chunk one file into a Source whose extracts carry their provenance."""
    size = path.stat().st_size
    if size > options.max_file_bytes:
        raise TooLarge(
            f"{size / 1e6:.0f} MB is over the {options.max_file_bytes / 1e6:.0f} MB limit: "
            "split the file or raise QLAB_MAX_FILE_MB"
        )
    kind = detect_kind(path, options)
    if kind == "evidence":
        source = _document_source(path, options)
    elif kind == "survey":
        source = _survey_source(path, options)
    elif kind == "contribution":
        source = _contribution_source(path, options)
    else:
        raise IngestError(f"unknown kind {kind!r}: use evidence, survey or contribution")
    if not source.extracts and source.set_aside:
        raise EmptyFile(
            f"no answers to store: all {len(source.set_aside)} replies are blank or "
            "non-answers (such as 'Nothing' or 'N/A'); check the free-text column"
        )
    if not source.extracts:
        raise EmptyFile("no text found that could become extracts")
    fallback = options.date or source.date or _modified_date(path)
    for extract in source.extracts:
        extract.date = extract.date or fallback
    # The file name is shown and stored: "feedback from jo@x.org.txt" must not keep the address.
    source.path, source.content_hash, source.kind = redact_path(display_path), content_hash, kind
    source.date = source.date or options.date
    assign_ids(source)
    return source


def assign_ids(source: Source) -> None:
    """Give each extract an id from its source, place and text, so unchanged answers keep theirs.

    A survey re-exported with more respondents keeps the ids of the answers it already had,
    which is what lets themes and curation survive new material.
    """
    seen: Counter = Counter()
    for extract in source.extracts:
        if extract.kind == "survey":
            place = f"{extract.person}|{extract.question}"
        elif extract.kind == "contribution":
            place = extract.meta.get("id") or f"{extract.person}|{extract.date}"
        else:
            place = "doc"
        place += f"|{extract.meta.get('part', '')}|{extract.text}"
        seen[place] += 1  # identical passages in one source stay distinct
        key = f"{source.path}\x1f{place}\x1f{seen[place]}"
        extract.id = hashlib.sha256(key.encode()).hexdigest()[:20]


def _modified_date(path: Path) -> str:
    return date.fromtimestamp(path.stat().st_mtime).isoformat()


def _document_source(path: Path, options: IngestOptions) -> Source:
    if path.suffix.lower() == ".docx":
        from ingest.formats import docx

        document = docx.parse(
            path, password=options.password, max_unpacked_bytes=options.max_unpacked_bytes
        )
    else:
        document = parse_document(path, password=options.password)
    counts: Counter = Counter()
    texts: list[str] = []
    blocks = []
    cleaned = redact_many([block.text.strip() for block in document.blocks])
    for block, (text, found) in zip(document.blocks, cleaned, strict=True):
        counts.update(found)
        if text:
            texts.append(text)
            blocks.append(block)
    full_text, offsets = join_texts(texts)
    units: list[chunking.Span] = []
    for block, start, text in zip(blocks, offsets, texts, strict=True):
        units.extend(
            chunking.paragraph_units(
                full_text, start, start + len(text), block.page, block.paragraph
            )
        )
    extracts = [
        Extract(
            text=full_text[span.start : span.end],
            kind="evidence",
            start=span.start,
            end=span.end,
            page=span.page,
            paragraph=span.paragraph,
            date=document.date,
        )
        for span in chunking.pack(full_text, units)
    ]
    title, _ = redact(document.title) if document.title else (None, None)
    return Source(
        path="",
        kind="evidence",
        content_hash="",
        text=full_text,
        extracts=extracts,
        title=title,
        date=document.date,
        metadata=document.metadata,
        warnings=document.warnings,
        redactions=dict(counts),
    )


def _survey_source(path: Path, options: IngestOptions) -> Source:
    from ingest.formats.tabular import read_tables
    from ingest.respondents import mark_respondents
    from ingest.survey import apply_overrides, guess_mapping, survey_answers

    answers: list[Extract] = []
    set_aside: list[SetAside] = []
    warnings: list[str] = []
    no_text: list[str] = []
    for table in read_tables(path, options.max_unpacked_bytes):
        mapping = apply_overrides(
            guess_mapping(table),
            table.columns,
            table.column_ids,
            text_cols=options.text_cols,
            attr_cols=options.attr_cols,
            id_col=options.id_col,
            date_col=options.date_col,
            author_col=options.author_col,
        )
        mapping.update({c: r for c, r in options.roles.items() if c in mapping})
        warnings.extend(table.warnings)
        if "text" not in mapping.values():
            no_text.append(", ".join(table.columns[:12]))
            continue
        table_answers = survey_answers(table, mapping, set_aside)
        mark_respondents(table, table_answers)  # who each is, in the next export too
        answers.extend(table_answers)
    if not answers and not set_aside and no_text:
        raise EmptyFile(
            f"no free-text column found: name one with --text-col (columns: {no_text[0]})"
        )
    stem = path.stem
    for answer in answers:
        answer.person = f"{stem}/{answer.person}" if answer.person else f"{stem}/row{answer.row}"
    source = _assemble(answers, "survey", warnings)
    # Named as the answers' people are, so a withdrawal finds theirs among the counts too.
    source.set_aside = [
        replace(item, person=redact_person(f"{stem}/{item.person or f'row{item.row}'}")[0])
        for item in set_aside
    ]
    return source


def _contribution_source(path: Path, options: IngestOptions) -> Source:
    from ingest.contributions import read_contributions

    contributions = read_contributions(path, max_unpacked_bytes=options.max_unpacked_bytes)
    return _assemble(contributions, "contribution", [])


def join_texts(texts: list[str]) -> tuple[str, list[int]]:
    """Join texts with blank lines; return the whole and where each text starts in it."""
    offsets, position = [], 0
    for text in texts:
        offsets.append(position)
        position += len(text) + 2
    return "\n\n".join(texts), offsets


_TITLED = ("thread", "title")  # contribution fields shown as text beside the post


def _assemble(items: list[Extract], kind: str, warnings: list[str]) -> Source:
    """Redact each answer or post, split very long ones, and lay them out as one source text."""
    counts: Counter = Counter()
    cleaned: list[Extract] = []
    # One batch for every answer and one for every attribute value: the model reads batches fast.
    texts = redact_many([item.text.strip() for item in items])
    if kind == "contribution":
        # Forum posts name each other by handle ("@maple_and_moss", "I see what you mean maple").
        people, metas = [item.person for item in items], [item.meta for item in items]
        from ingest.pii import english_word  # the language model, loaded only when needed

        mentioned = redact_mentions([text for text, _ in texts], people, metas, english_word)
        pairs = zip(texts, mentioned, strict=True)
        texts = [(text, was + more) for (_, was), (text, more) in pairs]
    # Attribute values are categories (region, role, age band), not prose: a place such as
    # "Orkney" is not a name. A column that names people is marked as an identifier instead.
    values = [v for item in items for v in item.attributes.values()]
    values = iter(redact_many(values, names=False))
    # A forum thread's title is shown beside each post ("Welcome Sue!"): redacted like the text.
    titles = iter(redact_many([item.meta[k] for item in items for k in _TITLED if k in item.meta]))
    for item, (text, found) in zip(items, texts, strict=True):
        counts.update(found)
        attributes = {}
        for name in item.attributes:
            attributes[name], found = next(values)
            counts.update(found)
        meta = dict(item.meta)
        for key in (k for k in _TITLED if k in meta):
            meta[key], found = next(titles)
            counts.update(found)
        person = item.person
        if person:
            person = redact_person(person)[0]
        if text:
            cleaned.append(
                replace(item, text=text, kind=kind, attributes=attributes, person=person, meta=meta)
            )
    full_text, offsets = join_texts([item.text for item in cleaned])
    extracts: list[Extract] = []
    for item, start in zip(cleaned, offsets, strict=True):
        span = chunking.Span(start, start + len(item.text))
        spans = [span]
        # Survey answers stay whole unless very long; then they split at sentence ends.
        if chunking.word_count(item.text) > chunking.MAX_WORDS * 3 // 2:
            units = chunking.paragraph_units(full_text, span.start, span.end, None, None)
            spans = chunking.pack(full_text, units)
        for part, piece in enumerate(spans):
            meta = dict(item.meta, part=str(part)) if len(spans) > 1 else item.meta
            extracts.append(
                replace(
                    item,
                    text=full_text[piece.start : piece.end],
                    start=piece.start,
                    end=piece.end,
                    meta=meta,
                )
            )
    return Source(
        path="",
        kind=kind,
        content_hash="",
        text=full_text,
        extracts=extracts,
        warnings=warnings,
        redactions=dict(counts),
    )
