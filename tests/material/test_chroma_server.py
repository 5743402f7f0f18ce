"""QLAB_CHROMA_URL: the index lives in a `chroma run` server instead of the workspace folder."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lab_app.core.settings import Settings
from lab_app.workspace import Workspace

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path):
    if not CHROMA.exists():
        pytest.skip("the chroma command is not beside this Python (chromadb not installed?)")
    port = _free_port()
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("chroma run did not start within 60 s")
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_ingest_search_and_check_against_a_chroma_server(chroma_url, tmp_path, eval_path):
    settings = Settings.from_env(home=tmp_path / "ws", environ={"QLAB_CHROMA_URL": chroma_url})
    workspace = Workspace(settings)
    doc = eval_path("documents", "strategyunit__background.md")
    (outcome,) = workspace.ingest([doc])
    assert outcome.status == "ingested"
    assert not (settings.home / "chroma").exists()  # nothing indexed in the workspace folder
    assert workspace.index.count() == outcome.extracts
    assert workspace.search("patient experience", k=1)[0]["source"].endswith("background.md")
    assert workspace.check().ok
    # A second process's view over the same server and store sees the same index.
    other = Workspace(settings)
    assert other.check().ok and other.status()["indexed"] == outcome.extracts
