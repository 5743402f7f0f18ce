"""HTML parser: the page's main text as blocks, without navigation, scripts or hidden parts."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, CData, NavigableString, Tag

from ingest.errors import EmptyFile, IngestError
from ingest.formats.textclean import clean_line, iso_date, normalise_space, one_line, read_bytes
from ingest.records import Block, ParsedDocument

SUFFIXES = (".html", ".htm")

_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "head",
    "object",
    "embed",
    "canvas",
    "button",
    "select",
]
_DROP_ROLES = {"navigation", "banner", "contentinfo"}
# Elements that become one block each (table rows are handled as a unit).
_LEAF_BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "dd", "dt"}
_LEAF_BLOCKS |= {"figcaption", "caption", "tr"}
# Elements that only group blocks; text directly inside them still becomes a block.
_CONTAINERS = {"html", "body", "main", "article", "section", "div", "ul", "ol", "dl", "table"}
_CONTAINERS |= {"thead", "tbody", "tfoot", "figure", "details", "summary", "address", "hr"}
_CONTAINERS |= {"center", "fieldset", "hgroup"}
_BLOCKISH = _LEAF_BLOCKS | _CONTAINERS
_DATE_META = {"article:published_time", "date", "dc.date", "dc.date.issued", "dcterms.date"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def parse(path: Path, password: str | None = None) -> ParsedDocument:
    """Parse an HTML file; `password` is accepted for the common signature and ignored."""
    data = read_bytes(path)
    if not data.strip():
        raise EmptyFile("no text found: the file is empty")
    try:
        soup = BeautifulSoup(data, "lxml")  # bytes in, so the charset meta/BOM is honoured
    except Exception as exc:  # lxml and bs4 raise assorted types on damaged input
        raise IngestError(f"not readable HTML ({one_line(exc)}): save the page again") from exc
    title, date = _title(soup), _date(soup)
    _prune(soup)
    root = soup.find("main") or soup.find("article") or soup.body or soup
    texts: list[str] = []
    _walk(root, texts)
    blocks = [Block(text=t, paragraph=i) for i, t in enumerate(texts)]
    if not blocks:
        raise EmptyFile("no text found: the page has no main text; save or export it as text")
    return ParsedDocument(blocks, title=title, date=date)


def _title(soup: BeautifulSoup) -> str | None:
    for tag in (soup.title, soup.find("h1")):
        if tag is not None and (text := normalise_space(tag.get_text())):
            return text
    return None


def _date(soup: BeautifulSoup) -> str | None:
    for meta in soup.find_all("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _DATE_META and (date := iso_date(meta.get("content") or "")):
            return date
    time = soup.find("time", attrs={"datetime": True})
    return iso_date(time["datetime"]) if time is not None else None


def _is_hidden(tag: Tag) -> bool:
    attrs = tag.attrs or {}
    return (
        "hidden" in attrs
        or str(attrs.get("aria-hidden", "")).lower() == "true"
        or str(attrs.get("role", "")).lower() in _DROP_ROLES
        or bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))
    )


def _prune(soup: BeautifulSoup) -> None:
    """Remove everything that is not reading text before choosing the main element."""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        if not tag.decomposed:  # a hidden parent may already have taken it
            tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")


def _inline_text(node: Tag | NavigableString) -> str:
    """Text of inline content; comments and other non-text strings are skipped."""
    if isinstance(node, NavigableString):
        return str(node) if type(node) in (NavigableString, CData) else ""
    return node.get_text()


def _row_text(row: Tag) -> str:
    cells = [normalise_space(c.get_text()) for c in row.find_all(["td", "th"], recursive=False)]
    out: list[str] = []
    for cell in cells:  # colspan copies and empty cells add nothing
        if cell and (not out or out[-1] != cell):
            out.append(cell)
    return " | ".join(out)


def _walk(node: Tag, out: list[str]) -> None:
    """Emit one text per block element; inline runs between blocks become blocks too."""
    run: list[str] = []

    def flush() -> None:
        text = normalise_space("".join(run))
        if text:
            out.append(text)
        run.clear()

    for child in node.children:
        if not isinstance(child, Tag):
            run.append(_inline_text(child))
            continue
        name = child.name
        nested = child.find(_BLOCKISH) is not None
        if name not in _BLOCKISH and not nested:
            run.append(child.get_text())
            continue
        flush()
        if name == "tr" and not child.find("table"):
            if row := _row_text(child):
                out.append(row)
        elif name == "pre" and not nested:
            lines = (clean_line(line) for line in child.get_text().split("\n"))
            if text := "\n".join(line for line in lines if line):
                out.append(text)
        elif name in _LEAF_BLOCKS and not nested:
            if text := normalise_space(child.get_text()):
                out.append(text)
        else:  # a container, or a block holding other blocks: their text once, in order
            _walk(child, out)
    flush()
