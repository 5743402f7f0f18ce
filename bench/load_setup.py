"""The load bench's stage: a Lab to serve, an account per client, `qlab serve` processes."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "load-participant-{:03d}"  # the bench's accounts, one per client
SERVER_START_S = 600  # a loaded 2-core machine takes minutes to import torch and warm up


def server_environ(database_url: str = "", chroma_url: str = "", collection: str = "") -> dict:
    """The environment of the bench's servers: this one without any QLAB_ setting, so a
    workspace named elsewhere is never touched, then only the servers asked for."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QLAB_")}
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    if database_url:
        env["QLAB_DATABASE_URL"] = database_url
    if chroma_url:
        env["QLAB_CHROMA_URL"], env["QLAB_COLLECTION"] = chroma_url, collection
    return env


def open_workspace(home: Path, env: dict):
    from lab_app.core.settings import Settings
    from lab_app.workspace import Workspace

    return Workspace(Settings.from_env(home=home, environ=env))


def prepare_lab(home: Path, env: dict, lab: Path | None) -> None:
    """Fill the (empty) workspace at home, on the servers env names: a copy of the Lab in
    `lab` (a workspace folder; copied, then restored from a backup of the copy when the store
    is a server), or the demo Lab loaded fresh with what its first start adds (themes, ideas,
    tensions), as `make run` does. The Lab in `lab` is only read."""
    from lab_app.demo import first_look, load_demo
    from lab_app.material.backup import backup, restore

    on_servers = bool(env.get("QLAB_DATABASE_URL") or env.get("QLAB_CHROMA_URL"))
    if lab is not None and not on_servers:
        shutil.copytree(lab, home)
        return
    target = open_workspace(home, env)
    if lab is not None:
        with tempfile.TemporaryDirectory() as tmp:
            copy, archive = Path(tmp) / "lab", Path(tmp) / "lab.zip"
            shutil.copytree(lab, copy)
            source = open_workspace(copy, {})  # no QLAB_ setting: the copy's own SQLite
            backup(source, archive, who="load-bench")
            source.store.engine.dispose()
            restore(target, archive, who="load-bench")  # refuses a store that holds data
    else:
        outcomes = list(load_demo(target))
        refused = [o for o in outcomes if o.status == "refused"]
        if refused:
            raise RuntimeError(f"the demo Lab did not load: {refused[0].reason}")
        first_look(target)
    target.store.engine.dispose()


def make_accounts(home: Path, env: dict, clients: int) -> str:
    """One participant account per client, all with one random password made now; returns it.
    Accounts left by an earlier run on the same store get the new password."""
    from lab_app.people import accounts

    password = secrets.token_urlsafe(12)
    engine = open_workspace(home, env).store.engine
    for number in range(clients):
        name = ACCOUNT.format(number)
        if accounts.get_user(engine, name) is None:
            accounts.add_user(engine, name, "participant", password=password, who="load-bench")
        else:
            accounts.set_password(engine, name, password, who="load-bench")
    engine.dispose()
    return password


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


class Server:
    """`qlab --home HOME serve --port PORT` in its own process group, its output in a log."""

    def __init__(self, home: Path, env: dict, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self._log = log.open("w")
        command = [sys.executable, "-m", "lab_app.cli", "--home", str(home), "serve"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so the Streamlit child ends with it
        )
        self.started_s = 0.0

    def wait_ready(self, limit: float = SERVER_START_S) -> None:
        """Until /_stcore/health answers; note how long the start took (warm-up included)."""
        start = time.monotonic()
        while not healthy(self.url):
            if self.process.poll() is not None or time.monotonic() - start > limit:
                self._log.flush()
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.url} did not start within {limit:.0f} s:\n{tail}")
            time.sleep(0.25)
        self.started_s = time.monotonic() - start

    def app_pid(self) -> int:
        """The Streamlit process under `qlab serve` (its only child), for a profiler."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        return int(pids[0]) if pids else self.process.pid

    def stop(self) -> None:
        """End the server and its Streamlit child (their own process group)."""
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=wait)
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        self._log.close()
