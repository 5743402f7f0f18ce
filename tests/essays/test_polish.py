"""Prose polishing through an OpenAI-compatible server: a rewrite keeping every quotation
verbatim is saved as a new version; one altering a quotation or inventing a source is refused."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lab_app.essays import store
from lab_app.essays.polish import polish_section
from lab_app.essays.store import Section
from lab_app.essays.writing import blockquote, inline_quote, sentences

PROSE_BEFORE = "People told us this."
PROSE_AFTER = "Across the year, participants told the Lab something it kept hearing."


class FakeModel(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions like a local model server; `rewrite` decides the answer."""

    rewrite = staticmethod(lambda section: section)
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        length = int(self.headers["Content-Length"])
        payload = json.loads(self.rfile.read(length))
        FakeModel.requests.append({"path": self.path, "payload": payload})
        section = payload["messages"][-1]["content"]
        answer = {"choices": [{"message": {"role": "assistant",
                                           "content": FakeModel.rewrite(section)}}]}  # fmt: skip
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def model_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeModel.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def essay(workspace, tmp_path):
    """A real extract in a real workspace, quoted in one section of a saved essay."""
    folder = tmp_path / "material"
    folder.mkdir()
    (folder / "notes.md").write_text(
        "# Notes from the Lab\n\nThe group met on Thursdays in the library. Nobody had told "
        "any of us that peer support existed until a neighbour mentioned it. Once we found "
        "it, the waiting list was shorter than for anything else we had tried.\n",
        encoding="utf-8",
    )
    assert [o.status for o in workspace.ingest([folder])] == ["ingested"]
    row = next(iter(workspace.store.extracts_by_ids(list(workspace.store.extract_ids())).items()))
    extract_id, text = row[0], row[1]["text"]
    sentence = next(s for s in sentences(text) if s.startswith("Nobody"))
    body = (
        f"### What we heard\n\n{PROSE_BEFORE} {inline_quote(sentence, extract_id)}\n\n"
        f"{blockquote(text.split(chr(10))[-1].strip(), 'workshop notes', extract_id)}\n"
    )
    engine = workspace.store.engine
    essay_id = store.create_essay(
        engine, "Test essay", "the Lab team", "short", {"themes": []},
        [Section("theme:T-001", "Finding peer support", body)], "author",
    )  # fmt: skip
    return engine, essay_id, body, sentence


def test_a_rewrite_keeping_quotes_verbatim_is_saved(essay, model_server):
    engine, essay_id, body, _ = essay
    FakeModel.rewrite = staticmethod(lambda section: section.replace(PROSE_BEFORE, PROSE_AFTER))
    assert polish_section(engine, essay_id, "theme:T-001", "author", url=model_server) == 2
    saved = store.section_of(store.load_essay(engine, essay_id), "theme:T-001")
    assert PROSE_AFTER in saved["body"] and saved["edited"]
    request = FakeModel.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["payload"]["messages"][-1]["content"] == body
    assert "character for character" in request["payload"]["messages"][0]["content"]


def test_a_rewrite_altering_a_quote_is_refused(essay, model_server):
    engine, essay_id, body, sentence = essay
    FakeModel.rewrite = staticmethod(
        lambda section: section.replace(sentence, sentence.replace("Nobody", "No one"))
    )
    with pytest.raises(ValueError, match="refused.*not word for word"):
        polish_section(engine, essay_id, "theme:T-001", "author", url=model_server)
    saved = store.section_of(store.load_essay(engine, essay_id), "theme:T-001")
    assert saved["body"] == body and saved["version"] == 1


def test_a_rewrite_citing_a_new_source_is_refused(essay, model_server):
    engine, essay_id, body, sentence = essay
    FakeModel.rewrite = staticmethod(
        lambda section: section + f"\n\nAlso “{sentence}” [#0123456789abcdef0123]\n"
    )
    with pytest.raises(ValueError, match="refused"):
        polish_section(engine, essay_id, "theme:T-001", "author", url=model_server)
    assert store.section_of(store.load_essay(engine, essay_id), "theme:T-001")["version"] == 1


def test_polishing_is_off_without_a_model_server(essay, monkeypatch):
    engine, essay_id, _, _ = essay
    monkeypatch.delenv("QLAB_LLM_URL", raising=False)
    with pytest.raises(ValueError, match="set QLAB_LLM_URL"):
        polish_section(engine, essay_id, "theme:T-001", "author")


def test_an_unreachable_server_is_one_clear_error(essay, model_server):
    engine, essay_id, _, _ = essay
    with pytest.raises(ValueError, match="cannot reach the model server"):
        polish_section(engine, essay_id, "theme:T-001", "author", url="http://127.0.0.1:9")
