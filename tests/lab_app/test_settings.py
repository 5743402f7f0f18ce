"""Settings: every field documented with a default and a variable; the environment overrides."""

from pathlib import Path

import pytest

from lab_app.settings import Settings, describe


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
