"""A local model's theme names are kept only when grounded (a tiny HTTP server answers as an
OpenAI-compatible model would: that fakes the external service, never our code)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from lab_app.themes import model_names as theme_llm

EXTRACTS = [
    "The bus to the group only runs twice a day from our village.",
    "Rural transport is the main reason people stop coming to groups.",
    "No bus on Sundays means I miss the Sunday peer group.",
]
GROUNDED = {
    "name": "Rural transport to groups",
    "summary": "People miss groups because the bus from the village runs rarely.",
    "quotes": ["only runs twice a day", "Rural transport is the main reason"],
}
HALLUCINATED = {
    "name": "Rural transport to groups",
    "summary": "Taxi vouchers funded by the council solved travel for everyone.",
    "quotes": ["the council pays for taxis"],
}


@pytest.fixture
def model_server():
    answers = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server name)
            self.rfile.read(int(self.headers["Content-Length"]))
            content = "Here you are:\n" + json.dumps(answers[-1])
            body = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield answers, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_grounded_proposal_is_accepted(model_server):
    answers, url = model_server
    answers.append(GROUNDED)
    label, summary = theme_llm.improve("Bus", EXTRACTS, url)
    assert label == "Rural transport to groups"
    assert summary == GROUNDED["summary"]


def test_a_hallucinating_proposal_is_refused(model_server):
    answers, url = model_server
    answers.append(HALLUCINATED)
    assert theme_llm.refusal(HALLUCINATED, EXTRACTS) == (
        "a quoted phrase is not verbatim in the theme's extracts"
    )
    assert theme_llm.improve("Bus", EXTRACTS, url) == ("Bus", None)
    invented = dict(GROUNDED, summary="Taxi vouchers funded by the council solved it.")
    assert theme_llm.refusal(invented, EXTRACTS) == "the summary is not grounded in the extracts"
    named = dict(GROUNDED, name="Kayleigh and the buses")
    assert "not a clean" in theme_llm.refusal(named, EXTRACTS + ["Thanks Kayleigh"])


def test_an_unreachable_model_leaves_the_built_in_label():
    assert theme_llm.improve("Bus", EXTRACTS, "http://127.0.0.1:9") == ("Bus", None)
