"""Essay drafts on the demo Lab: sections per theme, quotations verbatim and traceable in
Markdown, DOCX and HTML, consent and withdrawal honoured, edits kept, tensions and ideas used."""

from __future__ import annotations

import re

import docx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import insert, select

from lab_app.cli.qlab import main
from lab_app.core.audit import now
from lab_app.core.schema import (
    essay_versions,
    extracts,
    idea_links,
    idea_supporters,
    ideas,
    sources,
    tensions,
    theme_members,
)
from lab_app.essays import store
from lab_app.essays.draft import draft_essay, regenerate_section
from lab_app.essays.export import EssayCheckError, check_essay, export_file, render
from lab_app.essays.grounding import (
    GONE,
    NO_MARKER,
    NOT_QUOTABLE,
    NOT_VERBATIM,
    check_export_markdown,
)
from lab_app.essays.lab import lab_facts
from lab_app.essays.markup import BODY_MARKER, is_verbatim, parse, quotations
from lab_app.essays.material import active_themes
from lab_app.essays.quotable import worth_quoting
from lab_app.essays.writing import readable_label
from lab_app.material.consent import may_quote, set_consent
from lab_app.material.reads import extracts_by_ids
from tests.corpus.truth import TRUTH

QUOTE_IN_TEXT = re.compile(r"“([^“”]+)”\s*\[(R\d+)(?:, (p|para)\. (\d+))?\]")


def _largest(ws, n: int) -> list[dict]:
    return active_themes(ws.store.engine)[:n]


def _quoted_ids(engine, essay_id: int) -> list[str]:
    essay = store.load_essay(engine, essay_id)
    return [m for s in essay["sections"] for m in BODY_MARKER.findall(s["body"])]


# --- the demo Lab's essay in three formats ---------------------------------------------------


def test_demo_essay_in_three_formats_is_grounded(themed, tmp_path, capsys):
    engine = themed.store.engine
    chosen = _largest(themed, 3)
    args = ["--home", str(themed.settings.home), "essay", "draft", "--length", "medium"]
    for theme in chosen:
        args += ["--theme", theme["id"]]
    md = tmp_path / "out" / "essay.md"
    assert main([*args, "--audience", "commissioners", "--out", str(md)]) == 0
    essay_id = store.list_essays(engine)[0]["id"]
    for suffix in ("docx", "html"):
        out = str(tmp_path / "out" / f"essay.{suffix}")
        home = str(themed.settings.home)
        assert main(["--home", home, "essay", "export", str(essay_id), "--out", out]) == 0
    capsys.readouterr()

    markdown = md.read_text(encoding="utf-8")
    assert check_export_markdown(engine, markdown) == []
    assert main(["--home", str(themed.settings.home), "essay", "check", str(md)]) == 0
    assert "every one verbatim and traceable" in capsys.readouterr().out
    assert list((tmp_path / "out" / "essay-charts").glob("*.png"))

    headings = [readable_label(t["label"], False) for t in chosen]
    word = docx.Document(str(tmp_path / "out" / "essay.docx"))
    docx_text = _check_docx(engine, word, headings)
    page = BeautifulSoup((tmp_path / "out" / "essay.html").read_text("utf-8"), "html.parser")
    html_text = _check_html(engine, page, headings)

    # The opening states real counts from the store.
    with engine.connect() as conn:
        answers = conn.execute(select(extracts.c.id).where(extracts.c.kind == "survey")).all()
    assert f"{len(answers)} survey answers" in docx_text
    assert TRUTH["lab"]["question"] in docx_text

    # Planted identifiers never appear, nor the id of anyone quoted.
    people = {r["person"] for r in extracts_by_ids(engine, _quoted_ids(engine, essay_id)).values()}
    for text in (markdown, docx_text, html_text):
        for planted in TRUTH["identifiers"]:
            assert planted["value"] not in text
        for person in people - {None}:
            assert person not in text

    # Nothing decided in this copy of the demo (the build suggests tensions, nobody confirmed
    # one): no views-differ part, no idea taken forward, and the closing says so rather than
    # recommend an idea nobody accepted.
    with engine.connect() as conn:
        assert not conn.execute(
            select(tensions.c.id).where(tensions.c.status == "confirmed")
        ).first()
        assert not conn.execute(select(ideas.c.id)).first()
    assert "### Where views differ" not in markdown
    assert "### Ideas the Lab is taking forward" not in markdown
    assert "has not yet taken forward an idea linked to these themes" in markdown


