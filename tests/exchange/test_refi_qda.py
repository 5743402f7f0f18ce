"""REFI-QDA: the codebook and project validate against the QDA-XML schemas, hold what the Lab
holds, re-export byte for byte, leave withdrawn people out; a codebook seeds the next build."""

from __future__ import annotations

import zipfile
from collections import Counter

import pytest
from lxml import etree
from sqlalchemy import select

from lab_app import exchange
from lab_app.cli.qlab import main
from lab_app.core.schema import extract_attributes, extracts
from lab_app.exchange.refi_qda import CODEBOOK_NS, NOT_FOR_QUOTATION, PROJECT_NS
from lab_app.exchange.seeds import parse_codebook, read_codebook
from lab_app.material.consent import may_quote
from lab_app.material.reads import extracts_by_ids
from lab_app.themes.build import placements
from tests.corpus.truth import TRUTH, truth_themes

Q = f"{{{PROJECT_NS}}}"


def schema(eval_path, name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(eval_path("refi-qda", name))))


def assert_valid(xsd: etree.XMLSchema, document) -> None:
    assert xsd.validate(document), xsd.error_log.filter_from_errors()


def read_project(path):
    with zipfile.ZipFile(path) as archive:
        project = etree.fromstring(archive.read("project.qde"))
        texts = {
            name.removeprefix("sources/"): archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("sources/")
        }
    return project, texts


def test_codebook_validates_and_reads_back_as_the_themes(themed, tmp_path, eval_path):
    out = tmp_path / "lab.qdc"
    line = exchange.export(themed, "qdc", out)
    assert "themes" in line
    assert_valid(schema(eval_path, "Codebook.xsd"), etree.parse(str(out)))

    active = [t for t in themed.list_themes() if t["status"] == "active"]
    codes = read_codebook(out, 10_000_000)
    assert sorted((c.name, c.description, c.area) for c in codes) == sorted(
        (t["label"], t["description"], t["area"]) for t in active
    )
    # Areas are parent codes that cannot be coded themselves.
    tree = etree.parse(str(out))
    areas = tree.findall(f"{{{CODEBOOK_NS}}}Codes/{{{CODEBOOK_NS}}}Code")
    assert {a.get("name") for a in areas} == {t["area"] for t in active}
    assert all(a.get("isCodable") == "false" for a in areas)


