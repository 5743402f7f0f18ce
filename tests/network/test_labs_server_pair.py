"""Cross-Lab search on the PostgreSQL + Chroma server pair: each Lab a schema of the one
database and a collection of the one Chroma server; consent honoured per Lab."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect

from lab_app.core.settings import Settings
from lab_app.network import cross_search, members
from lab_app.network.registry import DEFAULT, schema_name
from tests.network import two_labs


@pytest.fixture
def servers():
    if not (os.environ.get("QLAB_TEST_DATABASE_URL") and os.environ.get("QLAB_TEST_CHROMA_URL")):
        reason = "needs QLAB_TEST_DATABASE_URL and QLAB_TEST_CHROMA_URL (.ci/run starts both)"
        if os.environ.get("QLAB_REQUIRE_SERVERS") == "1":
            pytest.fail(reason + " and QLAB_REQUIRE_SERVERS=1")
        pytest.skip(reason)
    return Settings.from_env()  # conftest gave this test its own database and collection


def test_labs_on_the_server_pair_keep_apart_and_search_across(servers, eval_path, tmp_path):
    built = two_labs.build(servers, eval_path, tmp_path)
    deployment, hidden = built["deployment"], built["hidden"]
    try:
        engine = create_engine(servers.database_url)
        schemas = set(inspect(engine).get_schema_names())
        assert {schema_name("north-east"), schema_name("south-west")} <= schemas
        tables = inspect(engine).get_table_names(schema=schema_name("north-east"))
        assert {"extracts", "users", "consent"} <= set(tables)
        engine.dispose()
        for slug in two_labs.TRUSTS:  # each Lab's own collection holds its own extracts
            ws = deployment.workspace(slug)
            assert ws.index.count() == len(built["texts"][slug]) == ws.stored_status()["extracts"]
        assert not any(servers.home.rglob("*.sqlite3")) and not any(servers.home.rglob("chroma"))
        searched = cross_search.searchable_labs(deployment, "alice")
        assert [lab.slug for lab in searched] == [DEFAULT, "north-east"]
        for text in hidden:
            results = cross_search.search(deployment, text, searched, k=8)
            assert results and not {hit["text"] for hit in results} & set(hidden)
            assert all(hit["text"] in built["texts"][hit["lab"]] for hit in results)
        assert [m.lab.slug for m in members.memberships(deployment, "bob")] == ["north-east"]
    finally:
        deployment.close()
