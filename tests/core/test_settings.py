"""Settings: every field documented with a default and a variable; the environment overrides."""

import re
from pathlib import Path

import pytest

from lab_app.core.settings import Settings, describe, setting

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\bQLAB_[A-Z][A-Z_]*[A-Z]\b")


def _variables_in(*folders: str, suffixes=(".py",)) -> set[str]:
    found = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and (path.suffix in suffixes or path.name in suffixes):
                found |= set(VARIABLE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_variable_the_code_reads_is_a_setting_and_documented():
    settings = {env for _name, env, *_ in describe()}
    used = _variables_in("lab_app", "ingest")
    assert used <= settings, f"read but not a setting: {sorted(used - settings)}"
    documented = set(VARIABLE.findall((ROOT / "docs" / "settings.md").read_text("utf-8")))
    assert settings <= documented, f"not in docs/settings.md: {sorted(settings - documented)}"
    # The tests' own switches (CI's QLAB_REQUIRE_*, the server URLs) are documented there too.
    testing = _variables_in("tests", "bench", ".ci", suffixes=(".py", "run", ".sh"))
    testing |= set(VARIABLE.findall((ROOT / "Makefile").read_text("utf-8")))
    assert testing <= documented, f"not in docs/settings.md: {sorted(testing - documented)}"


def test_one_setting_reads_alone_and_a_bad_neighbour_cannot_break_it():
    environ = {"QLAB_USER": "lab-staff", "QLAB_BATCH_SIZE": "many"}
    assert setting("user", environ) == "lab-staff"
    assert setting("llm_model", environ) == "local"  # its default
    with pytest.raises(ValueError, match="QLAB_SESSION_MINUTES"):
        setting("session_minutes", {"QLAB_SESSION_MINUTES": "an hour"})


def test_every_setting_has_a_variable_default_and_help():
    rows = describe()
    assert {name for name, *_ in rows} >= {"home", "database_url", "chroma_url", "embedding_model"}
    for name, env, _default, help_text in rows:
        assert env.startswith("QLAB_"), name
        assert len(help_text) > 20, name


def test_environment_and_home_flag():
    environ = {"QLAB_HOME": "/srv/lab", "QLAB_DATABASE_URL": "postgresql://u@127.0.0.1/q"}
    settings = Settings.from_env(environ=environ)
    assert settings.home == Path("/srv/lab")
    assert settings.sqlalchemy_url == "postgresql://u@127.0.0.1/q"
    assert Settings.from_env(home="elsewhere", environ=environ).home == Path("elsewhere")


def test_default_store_is_sqlite_in_the_workspace(tmp_path):
    settings = Settings.from_env(home=tmp_path, environ={})
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert settings.chroma_path == tmp_path / "chroma"


def test_a_bad_number_names_the_variable():
    with pytest.raises(ValueError, match="QLAB_BATCH_SIZE"):
        Settings.from_env(environ={"QLAB_BATCH_SIZE": "many"})
