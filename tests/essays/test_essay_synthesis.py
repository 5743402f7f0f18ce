"""A theme's synthesis on the demo Lab: central, varied, attributed sentences, each verbatim in
its extract and marked; a model's rewrite (a real HTTP server in the test, answering as a model
would) is kept only when every sentence cites an extract, else the extractive text stands."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from lab_app.essays import store
from lab_app.essays.draft import draft_essay
from lab_app.essays.export import check_essay
from lab_app.essays.markup import BODY_MARKER, is_verbatim, parse, quotations
from lab_app.essays.material import active_themes, source_info, theme_material
from lab_app.essays.points import (
    SMALLEST,
    mentions,
    name_words,
    overview,
    point_synthesis,
    theme_points,
)
from lab_app.essays.synthesis import SAME, synthesise
from lab_app.essays.synthesis_model import theme_synthesis
from lab_app.essays.writing import prose
from lab_app.material.consent import may_quote
from lab_app.material.reads import extracts_by_ids

WHO = re.compile(
    r"(peer worker|lived experience|carer|clinician|commissioner|voluntary-sector worker|"
    r"researcher|participant|survey respondent|workshop table|‘[^’]+’)"
)


def _quotes(text: str) -> list[tuple[str, str]]:
    return [(q.text, BODY_MARKER.search(q.marker).group(1)) for q in quotations(parse(text))]


def test_a_synthesis_is_central_varied_attributed_and_traceable(themed):
    engine = themed.store.engine
    documents = source_info(engine)
    for theme in active_themes(engine)[:3]:
        material = theme_material(engine, theme["id"])
        synthesis = synthesise(themed, material.extracts, 4, documents)
        quoted = _quotes(synthesis.text)
        assert len(quoted) == 4 and synthesis.used == {e for _, e in quoted}
        rows = extracts_by_ids(engine, [e for _, e in quoted])
        members = {r["extract_id"] for r in material.extracts}
        assert set(rows) <= members and set(rows) <= may_quote(engine, rows)
        assert len({rows[e]["person"] or e for _, e in quoted}) == 4  # four different people
        for passage, extract_id in quoted:
            assert is_verbatim(passage, rows[extract_id]["text"])
        # Each sentence says who (a role, a kind of contributor, a document); the prose around
        # the quotations gives no counts of its own.
        framing = re.split(r"“[^”]*”\s*\[#[0-9a-f]+\]", synthesis.text)[:-1]
        assert all(WHO.search(words) for words in framing), framing
        assert not re.search(r"\d", re.sub(r"‘[^’]*’", "", " ".join(framing)))
        # Varied: no two chosen sentences say the same thing. Central: nearer the theme's
        # centre than its typical (median) quotable member.
        vectors = themed.embedder.embed([p for p, _ in quoted])
        similar = vectors @ vectors.T
        assert similar[np.triu_indices(4, 1)].max() < SAME
        pool = themed.embedder.embed([r["text"] for r in material.extracts])
        centre = pool.mean(axis=0) / np.linalg.norm(pool.mean(axis=0))
        assert float((vectors @ centre).mean()) > float(np.median(pool @ centre))


def test_a_theme_is_told_by_its_points_each_borne_out_by_its_own_words(themed):
    """The participants' extracts of a theme fall into two or three named points, the same on
    every draft; each point is borne out by a sentence of one of its own extracts, introduced
    by the point's name; nobody is quoted twice."""
    engine = themed.store.engine
    documents = source_info(engine)
    quoted_points, named_points, naming_quotes = 0, 0, 0
    for theme in active_themes(engine)[:4]:
        material = theme_material(engine, theme["id"])
        points = theme_points(themed, material)
        assert points and points == theme_points(themed, material)
        rows = extracts_by_ids(engine, material.members)
        participants = {e for e, r in rows.items() if r["kind"] != "evidence"}
        sizes = [len(p.members) for p in points]
        assert sizes == sorted(sizes, reverse=True)
        every = [e for p in points for e in p.members]
        assert len(every) == len(set(every)) and set(every) <= participants
        said = overview(points, len(participants))
        assert all(f"({n}" in said for n in sizes) and str(len(points)) in said
        rest = len(participants) - len(every)  # what no point was named for is counted
        assert (f"with {rest} more on other things" in said) == (rest >= SMALLEST)

        synthesis = point_synthesis(themed, material, points, documents)
        quoted = _quotes(synthesis.text)
        assert len(quoted) >= 2 and synthesis.by_points
        framings = re.split(r"“[^”]*”\s*\[#[0-9a-f]+\]", synthesis.text)[:-1]
        people = [rows[e]["person"] or e for _, e in quoted]
        assert len(set(people)) == len(people)
        for (passage, extract_id), framing in zip(quoted, framings, strict=True):
            assert is_verbatim(passage, rows[extract_id]["text"])
            point = next(p for p in points if extract_id in p.members)
            assert prose(point.name) in framing and WHO.search(framing)
            assert ("more generally" in framing) == point.itself
            quoted_points += 1
            if not point.itself:
                named_points += 1
                naming_quotes += mentions(passage, name_words(point.name, material.label))
        assert may_quote(engine, [e for _, e in quoted]) >= {e for _, e in quoted}
    # Measured on the demo: most quotes for a named point say the point's own words.
    assert quoted_points >= 8 and naming_quotes >= 0.6 * named_points