def test_project_of_the_demo_lab_validates_and_holds_its_coding(themed, tmp_path, eval_path):
    out = tmp_path / "lab.qdpx"
    exchange.export(themed, "qdpx", out)
    project, texts = read_project(out)
    assert_valid(schema(eval_path, "Project.xsd"), project)

    engine = themed.store.engine
    stored = extracts_by_ids(engine, list(themed.store.extract_ids()))
    codes = {c.get("guid"): c.get("name") for c in project.iter(f"{Q}Code")}
    placed = placements(engine)
    selections = {}
    for source in project.iter(f"{Q}TextSource"):
        text = texts[source.get("plainTextPath").removeprefix("internal://")]
        for selection in source.iter(f"{Q}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            extract_id = selection.get("name")
            coded = [codes[ref.get("targetGUID")] for ref in selection.iter(f"{Q}CodeRef")]
            selections[extract_id] = (text[start:end], coded)
    # Every extract is a selection whose characters are the extract's text.
    assert set(selections) == set(stored)
    assert all(selections[e][0] == row["text"] for e, row in stored.items())
    # Placed extracts are coded with their theme; Unsorted ones with none.
    for extract_id, (_, coded) in selections.items():
        label = placed.get(extract_id, {}).get("theme_label")
        theme_codes = [c for c in coded if c != NOT_FOR_QUOTATION]
        assert theme_codes == ([] if label in (None, "Unsorted") else [label])
    # Consent: exactly the extracts that may not be quoted carry the marker code.
    marked = {e for e, (_, coded) in selections.items() if NOT_FOR_QUOTATION in coded}
    assert marked == set(stored) - may_quote(engine, list(stored))
    assert marked, "the demo survey has people who said no to quotation"

    # Respondents are cases holding their selections and their attributes as variables.
    people = {row["person"] for row in stored.values() if row["person"]}
    cases = {case.get("name"): case for case in project.iter(f"{Q}Case")}
    assert set(cases) == people
    variables = {v.get("guid"): v.get("name") for v in project.iter(f"{Q}Variable")}
    selection_guid = {s.get("name"): s.get("guid") for s in project.iter(f"{Q}PlainTextSelection")}
    with engine.connect() as conn:
        rows = conn.execute(
            select(extracts.c.id, extracts.c.person, extract_attributes.c.name)
            .join(extract_attributes, extract_attributes.c.extract_id == extracts.c.id)
            .where(extracts.c.person.is_not(None))
        ).all()
    for extract_id, person, name in rows:
        case = cases[person]
        assert selection_guid[extract_id] in {
            r.get("targetGUID") for r in case.iter(f"{Q}SelectionRef")
        }
        held = {variables[r.get("targetGUID")] for r in case.iter(f"{Q}VariableRef")}
        assert name in held

    # Theme descriptions and memos are notes the theme codes point at (area codes, which
    # may share a theme's name, hold themes and are not codable themselves).
    notes = {n.get("guid"): n for n in project.iter(f"{Q}Note")}
    for code in project.iter(f"{Q}Code"):
        if code.get("isCodable") == "false":
            continue
        if code.get("name") in {t["label"] for t in themed.list_themes()}:
            refs = [notes[r.get("targetGUID")] for r in code.findall(f"{Q}NoteRef")]
            contents = [n.findtext(f"{Q}PlainTextContent") for n in refs]
            assert code.findtext(f"{Q}Description") in contents
            assert any("Key phrases" in c for c in contents)


def test_re_exports_are_identical_byte_for_byte(themed, tmp_path):
    for what in ("qdc", "qdpx"):
        first, second = tmp_path / f"a.{what}", tmp_path / f"b.{what}"
        exchange.export(themed, what, first)
        exchange.export(themed, what, second)
        assert first.read_bytes() == second.read_bytes()


def test_withdrawn_person_is_nowhere_in_the_project(themed, tmp_path):
    from lab_app.people.withdrawal import withdraw

    person = TRUTH["withdrawing_person"]
    engine = themed.store.engine
    with engine.connect() as conn:
        words = list(conn.execute(select(extracts.c.text).where(extracts.c.person == person)))
    assert words
    withdraw(themed, person, who="test-staff", rebuild_themes=False)
    out = tmp_path / "after.qdpx"
    exchange.export(themed, "qdpx", out)
    project, texts = read_project(out)
    assert person not in {case.get("name") for case in project.iter(f"{Q}Case")}
    everything = etree.tostring(project, encoding="unicode") + "\n".join(texts.values())
    for (text,) in words:
        assert " ".join(text.split())[:60] not in " ".join(everything.split())


def truth_codebook(path) -> None:
    """The demo Lab's planted themes as a codebook another tool would write: one parent code,
    a code per theme with its description."""
    import uuid

    def code_guid(name: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.example"))

    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin="test")
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    parent = etree.SubElement(codes, f"{{{CODEBOOK_NS}}}Code", guid=code_guid("area"))
    parent.set("name", "Planted themes")
    parent.set("isCodable", "false")
    for name, description in TRUTH["themes"].items():
        code = etree.SubElement(parent, f"{{{CODEBOOK_NS}}}Code", guid=code_guid(name))
        code.set("name", name)
        code.set("isCodable", "true")
        etree.SubElement(code, f"{{{CODEBOOK_NS}}}Description").text = description
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def test_a_codebook_seeds_themes_that_guide_the_next_build(demo_workspace, tmp_path, eval_path):
    codebook = tmp_path / "planted.qdc"
    truth_codebook(codebook)
    assert_valid(schema(eval_path, "Codebook.xsd"), etree.parse(str(codebook)))

    line = exchange.import_codebook(demo_workspace, codebook)
    assert line.startswith(f"seeded {len(TRUTH['themes'])} themes")
    seeds = {t["label"]: t for t in demo_workspace.list_themes()}
    assert all(seeds[name]["status"] == "seed" for name in TRUTH["themes"])
    # Importing it again adds nothing.
    assert "nothing to seed" in exchange.import_codebook(demo_workspace, codebook)

    report = demo_workspace.build_themes()
    rows = {t["label"]: t for t in demo_workspace.list_themes() if t["status"] == "active"}
    # The seeded names, descriptions and area survive the build, and each drew extracts.
    for name, description in TRUTH["themes"].items():
        assert rows[name]["size"] > 0
        assert rows[name]["description"] == description
        assert rows[name]["area"] == "Planted themes"
    assert report["unsorted_share"] <= 0.15

    # The extracts a seed drew are mostly of its planted theme, for most seeds.
    truth = truth_themes(demo_workspace.store.engine)
    placed = placements(demo_workspace.store.engine)
    own = 0
    for name in TRUTH["themes"]:
        members = [truth[e] for e, p in placed.items() if p["theme_label"] == name and e in truth]
        top, _ = Counter(members).most_common(1)[0]
        own += top == name
    assert own >= 0.7 * len(TRUTH["themes"])

    # An incremental rebuild keeps the seeded names too.
    demo_workspace.build_themes()
    assert {t["label"] for t in demo_workspace.list_themes()} >= set(TRUTH["themes"])


def test_codebook_round_trip_into_an_unbuilt_copy(themed, demo_workspace, tmp_path):
    out = tmp_path / "lab.qdc"
    exchange.export(themed, "qdc", out)
    exchange.import_codebook(demo_workspace, out)
    demo_workspace.build_themes()
    before = placements(themed.store.engine)
    after = placements(demo_workspace.store.engine)
    labels = {t["label"] for t in themed.list_themes() if t["status"] == "active"}
    kept = {t["label"] for t in demo_workspace.list_themes() if t["status"] == "active"}
    assert labels <= kept
    # Most seeded themes gather mostly the extracts their theme held where it was exported.
    agreeing = 0
    for label in labels:
        members = [before[e]["theme_label"] for e, p in after.items() if p["theme_label"] == label]
        agreeing += bool(members) and Counter(members).most_common(1)[0][0] == label
    assert agreeing >= 0.7 * len(labels)


def test_reads_the_codebook_inside_an_nvivo_project(eval_path):
    sample = eval_path("refi-qda", "samples", "nvivo-win-12.6_oltas0517.qdpx")
    codes = read_codebook(sample, 10_000_000)
    with zipfile.ZipFile(sample) as archive:
        project = etree.fromstring(archive.read("project.qde"))
    leaves = [c for c in project.iter(f"{Q}Code") if c.find(f"{Q}Code") is None]
    assert len(codes) == len([c for c in leaves if c.get("isCodable") == "true"])
    parents = {
        child.get("name"): parent.get("name")
        for parent in project.iter(f"{Q}Code")
        for child in parent.findall(f"{Q}Code")
    }
    assert all(code.area == parents.get(code.name, "") for code in codes)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "choose a .qdc"),
        ("broken.qdc", b"<CodeBook><Codes>", "not readable XML"),
        ("other.qdc", b"<Project xmlns='x'/>", "holds no REFI-QDA CodeBook"),
        ("empty.qdc", b"<CodeBook><Codes/></CodeBook>", "holds no codes"),
        ("fake.qdpx", b"not a zip", "not a .qdpx"),
    ],
)
def test_bad_codebooks_are_refused_with_one_clear_line(workspace, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        exchange.import_codebook(workspace, path)


def test_entities_in_a_codebook_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<CodeBook xmlns="{CODEBOOK_NS}"><Codes><Code guid="{"0" * 8}-0000-0000-0000-{"0" * 12}" '
        'name="Leak" isCodable="true"><Description>&x;</Description></Code></Codes></CodeBook>'
    ).encode()
    codes = parse_codebook(data, "evil.qdc")
    assert "do not read me" not in codes[0].description


def test_cli_exports_and_imports(themed, tmp_path, capsys):
    home = str(themed.settings.home)
    out = tmp_path / "cli.qdpx"
    assert main(["--home", home, "export", "qdpx", "--out", str(out)]) == 0
    assert zipfile.is_zipfile(out) and "cases" in capsys.readouterr().out
    empty = tmp_path / "empty-home"
    assert main(["--home", str(empty), "export", "qdc", "--out", str(tmp_path / "x.qdc")]) == 1
    assert "no themes to export" in capsys.readouterr().err
    codebook = tmp_path / "planted.qdc"
    truth_codebook(codebook)
    assert main(["--home", home, "import", "qdc", str(codebook)]) == 0
    assert "seeded" in capsys.readouterr().out