def _appendix(paragraphs: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Q label -> extract id and R label -> source path from the exported lists."""
    quoted, referenced = {}, {}
    for text in paragraphs:
        if match := re.match(r"^(Q\d+)\. .*extract id ([0-9a-f]+)$", text):
            quoted[match.group(1)] = match.group(2)
        if match := re.match(r"^(R\d+)\. .*Source: (\S.*)$", text):
            referenced[match.group(1)] = match.group(2)
    return quoted, referenced


def _verify(engine, quotes: list[tuple[str, str]], prose: list[str], quoted, referenced):
    """Every blockquote verbatim in the extract its label names (and quotable); every cited
    document passage verbatim on the page its citation names."""
    assert quotes, "the essay quotes nobody"
    rows = extracts_by_ids(engine, list(quoted.values()))
    allowed = may_quote(engine, rows)
    for passage, label in quotes:
        extract_id = quoted[label]
        assert extract_id in allowed
        assert is_verbatim(passage, rows[extract_id]["text"]), label
    citations = [m for text in prose for m in QUOTE_IN_TEXT.finditer(text)]
    assert citations, "the essay cites no document"
    for match in citations:
        passage, label, kind, number = match.groups()
        column = extracts.c.page if kind == "p" else extracts.c.paragraph
        query = (
            select(extracts.c.text)
            .join(sources, sources.c.id == extracts.c.source_id)
            .where(sources.c.path == referenced[label])
        )
        if number:  # a paragraph is cited from 1 and stored from 0
            query = query.where(column == int(number) - (kind == "para"))
        with engine.connect() as conn:
            texts = conn.execute(query).scalars().all()
        assert any(is_verbatim(passage, text) for text in texts), (label, number)


def _check_docx(engine, word, headings: list[str]) -> str:
    paragraphs = [p for p in word.paragraphs]
    section_headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert section_headings[0] == "Introduction" and section_headings[-2:] == [
        "References",
        "Sources of quotations",
    ]
    for heading in headings:
        assert heading in section_headings
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"].count(
        "In participants' words"
    ) == len(headings)
    quoted, referenced = _appendix([p.text for p in paragraphs])
    quotes = []
    for number, paragraph in enumerate(paragraphs):
        if paragraph.style.name == "Quote":
            source_line = paragraphs[number + 1]
            assert source_line.style.name == "Quote Source"
            label = re.search(r"\[(Q\d+)\]$", source_line.text).group(1)
            quotes.append((paragraph.text, label))
    _verify(engine, quotes, [p.text for p in paragraphs], quoted, referenced)
    assert len(word.inline_shapes) == len(headings)  # one chart per theme
    return "\n".join(p.text for p in paragraphs)


def _check_html(engine, page, headings: list[str]) -> str:
    assert page.find("script") is None and page.find("a") is None
    assert all(img["src"].startswith("data:image/png;base64,") for img in page.find_all("img"))
    section_headings = [h.get_text() for h in page.find_all("h2")]
    for heading in headings:
        assert heading in section_headings
    quoted, referenced = _appendix([p.get_text() for p in page.find_all("p")])
    quotes = []
    for block in page.find_all("blockquote"):
        label = re.search(r"\[(Q\d+)\]$", block.footer.get_text()).group(1)
        quotes.append(("\n\n".join(p.get_text() for p in block.find_all("p")), label))
    _verify(engine, quotes, [p.get_text() for p in page.find_all(["p", "li"])], quoted, referenced)
    return page.get_text()


# --- editing -----------------------------------------------------------------------------------


def test_regenerating_a_section_keeps_edits_to_the_others(themed):
    engine = themed.store.engine
    first, second = (t["id"] for t in _largest(themed, 2))
    essay_id = draft_essay(themed, "author", theme_ids=[first, second], length="short")
    drafted = {s["key"]: s["body"] for s in store.load_essay(engine, essay_id)["sections"]}
    note = "\nThe Lab team adds this paragraph of its own.\n"
    for theme in (first, second):
        key = f"theme:{theme}"
        assert store.save_section(engine, essay_id, key, drafted[key] + note, "author") == 2
    assert regenerate_section(themed, essay_id, f"theme:{second}", "author") == 3

    essay = store.load_essay(engine, essay_id)
    kept = store.section_of(essay, f"theme:{first}")
    assert kept["body"] == drafted[f"theme:{first}"] + note and kept["edited"]
    again = store.section_of(essay, f"theme:{second}")
    assert again["body"] == drafted[f"theme:{second}"] and not again["edited"]
    assert [v["version"] for v in store.versions(engine, essay_id, f"theme:{first}")] == [2, 1]

    assert store.restore_version(engine, essay_id, f"theme:{first}", 1, "author") == 3
    restored = store.section_of(store.load_essay(engine, essay_id), f"theme:{first}")
    assert "of its own" not in restored["body"]
    assert check_essay(engine, essay_id) == []


# --- the check fails loudly ----------------------------------------------------------------------


def _first_blockquote_word(body: str) -> str:
    line = next(line for line in body.splitlines() if line.startswith("> ") and "—" not in line)
    return max(re.findall(r"[A-Za-z]{5,}", line), key=len)


def test_an_altered_quote_is_refused_and_flagged(themed, tmp_path, capsys):
    engine = themed.store.engine
    theme = _largest(themed, 1)[0]["id"]
    essay_id = draft_essay(themed, "author", theme_ids=[theme], length="short")
    key = f"theme:{theme}"
    body = store.section_of(store.load_essay(engine, essay_id), key)["body"]
    word = _first_blockquote_word(body)
    altered = body.replace(word, word[::-1].upper(), 1)
    store.save_section(engine, essay_id, key, altered, "author")

    problems = check_essay(engine, essay_id)
    assert [p.reason for p in problems] == [NOT_VERBATIM]
    with pytest.raises(EssayCheckError, match="not word for word"):
        export_file(engine, essay_id, tmp_path / "refused.docx", "author")
    assert not (tmp_path / "refused.docx").exists()
    flags = store.load_essay(engine, essay_id)["flags"]
    assert [f["reason"] for f in flags] == [NOT_VERBATIM]
    assert word[::-1].upper() not in str(flags)  # flags name the problem, never the words

    store.save_section(
        engine, essay_id, key, body + "\nAs one said, “peer support is magic”.\n", "author"
    )
    assert [p.reason for p in check_essay(engine, essay_id)] == [NO_MARKER]

    # A reader's copy changed after export fails `qlab essay check`.
    store.save_section(engine, essay_id, key, body, "author")
    md = export_file(engine, essay_id, tmp_path / "essay.md", "author")
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace(word, word[::-1].upper(), 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["--home", str(themed.settings.home), "essay", "check", str(md)]) == 1
    assert NOT_VERBATIM in capsys.readouterr().out


def test_quotes_honour_consent_given_after_drafting(themed, tmp_path):
    engine = themed.store.engine
    theme = _largest(themed, 1)[0]["id"]
    essay_id = draft_essay(themed, "author", theme_ids=[theme], length="short")
    rows = extracts_by_ids(engine, _quoted_ids(engine, essay_id))
    person = next(r["person"] for r in rows.values() if r["person"])
    set_consent(engine, "person", person, "staff", quote_in_publications=False)

    with pytest.raises(EssayCheckError):
        render(engine, essay_id, "html")
    reasons = {f["reason"] for f in store.load_essay(engine, essay_id)["flags"]}
    assert reasons == {NOT_QUOTABLE}

    for section in store.load_essay(engine, essay_id)["sections"]:
        regenerate_section(themed, essay_id, section["key"], "author")
    quoted_now = extracts_by_ids(engine, _quoted_ids(engine, essay_id))
    assert person not in {r["person"] for r in quoted_now.values()}
    assert render(engine, essay_id, "html")
    assert store.load_essay(engine, essay_id)["flags"] == []


def test_quotes_of_a_removed_source_are_refused_then_scrubbed_everywhere(themed, tmp_path):
    engine = themed.store.engine
    essay_id = draft_essay(themed, "author", length="long")
    rows = extracts_by_ids(engine, _quoted_ids(engine, essay_id))
    gone = {e: r for e, r in rows.items() if r["kind"] == "survey"}
    assert gone
    assert themed.remove_source(next(iter(gone.values()))["source"])

    with pytest.raises(EssayCheckError, match="no longer in the workspace"):
        export_file(engine, essay_id, tmp_path / "essay.md", "author")
    assert {f["reason"] for f in store.load_essay(engine, essay_id)["flags"]} == {GONE}

    assert store.scrub_missing(engine, essay_id) >= len(gone)
    markdown = export_file(engine, essay_id, tmp_path / "essay.md", "author").read_text("utf-8")
    with engine.connect() as conn:
        old = conn.execute(select(essay_versions.c.body)).scalars().all()
    words = [row["text"] for row in gone.values()]
    assert not _said_by(markdown, words)
    assert not any(_said_by(body, words) for body in old)


def test_withdrawn_person_leaves_no_word_in_drafts(themed, tmp_path):
    from lab_app.people import withdrawal

    engine = themed.store.engine
    person = TRUTH["withdrawing_person"]
    with engine.connect() as conn:
        theirs = conn.execute(
            select(extracts.c.id, extracts.c.text, theme_members.c.theme_id)
            .join(theme_members, theme_members.c.extract_id == extracts.c.id)
            .where(extracts.c.person == person, theme_members.c.status == "placed")
        ).all()
    quotable = may_quote(engine, [r.id for r in theirs])
    mine = [r for r in theirs if r.id in quotable]
    assert mine, "the demo's withdrawing person should have quotable words in a theme"
    # A tension quoting them makes sure the draft uses their words before they withdraw.
    _tension(engine, "withdrawal-test", mine[0].theme_id, [[mine[0].id], [mine[-1].id]])
    essay_id = draft_essay(themed, "author", theme_ids=[mine[0].theme_id], length="long")
    before = render(engine, essay_id, "md").decode("utf-8")
    words = [r.text for r in theirs]
    assert _said_by(before, words)

    withdrawal.withdraw(themed, person, who="staff")

    outputs = [render(engine, essay_id, fmt) for fmt in ("md", "html")]
    out = export_file(engine, essay_id, tmp_path / "after.docx", "author")
    outputs.append("\n".join(p.text for p in docx.Document(str(out)).paragraphs).encode())
    fresh = draft_essay(themed, "author", theme_ids=[mine[0].theme_id], length="long")
    outputs.append(render(engine, fresh, "md"))
    with engine.connect() as conn:
        outputs += [b.encode() for b in conn.execute(select(essay_versions.c.body)).scalars()]
    for text in outputs:
        assert not _said_by(text.decode("utf-8"), words)
        assert person not in text.decode("utf-8")


def _said_by(text: str, words: list[str]) -> bool:
    """True when any sentence of theirs (long enough to be theirs alone) is in the text."""
    flat = " ".join(text.replace("\\", "").split())
    return any(
        len(sentence) >= 25 and sentence in flat
        for passage in words
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(passage.split()))
    )


# --- tensions and ideas from their tables ------------------------------------------------------


def _tension(engine, tension_id: str, theme_id: str, sides_extracts: list[list[str]]):
    rows = extracts_by_ids(engine, [e for side in sides_extracts for e in side])
    sides = [
        {
            "summary": f"Side {n + 1} of the argument, as staff summarised it",
            "extract_ids": ids,
            "quotes": [_longest_sentence(rows[ids[0]]["text"])],
        }
        for n, ids in enumerate(sides_extracts)
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(tensions).values(
                id=tension_id,
                signal="votes",
                status="confirmed",
                title=f"Tension {tension_id}: should it be one way or the other?",
                themes=[theme_id],
                sides=sides,
                measures={},
                created_at=now(),
                updated_at=now(),
            )
        )


def _longest_sentence(text: str) -> str:
    return max(re.split(r"(?<=[.!?])\s+", " ".join(text.split())), key=len)


def _idea(engine, idea_id: str, title: str, extract_ids: list[str], supporters: int, status: str):
    with engine.begin() as conn:
        conn.execute(
            insert(ideas).values(
                id=idea_id,
                title=title,
                description="",
                status=status,
                created_by="staff",
                created_at=now(),
                updated_at=now(),
                details={},
            )
        )
        for extract_id in extract_ids:
            conn.execute(
                insert(idea_links).values(
                    idea_id=idea_id, target_type="extract", target_id=extract_id, role="source"
                )
            )
        for n in range(supporters):
            conn.execute(
                insert(idea_supporters).values(idea_id=idea_id, participant=f"p{n}", at=now())
            )


def test_tensions_and_ideas_appear_with_both_sides_quoted(themed):
    engine = themed.store.engine
    theme = _largest(themed, 1)[0]["id"]
    with engine.connect() as conn:
        members = (
            conn.execute(
                select(theme_members.c.extract_id)
                .join(extracts, extracts.c.id == theme_members.c.extract_id)
                .where(theme_members.c.theme_id == theme, extracts.c.kind != "evidence")
                .order_by(theme_members.c.extract_id)
            )
            .scalars()
            .all()
        )
    # Extracts that may be quoted and read as prose (not a bare phrase or a placeholder).
    texts = extracts_by_ids(engine, members)
    allowed = may_quote(engine, members)
    quotable = [e for e in members if e in allowed and worth_quoting(texts[e]["text"])]
    _tension(engine, "t-one", theme, [quotable[0:2], quotable[2:4]])
    _idea(engine, "idea-small", "A small idea few backed", [quotable[4]], 1, "adopted")
    _idea(engine, "idea-big", "The idea most people backed", [quotable[5]], 6, "testing")
    _idea(engine, "idea-new", "An idea still emerging", [quotable[6]], 9, "emerging")

    essay_id = draft_essay(themed, "author", theme_ids=[theme], length="medium")
    essay = store.load_essay(engine, essay_id)
    body = store.section_of(essay, f"theme:{theme}")["body"]
    tension_part = body.split("### Where views differ")[1].split("###")[0]
    assert "should it be one way or the other?" in tension_part
    assert "Side 1 of the argument" in tension_part and "Side 2 of the argument" in tension_part
    side_quotes = [q for q in quotations(parse(tension_part))]
    assert len(side_quotes) == 2
    assert {BODY_MARKER.search(q.marker).group(1) for q in side_quotes} <= set(quotable[:4])

    # Adopted before testing; an emerging idea is no recommendation, however many back it.
    ideas_part = body.split("### Ideas the Lab is taking forward")[1].split("###")[0]
    assert ideas_part.index("A small idea") < ideas_part.index("The idea most people backed")
    closing = store.section_of(essay, "closing")["body"]
    assert re.search(
        r"^1\. A small idea few backed\. The Lab has adopted it\. Backed by 1 participant in "
        r"the app",
        closing,
        re.M,
    )
    assert re.search(
        r"^2\. The idea most people backed\. The Lab is testing it\. Backed by 6 participants",
        closing,
        re.M,
    )
    assert "An idea still emerging" not in body + closing
    assert check_essay(engine, essay_id) == []


# --- safety of what authors write ----------------------------------------------------------------


def test_html_and_docx_never_turn_author_text_into_markup(themed):
    engine = themed.store.engine
    theme = _largest(themed, 1)[0]["id"]
    essay_id = draft_essay(themed, "author", theme_ids=[theme], length="short")
    hostile = (
        "Our own note <script>alert(1)</script> with [a link](https://example.org/x) and "
        "![a picture](https://example.org/p.png) and <b>bold</b>."
    )
    body = store.section_of(store.load_essay(engine, essay_id), "closing")["body"]
    store.save_section(engine, essay_id, "closing", body + "\n" + hostile + "\n", "author")
    page = BeautifulSoup(render(engine, essay_id, "html").decode("utf-8"), "html.parser")
    assert page.find("script") is None and page.find("a") is None and page.find("b") is None
    assert "<script>alert(1)</script>" in page.get_text()
    assert all(img["src"].startswith("data:image/png") for img in page.find_all("img"))


def test_the_lab_question_comes_from_the_demo_or_the_author(themed):
    facts = lab_facts(themed)
    assert facts["question"] == TRUTH["lab"]["question"]
    assert facts["name"] == TRUTH["lab"]["name"]
    assert lab_facts(themed, question="Our own question?")["question"] == "Our own question?"


def test_bad_choices_say_what_to_do(themed):
    with pytest.raises(ValueError, match="no active theme T-999"):
        draft_essay(themed, "author", theme_ids=["T-999"])
    with pytest.raises(ValueError, match="no themes in area"):
        draft_essay(themed, "author", area="nowhere at all")
    with pytest.raises(ValueError, match="length must be short, medium or long"):
        draft_essay(themed, "author", length="epic")


def test_a_workspace_without_themes_is_told_to_build_them(workspace):
    with pytest.raises(ValueError, match="qlab themes build"):
        draft_essay(workspace, "author")


def test_the_docx_opens_in_libreoffice_with_every_section(themed, tmp_path):
    """LibreOffice (Debian's, headless) converts the draft to PDF: the file is one a word
    processor opens, with its headings and quotes, not only one python-docx can read."""
    import os
    import shutil
    import subprocess

    from pypdf import PdfReader

    office = shutil.which("soffice")
    if office is None:
        if os.environ.get("QLAB_REQUIRE_OFFICE") == "1":
            pytest.fail("soffice is missing and QLAB_REQUIRE_OFFICE=1 (.ci/run installs it)")
        pytest.skip("LibreOffice (soffice) is not installed; apt-get install libreoffice-writer")
    chosen = _largest(themed, 2)
    essay_id = draft_essay(themed, "author", theme_ids=[t["id"] for t in chosen], length="short")
    out = export_file(themed.store.engine, essay_id, tmp_path / "essay.docx", "author")
    done = subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "essay.pdf").pages)
    flat = " ".join(text.split())
    headings = [p.text for p in docx.Document(out).paragraphs if p.style.name.startswith("Head")]
    assert len(headings) > 3
    assert all(" ".join(h.split()) in flat for h in headings)
