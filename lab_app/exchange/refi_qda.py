"""REFI-QDA export: a codebook (.qdc) and a whole project (.qdpx) for NVivo, ATLAS.ti, MAXQDA
and QualCoder, valid against the QDA-XML 1.0 schemas.

Areas are parent codes, themes the codes under them; extracts are PlainTextSelections at their
character offsets in their source's stored text, coded with their theme; respondents are cases
with their attributes as variables. Every GUID is a uuid5 of a workspace id, so exporting the
same workspace twice gives the same file, byte for byte.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from lab_app.core.audit import as_utc
from lab_app.core.schema import ideas
from lab_app.exchange.gather import (
    by_area,
    codebook_themes,
    coded_sources,
    respondent_attributes,
    theme_of_extract,
)
from lab_app.material.consent import may_quote
from lab_app.themes.state import history_for

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = "Q Lab Workspace"
# One fixed namespace: the same workspace id always gives the same GUID.
GUID_SPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qlab-workspace:refi-qda")
# Our own code group marking extracts that must not be quoted (consent); import skips it.
CONSENT_GROUP = "Consent"
NOT_FOR_QUOTATION = "Not for quotation"
# Zip entries carry this date so that re-exports diff cleanly (zip needs a date >= 1980).
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
# Characters XML 1.0 cannot hold; replaced one for one so character offsets stay right.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def guid(kind: str, key: object) -> str:
    return str(uuid.uuid5(GUID_SPACE, f"{kind}:{key}"))


def xml_text(text: str | None) -> str:
    """Text an XML document can hold, the same length as the original."""
    return _NOT_XML.sub(" ", text or "")


def export_codebook(workspace, out: Path) -> str:
    """Write the themes as a REFI-QDA codebook; return the line to print."""
    themes = codebook_themes(workspace.store.engine)
    if not themes:
        raise ValueError("there are no themes to export: run `qlab themes build` first")
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin=ORIGIN)
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _add_codes(codes, CODEBOOK_NS, themes, notes={})
    _write_xml(root, out)
    areas = len({t.area for t in themes if t.area})
    return f"wrote a codebook of {len(themes)} themes in {areas} areas to {out}"


def _add_codes(parent, ns: str, themes, notes: dict[str, list[str]]) -> None:
    """Area codes (not codable themselves) holding theme codes with their descriptions."""
    for area, members in by_area(themes).items():
        holder = parent
        if area:
            holder = _element(parent, ns, "Code", guid=guid("area", area), name=area)
            holder.set("isCodable", "false")
        for theme in members:
            code = _element(holder, ns, "Code", guid=guid("theme", theme.id), name=theme.label)
            code.set("isCodable", "true")
            if theme.description:
                _element(code, ns, "Description").text = xml_text(theme.description)
            for note_guid in notes.get(theme.id, []):
                _element(code, ns, "NoteRef", targetGUID=note_guid)


def export_project(workspace, out: Path) -> str:
    """Write sources, coded extracts, codes, cases and notes as a .qdpx; return the line."""
    engine = workspace.store.engine
    documents = coded_sources(engine)
    if not documents:
        raise ValueError("the workspace holds no sources: ingest material first")
    themes = codebook_themes(engine)
    placed = theme_of_extract(engine)
    all_ids = [e[0] for d in documents for e in d.extracts]
    unquotable = set(all_ids) - may_quote(engine, all_ids)
    people = respondent_attributes(engine)

    P = PROJECT_NS
    root = etree.Element(f"{{{P}}}Project", nsmap={None: P}, name=ORIGIN, origin=ORIGIN)
    user = guid("user", ORIGIN)
    root.set("creatingUserGUID", user)
    users = _element(root, P, "Users")
    _element(users, P, "User", guid=user, name=ORIGIN)

    theme_notes, notes = _theme_notes(engine, themes)
    if themes or unquotable:
        codes = _element(_element(root, P, "CodeBook"), P, "Codes")
        _add_codes(codes, P, themes, theme_notes)
        if unquotable:
            _add_consent_codes(codes)

    selections_of: dict[str, list[str]] = {}
    source_elements = [
        _text_source(document, placed, unquotable, user, selections_of) for document in documents
    ]
    _add_cases(root, people, selections_of)
    sources_element = _element(root, P, "Sources")
    for element, _text in source_elements:
        sources_element.append(element)

    idea_notes = _idea_notes(engine)
    notes.extend(idea_notes)
    if notes:
        holder = _element(root, P, "Notes")
        for note_guid, name, text in notes:
            note = _element(holder, P, "Note", guid=note_guid, name=name)
            _element(note, P, "PlainTextContent").text = xml_text(text)
    _element(root, P, "Description").text = "Exported from Q Lab Workspace."
    for note_guid, _name, _text in idea_notes:  # ideas are about the Lab as a whole
        _element(root, P, "NoteRef", targetGUID=note_guid)

    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _zip_write(archive, "project.qde", _xml_bytes(root))
        for element, text in source_elements:
            name = element.get("plainTextPath").removeprefix("internal://")
            _zip_write(archive, f"sources/{name}", text.encode("utf-8"))
    coded = sum(1 for extract_id in all_ids if extract_id in placed)
    return (
        f"wrote {len(documents)} sources, {len(all_ids)} extracts ({coded} coded with "
        f"{len(themes)} themes), {len(selections_of)} cases to {out}"
    )


def _add_consent_codes(codes) -> None:
    """A "Consent" group with the code marking extracts that may not be quoted."""
    group = _element(codes, PROJECT_NS, "Code", guid=guid("code", CONSENT_GROUP))
    group.set("name", CONSENT_GROUP)
    group.set("isCodable", "false")
    _element(group, PROJECT_NS, "Description").text = "What participants agreed to."
    code = _element(group, PROJECT_NS, "Code", guid=guid("code", NOT_FOR_QUOTATION))
    code.set("name", NOT_FOR_QUOTATION)
    code.set("isCodable", "true")
    description = "Extracts that may not be quoted in what the Lab publishes."
    _element(code, PROJECT_NS, "Description").text = description


def _text_source(document, placed, unquotable, user, selections_of):
    """A TextSource element (and its text) with one selection per extract."""
    P = PROJECT_NS
    source_guid = guid("source", document.path)
    text = xml_text(document.text)
    element = etree.Element(f"{{{P}}}TextSource")
    element.set("guid", source_guid)
    element.set("name", xml_text(document.title or document.path))
    element.set("plainTextPath", f"internal://{source_guid}.txt")
    element.set("creatingUser", user)
    element.set("creationDateTime", _when(document.ingested_at))
    about = [document.path, document.kind] + ([document.date] if document.date else [])
    _element(element, P, "Description").text = xml_text(" · ".join(about))
    for extract_id, start, end, person in document.extracts:
        selection_guid = guid("extract", extract_id)
        selection = _element(
            element,
            P,
            "PlainTextSelection",
            guid=selection_guid,
            name=extract_id,
            startPosition=str(start),
            endPosition=str(end),
        )
        for code_key in _codes_of(extract_id, placed, unquotable):
            coding = _element(selection, P, "Coding", guid=guid(f"coding:{code_key}", extract_id))
            _element(coding, P, "CodeRef", targetGUID=guid(*code_key.split(":", 1)))
        if person:
            selections_of.setdefault(person, []).append(selection_guid)
    return element, text


def _codes_of(extract_id: str, placed: dict, unquotable: set) -> list[str]:
    keys = []
    if extract_id in placed:
        keys.append(f"theme:{placed[extract_id]}")
    if extract_id in unquotable:
        keys.append(f"code:{NOT_FOR_QUOTATION}")
    return keys


def _add_cases(root, people: dict, selections_of: dict) -> None:
    """Respondents as cases, their attributes as text variables, their extracts referenced."""
    P = PROJECT_NS
    persons = sorted(set(selections_of))
    if not persons:
        return
    names = sorted({name for p in persons for name in people.get(p, {})})
    if names:
        variables = _element(root, P, "Variables")
        for name in names:
            _element(variables, P, "Variable", guid=guid("variable", name), name=xml_text(name))
            variables[-1].set("typeOfVariable", "Text")
    cases = _element(root, P, "Cases")
    for person in persons:
        case = _element(cases, P, "Case", guid=guid("case", person), name=xml_text(person))
        for name, value in sorted(people.get(person, {}).items()):
            holder = _element(case, P, "VariableValue")
            _element(holder, P, "VariableRef", targetGUID=guid("variable", name))
            _element(holder, P, "TextValue").text = xml_text(value)
        for selection_guid in selections_of[person]:
            _element(case, P, "SelectionRef", targetGUID=selection_guid)


def _theme_notes(engine, themes) -> tuple[dict[str, list[str]], list[tuple[str, str, str]]]:
    """Each theme's description, and a memo of what the workspace knows about it (key
    phrases, attributes commoner in it, its dated history), as notes the code refers to."""
    refs: dict[str, list[str]] = {}
    notes: list[tuple[str, str, str]] = []
    for theme in themes:
        if theme.description:
            note = guid("note:description", theme.id)
            notes.append((note, f"{theme.label}: description", theme.description))
            refs.setdefault(theme.id, []).append(note)
        memo = _memo(engine, theme)
        note = guid("note:memo", theme.id)
        notes.append((note, f"{theme.label}: memo", memo))
        refs.setdefault(theme.id, []).append(note)
    return refs, notes


def _memo(engine, theme) -> str:
    lines = [f"Theme {theme.id} in Q Lab Workspace; {theme.size} extracts placed."]
    seed = theme.details.get("seed")
    if seed:
        lines.append(f"Seeded from the codebook {seed.get('codebook', '')}.")
    if theme.details.get("phrases"):
        lines.append("Key phrases: " + ", ".join(theme.details["phrases"]) + ".")
    for item in theme.details.get("attributes", []):
        lines.append(
            f"{item['attribute']} = {item['value']}: {item['share']:.0%} of the theme against "
            f"{item['overall']:.0%} overall."
        )
    for event in history_for(engine, theme.id):
        size = "" if event["size"] is None else f", size {event['size']}"
        lines.append(f"{event['at']:%Y-%m-%d}: {event['event']}{size}")
    return "\n".join(lines)


def _idea_notes(engine) -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    with engine.connect() as conn:
        rows = list(conn.execute(select(ideas).order_by(ideas.c.id)))
    return [
        (
            guid("note:idea", row.id),
            f"Idea {row.id}: {row.title}",
            f"{row.title}\n\nStatus: {row.status}\n\n{row.description or ''}".strip(),
        )
        for row in rows
    ]


def _element(parent, ns: str, tag: str, **attributes):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for name, value in attributes.items():
        element.set(name, xml_text(value))
    return element


def _when(value) -> str:
    if value is None:
        value = datetime(2020, 1, 1, tzinfo=UTC)
    return as_utc(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _write_xml(root, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_xml_bytes(root))


def _zip_write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
