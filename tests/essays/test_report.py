"""The shareable report on the demo Lab: one self-contained HTML file whose every quotation is
verbatim, quotable and numbered back to its source, whose numbers are the store's, which never
holds withdrawn or unconsented words or live markup; and how people voted, on real Pol.is data."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from sqlalchemy import select

from lab_app.cli.qlab import main
from lab_app.core.schema import extracts, sources
from lab_app.essays.markup import is_verbatim
from lab_app.essays.material import active_themes
from lab_app.essays.report_html import write_report
from lab_app.essays.staff_decisions import accepted_ideas, confirmed_tensions
from lab_app.essays.writing import readable_label
from lab_app.material.consent import may_quote, set_consent
from lab_app.material.reads import extracts_by_ids
from lab_app.people import withdrawal
from lab_app.themes import curation
from lab_app.year import ideas
from tests.corpus.truth import TRUTH

EXTRACT_LINE = re.compile(r"extract id ([0-9a-f]{6,40})")
SOURCE_LINE = re.compile(r"Source: (\S.*?)(?: ↩.*)?$")
INLINE = re.compile(r"“([^“”]+)”\s*\[(Q\d+|R\d+)(?:, (p|para)\. (\d+))?\]")


def _page(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _numbered(page) -> tuple[dict[str, str], dict[str, str]]:
    """Q label -> extract id and R label -> source path, from the report's own lists."""
    quoted, documents = {}, {}
    for item in page.select("#sources li[id]"):
        text = item.get_text(" ", strip=True)
        if item["id"].startswith("Q"):
            quoted[item["id"]] = EXTRACT_LINE.search(text).group(1)
        else:
            documents[item["id"]] = SOURCE_LINE.search(text).group(1).strip()
    return quoted, documents


def _passages(engine, path: str, kind: str | None, number: str | None) -> list[str]:
    query = (
        select(extracts.c.text)
        .join(sources, sources.c.id == extracts.c.source_id)
        .where(sources.c.path == path)
    )
    if number:  # a paragraph is cited from 1 and stored from 0
        column = extracts.c.page if kind == "p" else extracts.c.paragraph
        query = query.where(column == int(number) - (kind == "para"))
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def _check_quotations(engine, page, fewest_inline: int = 20) -> list[str]:
    """Every quotation verbatim in what its label names, and quotable; the extract ids."""
    quoted, documents = _numbered(page)
    rows = extracts_by_ids(engine, list(quoted.values()))
    assert set(rows) == set(quoted.values()) and set(rows) <= may_quote(engine, rows)
    for block in page.find_all("blockquote"):
        label = block.footer.find("a", class_="cite").get_text().strip("[]")
        text = "\n\n".join(p.get_text() for p in block.find_all("p"))
        assert is_verbatim(text, rows[quoted[label]]["text"]), label
    inline = [m for p in page.find_all(["p", "li"]) for m in INLINE.finditer(p.get_text())]
    assert len(inline) >= fewest_inline
    for passage, label, kind, number in (m.groups() for m in inline):
        if label.startswith("Q"):
            assert is_verbatim(passage, rows[quoted[label]]["text"]), label
        else:
            texts = _passages(engine, documents[label], kind, number)
            assert any(is_verbatim(passage, t) for t in texts), label
    return list(quoted.values())


