"""Word .docx parser (python-docx): body paragraphs and table rows in order, then headers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ingest.errors import EmptyFile, EncryptedFile, IngestError
from ingest.formats.package_limits import check_package
from ingest.formats.textclean import clean_line, iso_date, one_line, os_error_reason
from ingest.records import Block, ParsedDocument

SUFFIXES = (".docx",)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Office puts a password-protected .docx inside an OLE file with an "EncryptionInfo" stream.
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_RESAVE = "save it again from Word as .docx"


def _unreadable(detail: str) -> str:
    return f"not a readable .docx: {detail}; {_RESAVE}"


def parse(
    path: Path, password: str | None = None, max_unpacked_bytes: int = 200_000_000
) -> ParsedDocument:
    """Parse a .docx; refuses encrypted, non-zip and oversized packages before opening them."""
    _check_package(path, max_unpacked_bytes)
    try:
        document = docx.Document(str(path))
        texts = _container_texts(document.element.body, document._body)
        texts += _header_footer_texts(document)
        title, date, metadata = _properties(document)
        title = title or _first_heading(document)
    except IngestError:
        raise
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors, … on damage
        raise IngestError(_unreadable(one_line(exc, 100))) from exc
    if not texts:
        raise EmptyFile("no text found: the document holds no text (images only?); add the text")
    blocks = [Block(text=t, paragraph=i) for i, t in enumerate(texts)]
    return ParsedDocument(blocks, title=title, date=date, metadata=metadata)


def _check_package(path: Path, max_unpacked_bytes: int) -> None:
    """Refuse OLE (encrypted or legacy) files, garbage and zip bombs without unpacking."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if not head:
                raise EmptyFile(
                    "no text found: the file is empty (0 bytes); check it is the right file"
                )
            if head == _OLE_MAGIC:
                if _ENCRYPTION_INFO in handle.read(1_000_000):
                    raise EncryptedFile("encrypted: remove the password in Word and save again")
                raise IngestError(f"a legacy Word .doc file named .docx: {_RESAVE}")
        with path.open("rb") as handle:
            check_package(handle, max_unpacked_bytes, "document")  # before unpacking
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
    except OSError as exc:
        raise IngestError(os_error_reason(exc)) from exc
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:  # not a zip at all
        raise IngestError(_unreadable("not a zip package")) from exc
    if "[Content_Types].xml" not in names:
        raise IngestError(_unreadable("a zip, but not a Word package"))


def _paragraph_text(paragraph: Paragraph) -> str:
    return clean_line(" ".join(paragraph.text.split("\n")))


def _row_text(row, table: Table) -> str:
    """Cells joined by " | ", skipping empty cells and the copies merged cells leave."""
    cells: list[str] = []
    for tc in row.tc_lst:
        if tc.vMerge == "continue":  # continuation of a vertical merge: text is in the row above
            continue
        text = clean_line(" ".join(_Cell(tc, table).text.split()))
        if text and (not cells or cells[-1] != text):
            cells.append(text)
    return " | ".join(cells)


def _container_texts(element, parent) -> list[str]:
    """Walk a body/header/footer element's children: paragraphs, tables, content controls."""
    texts: list[str] = []
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            if text := _paragraph_text(Paragraph(child, parent)):
                texts.append(text)
        elif child.tag == qn("w:tbl"):
            table = Table(child, parent)
            texts.extend(t for row in child.tr_lst if (t := _row_text(row, table)))
        elif child.tag == qn("w:sdt"):  # content controls wrap ordinary paragraphs and tables
            for content in child.iterchildren(qn("w:sdtContent")):
                texts.extend(_container_texts(content, parent))
    return texts


def _header_footer_texts(document) -> list[str]:
    """Each distinct header/footer text once, however many sections repeat it."""
    seen: set[str] = set()
    texts: list[str] = []
    for section in document.sections:
        parts = (
            section.first_page_header,
            section.header,
            section.even_page_header,
            section.first_page_footer,
            section.footer,
            section.even_page_footer,
        )
        for part in parts:
            if part.is_linked_to_previous:  # no definition of its own: nothing new to read
                continue
            for text in _container_texts(part._element, part):
                if text not in seen:
                    seen.add(text)
                    texts.append(text)
    return texts


def _properties(document) -> tuple[str | None, str | None, dict[str, str]]:
    """Title, date and metadata from core properties, if the package has that part."""
    try:
        document.part.package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:  # python-docx would invent defaults ("Word Document"); ignore those
        return None, None, {}
    core = document.core_properties
    metadata = {
        name: clean_line(str(value))
        for name in ("author", "subject", "keywords", "category", "created", "modified")
        if (value := getattr(core, name, None)) and clean_line(str(value))
    }
    title = clean_line(core.title or "") or None
    return title, iso_date(core.created) or iso_date(core.modified), metadata


def _first_heading(document) -> str | None:
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else None) or ""
        if (style == "Title" or style.startswith("Heading")) and (
            text := _paragraph_text(paragraph)
        ):
            return text
    return None
