"""The Ideas page on the themed demo Lab: staff accept a suggested planted idea, participants back
it and comment, staff change its status and merge; quotes honour consent; no user text as HTML."""

from __future__ import annotations

import pytest

from lab_app.core.settings import Settings
from lab_app.material.consent import set_consent
from lab_app.workspace import Workspace
from lab_app.year import ideas
from lab_app.year import suggestions as idea_suggestions
from tests.corpus.truth import TRUTH
from tests.ui.conftest import TEST_ACCOUNTS

HOSTILE = "Yes <script>alert(1)</script> and [click](http://evil.example)"


@pytest.fixture
def ws(app_home):
    return Workspace(Settings.from_env(home=app_home))


def _planted_candidate(ws, idea: str) -> dict:
    post = next(t["post"] for t in TRUTH["ideas_timeline"]
                if t["idea"] == idea and t["stance"] == "proposes")  # fmt: skip
    for candidate in idea_suggestions.suggest_ideas(ws):
        if post in {_post(ws, e) for e in candidate["proposals"]}:
            return candidate
    raise AssertionError(f"{idea} not suggested")


def _post(ws, extract_id: str) -> str | None:
    from sqlalchemy import select

    from lab_app.core.schema import extracts

    with ws.store.engine.connect() as conn:
        meta = conn.execute(select(extracts.c.meta).where(extracts.c.id == extract_id)).scalar()
    return (meta or {}).get("id")


def _written(at) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def test_staff_accept_a_suggested_idea_and_participants_back_it(open_page, ws):
    at = open_page("ideas")
    assert not at.exception, at.exception
    candidate = _planted_candidate(ws, "local-directory")
    title_key = f"ideas-candidate-title-{candidate['central']}"
    assert at.text_input(key=title_key).value == candidate["title"]
    at.text_input(key=title_key).input("One local directory kept up to date by the groups")
    at.button(key=f"ideas-accept-{candidate['central']}").click().run()
    assert not at.exception, at.exception
    (idea,) = ideas.list_ideas(ws.store.engine)
    assert idea["title"] == "One local directory kept up to date by the groups"
    assert idea["themes"]
    assert "ideas-participant" not in [t.key for t in at.text_input]  # no name to type
    at.button(key="ideas-support").click().run()
    assert ideas.list_ideas(ws.store.engine)[0]["supporters"] == 1
    assert at.button(key="ideas-support").label == "Withdraw my backing"
    at.text_area(key="ideas-comment-text").input(HOSTILE)
    at.button(key="ideas-comment-submit").click().run()
    assert not at.exception, at.exception
    (comment,) = ideas.get_idea(ws.store.engine, idea["id"])["comments"]
    # Staff acting on the page act as themselves: the signed-in account.
    assert (comment["author"], comment["text"]) == (TEST_ACCOUNTS["staff"], HOSTILE)
    written = _written(at)
    assert "<script>" not in written and "](http" not in written
    assert "alert" in written  # shown, as inert text


def test_staff_change_status_and_merge(open_page, ws):
    engine = ws.store.engine
    keep = ideas.create_idea(engine, "Taster sessions", "staff-a")
    fold = ideas.create_idea(engine, "Try before you commit", "staff-a")
    at = open_page("ideas")
    at.selectbox(key="ideas-selected").set_value(keep).run()
    at.selectbox(key=f"ideas-status-{keep}").set_value("testing").run()
    at.text_input(key=f"ideas-status-note-{keep}").input("two services trying it")
    at.button(key="ideas-status-save").click().run()
    assert not at.exception, at.exception
    history = ideas.get_idea(engine, keep)["history"]
    assert (history[-1]["status"], history[-1]["detail"]["note"]) == (
        "testing", "two services trying it"
    )  # fmt: skip
    assert "testing" in _written(at)
    at.multiselect(key="ideas-merge-from").set_value([fold]).run()
    at.button(key="ideas-merge-submit").click().run()
    assert ideas.get_idea(engine, fold)["merged_into"] == keep
    assert [r["id"] for r in ideas.list_ideas(engine)] == [keep]


def test_quotes_are_shown_only_with_consent(open_page, ws):
    engine = ws.store.engine
    candidate = _planted_candidate(ws, "gp-peer-navigators")
    idea = idea_suggestions.accept_candidate(
        engine, candidate, "staff-a", title="Peer navigators in GPs"
    )
    texts = ws.store.extracts_by_ids(candidate["extract_ids"])
    proposer = texts[candidate["central"]]["person"]
    set_consent(engine, "person", proposer, "staff-a", show_to_participants=False)
    at = open_page("ideas")
    at.selectbox(key="ideas-selected").set_value(idea).run()
    assert not at.exception, at.exception
    quotes = [m.value for m in at.markdown if m.value.startswith("> ")]
    hidden = [t["text"] for t in texts.values() if t["person"] == proposer]
    assert quotes and hidden
    first_words = [" ".join(t.split()[:4]) for t in hidden]
    assert not [w for w in first_words if any(w in q.replace("\\", "") for q in quotes)]
    assert "not shown" in _written(at)


def test_a_participant_backs_and_comments_under_their_account_name(open_page, ws):
    engine = ws.store.engine
    idea_id = ideas.create_idea(engine, "Evening groups in libraries", "staff-a")
    at = open_page("ideas", role="participant")
    assert not at.exception, at.exception
    assert "ideas-participant" not in [t.key for t in at.text_input]
    assert "ideas-status-save" not in [b.key for b in at.button]  # no staff tools
    at.button(key="ideas-support").click().run()
    at.text_area(key="ideas-comment-text").input("Thursdays would suit me")
    at.button(key="ideas-comment-submit").click().run()
    assert not at.exception, at.exception
    idea = ideas.get_idea(engine, idea_id)
    name = TEST_ACCOUNTS["participant"]
    assert [s["participant"] for s in idea["supporters"]] == [name]
    assert [(c["author"], c["text"]) for c in idea["comments"]] == [
        (name, "Thursdays would suit me")
    ]