# --- the optional model ----------------------------------------------------------------------


class FakeModel(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions as a local model server would; `rewrite` decides how."""

    rewrite = staticmethod(lambda paragraph: paragraph)

    def do_POST(self):  # noqa: N802 - the name http.server calls
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        content = FakeModel.rewrite(payload["messages"][-1]["content"])
        data = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def model_url(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("QLAB_LLM_URL", url)
    yield url
    server.shutdown()
    server.server_close()


def _faithful(paragraph: str) -> str:
    """A rewrite a careful model could give: new framing, every quotation and marker kept."""
    quoted = re.findall(r"“[^”]*”\s*\[#[0-9a-f]+\]", paragraph)
    return " ".join(f"In the Lab's own words, {q}" for q in quoted)


INVENTED = "“Peer support is pure magic.”"
REWRITES = {
    "invents a quotation": lambda p: re.sub(r"“[^”]*”", INVENTED, p, count=1),
    "adds an uncited claim": lambda p: p + " Nearly everyone agreed with this view.",
    "adds a number": lambda p: p.replace("“", "In 9 of 10 cases, “", 1),
    "cites a new extract": lambda p: p + " As one said, “Yes.” [#0123456789abcdef0123]",
}


def test_a_model_rewrite_is_kept_only_when_every_claim_cites_its_extract(
    themed, model_url, monkeypatch
):
    engine = themed.store.engine
    documents = source_info(engine)
    theme = theme_material(engine, active_themes(engine)[0]["id"])
    extractive = synthesise(themed, theme.extracts, 4, documents)

    FakeModel.rewrite = staticmethod(_faithful)
    kept = theme_synthesis(themed, theme, 4, documents)
    assert kept.how == "model" and kept.text == _faithful(extractive.text)
    assert kept.used == extractive.used

    for why, rewrite in REWRITES.items():
        FakeModel.rewrite = staticmethod(rewrite)
        fallen = theme_synthesis(themed, theme, 4, documents)
        assert fallen.text == extractive.text, why
        assert fallen.how.startswith("extractive (the model's rewrite was refused"), why

    monkeypatch.setenv("QLAB_LLM_URL", model_url.rsplit(":", 1)[0] + ":9")  # nobody listens
    unreachable = theme_synthesis(themed, theme, 4, documents)
    assert unreachable.text == extractive.text and "cannot reach" in unreachable.how


def test_a_draft_keeps_the_extractive_synthesis_when_the_model_invents(themed, model_url):
    engine = themed.store.engine
    chosen = [t["id"] for t in active_themes(engine)[:2]]
    FakeModel.rewrite = staticmethod(REWRITES["invents a quotation"])
    refused = draft_essay(themed, "author", theme_ids=chosen, length="short")
    FakeModel.rewrite = staticmethod(_faithful)
    rewritten = draft_essay(themed, "author", theme_ids=chosen, length="short")
    for essay_id, how in ((refused, "extractive (the model's"), (rewritten, "model")):
        essay = store.load_essay(engine, essay_id)
        for section in essay["sections"][1:-1]:
            assert section["grounding"]["synthesis"].startswith(how)
        assert "pure magic" not in "".join(s["body"] for s in essay["sections"])
        assert check_essay(engine, essay_id) == []
    body = store.load_essay(engine, rewritten)["sections"][1]["body"]
    assert "In the Lab's own words, “" in body
