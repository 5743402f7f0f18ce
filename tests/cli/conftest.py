"""The command line run through its own main in this process (the model loads once per test
session, not once per command); tests/cli/test_qlab.py runs the real `qlab` process."""

from __future__ import annotations

import subprocess

import pytest

from lab_app.cli.qlab import main


@pytest.fixture
def run_qlab(capsys, monkeypatch):
    """run_qlab(ARGS..., user=NAME) -> CompletedProcess of `qlab ARGS` as QLAB_USER=NAME."""

    def run(*args, user: str | None = None) -> subprocess.CompletedProcess:
        if user is not None:
            monkeypatch.setenv("QLAB_USER", user)
        capsys.readouterr()
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    return run
