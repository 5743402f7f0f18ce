"""Exports page: prepare and download each export; upload a codebook that seeds themes."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from lxml import etree
from streamlit.testing.v1 import AppTest

from lab_app.core.settings import Settings
from lab_app.exchange.refi_qda import CODEBOOK_NS
from lab_app.workspace import Workspace
from tests.ui.conftest import signed_in

PAGE = Path(__file__).resolve().parents[2] / "lab_app" / "ui" / "pages" / "exports.py"


def open_exports(timeout: float = 120) -> AppTest:
    """The page on its own, by path, signed in as staff (the page checks the role itself)."""
    at = signed_in(AppTest.from_file(str(PAGE), default_timeout=timeout), "staff")
    at.run()
    assert not at.exception, at.exception
    return at


def plain(markdown: str) -> str:
    """Text as a person reads it: the page escapes it for Markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


def downloads(at: AppTest) -> list:
    return at.get("download_button")


def test_prepare_and_download_the_codebook_and_the_project(app_home):
    at = open_exports()
    assert downloads(at) == []
    at.button(key="exports-prepare-qdc").click().run()
    at.button(key="exports-prepare-qdpx").click().run()
    assert not at.exception, at.exception
    assert len(downloads(at)) == 2
    prepared = at.session_state["exports-prepared"]
    codebook = etree.fromstring(prepared["qdc"][1])
    assert etree.QName(codebook).localname == "CodeBook"
    with zipfile.ZipFile(io.BytesIO(prepared["qdpx"][1])) as archive:
        assert "project.qde" in archive.namelist()
    # The line shown names the file, not a temporary folder on the server.
    captions = " ".join(plain(c.value) for c in at.caption)
    assert "q-lab-codebook.qdc" in captions and "qlab-export-" not in captions


def test_a_failing_export_shows_one_line_and_no_download(app_home):
    workspace = Workspace(Settings.from_env(home=app_home))
    from sqlalchemy import delete

    from lab_app.core.schema import themes

    with workspace.store.engine.begin() as conn:  # a Lab with no themes has no codebook yet
        conn.execute(delete(themes))
    at = open_exports()
    at.button(key="exports-prepare-qdc").click().run()
    assert not at.exception, at.exception
    assert any("no themes to export" in e.value for e in at.error)
    assert downloads(at) == []


def test_uploading_a_codebook_seeds_themes(app_home):
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin="test")
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    code = etree.SubElement(codes, f"{{{CODEBOOK_NS}}}Code", name="Peer **navigators** [x](y)")
    code.set("guid", "0f0e0d0c-0b0a-4909-8807-060504030201")
    code.set("isCodable", "true")
    etree.SubElement(code, f"{{{CODEBOOK_NS}}}Description").text = "Peer navigators in GP surgeries"
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")

    at = open_exports()
    at.file_uploader(key="exports-codebook-upload").set_value(("mine.qdc", data, "application/xml"))
    at.run()
    at.button(key="exports-import").click().run()
    assert not at.exception, at.exception
    assert any("seeded 1 themes from mine.qdc" in plain(s.value) for s in at.success)
    seeds = [t for t in Workspace(Settings.from_env(home=app_home)).list_themes()]
    assert [t["label"] for t in seeds if t["status"] == "seed"] == ["Peer **navigators** [x](y)"]
    # The staff-typed name is shown as text: no emphasis, no link.
    shown = [m.value for m in at.markdown if "navigators" in m.value]
    assert shown and all(r"\*\*navigators\*\*" in v and r"\[x\]\(y\)" in v for v in shown)