def test_the_demo_report_is_one_checked_self_contained_file(decided, tmp_path, capsys):
    engine = decided.store.engine
    out = tmp_path / "share" / "report.html"
    assert main(["--home", str(decided.settings.home), "report", "--out", str(out)]) == 0
    assert "opens offline" in capsys.readouterr().out
    page = _page(out)

    # Nothing to fetch, nothing to run: no script, image, frame or stylesheet link; every link
    # is to a place in the file, and every place linked to exists.
    assert not page.find_all(["script", "img", "iframe", "link", "object", "embed"])
    assert not [t for t in page.find_all(src=True)]
    ids = [t["id"] for t in page.find_all(id=True)]
    assert len(ids) == len(set(ids))
    links = [a["href"] for a in page.find_all("a", href=True)]
    assert links and all(h.startswith("#") and h[1:] in ids for h in links)
    assert "url(" not in page.style.get_text() and "@import" not in page.style.get_text()

    # Areas hold their themes, each theme once, its size as the store counts it.
    themes = active_themes(engine)
    for theme in themes:
        article = page.find("article", id=f"theme-{theme['id']}")
        area = article.find_parent("section", class_="area").h2.get_text()
        assert area == readable_label(theme["area"], False)
        assert page.find("title", string=f"{article.h3.get_text()}: {theme['size']}")
    assert len(page.find_all("article", class_="theme")) == len(themes)

    extract_ids = _check_quotations(engine, page)
    text = page.get_text(" ")
    for planted in TRUTH["identifiers"]:
        assert planted["value"] not in text
    assert not re.search(r"\[(?:POSTCODE|EMAIL|PHONE|NHS_NUMBER|URL|NAME)\]", text)
    people = {r["person"] for r in extracts_by_ids(engine, extract_ids).values()} - {None}
    assert people and not [p for p in people if p in text]

    # What staff decided is there: the confirmed tensions, every idea taken forward.
    for tension in confirmed_tensions(engine):
        article = page.find("article", id=f"theme-{tension['themes'][0]}")
        assert "Where views differ" in article.get_text()
    recommended = page.find("section", id="closing").find("ol").find_all("li", recursive=False)
    assert len(recommended) == len(accepted_ideas(engine)) > 0


def _sentences(texts: list[str]) -> list[str]:
    """Sentences long enough to be one person's own."""
    found = []
    for text in texts:
        found += [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(s) >= 25]
    return found


def test_withdrawn_and_unconsented_words_never_reach_the_report(decided, tmp_path):
    engine = decided.store.engine
    before = _page(write_report(decided, tmp_path / "before.html", "staff"))
    quoted, _ = _numbered(before)
    rows = extracts_by_ids(engine, list(quoted.values()))
    people = list(dict.fromkeys(r["person"] for r in rows.values() if r["person"]))
    withdrawing = (
        TRUTH["withdrawing_person"] if TRUTH["withdrawing_person"] in people else people[0]
    )
    refusing = next(p for p in people if p != withdrawing)
    with engine.connect() as conn:
        query = select(extracts.c.person, extracts.c.text).where(
            extracts.c.person.in_([withdrawing, refusing])
        )
        words = {p: [] for p in (withdrawing, refusing)}
        for person, text in conn.execute(query):
            words[person].append(text)
    shown = " ".join(before.get_text(" ").split())
    assert all(any(s in shown for s in _sentences(words[p])) for p in words)

    theirs = {e for e, r in rows.items() if r["person"] in words}
    set_consent(engine, "person", refusing, "staff", quote_in_publications=False)
    withdrawal.withdraw(decided, withdrawing, who="staff")
    after = write_report(decided, tmp_path / "after.html", "staff").read_text(encoding="utf-8")
    flat = " ".join(BeautifulSoup(after, "html.parser").get_text(" ").split())
    for person, texts in words.items():
        assert not [s for s in _sentences(texts) if s in flat], person
    assert not [e for e in theirs if e in after]


def test_every_user_written_string_is_escaped(decided, tmp_path):
    engine = decided.store.engine
    theme = active_themes(engine)[0]["id"]
    curation.rename(engine, theme, '<script>alert("theme")</script> & <b>co</b>')
    idea = ideas.create_idea(engine, "<img src=x onerror=alert(1)> a better idea", "staff")
    ideas.link(engine, idea, "theme", theme, "staff")
    ideas.set_status(engine, idea, "adopted", "staff")
    page = _page(write_report(decided, tmp_path / "report.html", "staff"))
    assert not page.find_all(["script", "img", "b"])
    text = page.get_text()
    assert '<script>alert("theme")</script> & <b>co</b>' in text
    assert "<img src=x onerror=alert(1)> a better idea" in text


def test_the_report_shows_opinion_groups_from_real_polis_votes(workspace, eval_path, tmp_path):
    from lab_app.exchange.polis import import_polis
    from lab_app.opinions import groups as opinion_groups

    import_polis(workspace, eval_path("polis", "15-per-hour-seattle"))
    workspace.build_themes()
    engine = workspace.store.engine
    page = _page(write_report(workspace, tmp_path / "report.html", "staff"))
    votes = page.find("section", id="votes")
    assert votes is not None
    groups = opinion_groups.from_workspace(engine)
    for number, size in groups.group_sizes().items():
        assert f"Group {opinion_groups.letter(number)} ({size} people)" in votes.get_text()
    assert f"{len(groups.participants)} people voted" in votes.get_text()
    _check_quotations(engine, page, fewest_inline=1)
