"""REFI-QDA codebook import: another tool's codes become seed themes that guide the next build.

A seed is a theme row with status "seed", the staff's name and description (kept through every
build), the area of its parent code, and as its centroid the embedding of "name: description".
The next `qlab themes build` attaches the open extracts that match it (lab_app.themes.build); a seed
nothing matches waits, unchanged, for material that does.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from lab_app.exchange.refi_qda import CONSENT_GROUP, guid
from lab_app.themes.state import SEED_STATUS, add_seed_themes, load_state


@dataclass
class CodebookCode:
    """A codable code with no codes under it: one seed theme."""

    name: str
    description: str
    area: str
    guid: str


def read_codebook(path: Path, max_bytes: int) -> list[CodebookCode]:
    """The leaf codes of a .qdc codebook (or of the codebook inside a .qdpx project)."""
    suffix = path.suffix.lower()
    if suffix not in (".qdc", ".qdpx"):
        raise ValueError(f"{path.name} is not a REFI-QDA codebook: choose a .qdc (or .qdpx) file")
    try:
        data = (
            _qdpx_project(path, max_bytes) if suffix == ".qdpx" else _read_limited(path, max_bytes)
        )
    except OSError as err:
        raise ValueError(f"cannot read {path.name}: {err.strerror or err}") from err
    return parse_codebook(data, path.name)


def parse_codebook(data: bytes, name: str) -> list[CodebookCode]:
    # No entities, no DTDs, no network: a codebook from elsewhere is untrusted input.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise ValueError(f"{name} is not readable XML ({err}): export the codebook again") from err
    if etree.QName(root).localname == "Project":
        root = next((c for c in root if _local(c) == "CodeBook"), None)
    if root is None or _local(root) != "CodeBook":
        raise ValueError(f"{name} holds no REFI-QDA CodeBook: export it as a codebook (.qdc)")
    codes_element = next((c for c in root if _local(c) == "Codes"), None)
    found: list[CodebookCode] = []
    for code in _children(codes_element, "Code"):
        _collect(code, "", found)
    if not found:
        raise ValueError(f"{name} holds no codes to seed themes with")
    return found


def _collect(code, area: str, found: list[CodebookCode]) -> None:
    name = " ".join((code.get("name") or "").split())
    if code.get("guid") == guid("code", CONSENT_GROUP):
        return  # our own consent marker from a .qdpx, not a theme
    children = _children(code, "Code")
    if children:
        for child in children:
            _collect(child, name or area, found)
        return
    if not name or code.get("isCodable", "true").strip().lower() in ("false", "0"):
        return  # an empty category holds nothing to seed
    description = next((c.text or "" for c in code if _local(c) == "Description"), "")
    found.append(CodebookCode(name, description.strip(), area, code.get("guid") or ""))


def seed_themes(workspace, codes: list[CodebookCode], codebook: str) -> tuple[list[str], int]:
    """Add a seed theme per code whose name no active or seed theme has yet; return the new
    theme ids and how many codes were already there."""
    engine = workspace.store.engine
    state = load_state(engine)
    taken = {
        row["label"].casefold()
        for row in state.themes.values()
        if row["status"] in ("active", SEED_STATUS)
    }
    fresh: list[CodebookCode] = []
    for code in codes:
        if code.name.casefold() not in taken:
            taken.add(code.name.casefold())
            fresh.append(code)
    skipped = len(codes) - len(fresh)
    if not fresh:
        return [], skipped
    # "name: description", the way staff read a code; the name alone when it has none.
    texts = [f"{c.name}: {c.description}" if c.description else c.name for c in fresh]
    vectors = workspace.embedder.embed(texts)
    seeds = [
        {
            "label": code.name,
            "description": code.description,
            "area": code.area,
            "vector": vector,
            "details": {"seed": {"codebook": codebook, "guid": code.guid, "area": code.area}},
        }
        for code, vector in zip(fresh, vectors, strict=True)
    ]
    added = add_seed_themes(engine, seeds, codebook, already_present=skipped)
    return added, skipped


def _qdpx_project(path: Path, max_bytes: int) -> bytes:
    try:
        with zipfile.ZipFile(path) as archive:
            info = next((i for i in archive.infolist() if i.filename.endswith(".qde")), None)
            if info is None:
                raise ValueError(f"{path.name} holds no project.qde: is it a REFI-QDA project?")
            if info.file_size > max_bytes:
                raise ValueError(f"{path.name} is too large to import (over {max_bytes} bytes)")
            return archive.read(info)
    except zipfile.BadZipFile as err:
        raise ValueError(
            f"{path.name} is not a .qdpx (zip) file: export the project again"
        ) from err


def _read_limited(path: Path, max_bytes: int) -> bytes:
    if path.stat().st_size > max_bytes:
        raise ValueError(f"{path.name} is too large to import (over {max_bytes} bytes)")
    return path.read_bytes()


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element, name: str) -> list:
    return [] if element is None else [c for c in element if _local(c) == name]
