"""The Tensions page on a themed demo Lab: participants read plain words and never the staff's
measures or unreviewed text suggestions; staff confirm and dismiss, and every action checks the
staff role on the server: a participant's or a signed-out session's click changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lab_app.core.schema import audit
from lab_app.core.settings import Settings
from lab_app.material.consent import set_consent
from lab_app.material.reads import extracts_by_ids
from lab_app.opinions import participation, tensions
from lab_app.ui.auth import SESSION_KEY
from lab_app.ui.components import safe_markdown
from lab_app.workspace import Workspace
from tests.ui.conftest import signed_in


@pytest.fixture
def ws(app_home):
    workspace = Workspace(Settings.from_env(home=app_home))
    tensions.refresh(workspace, "staff")
    return workspace


def quotes(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("> ")]


def page_text(at) -> str:
    parts = [h.value for h in at.subheader] + [m.value for m in at.markdown]
    return "\n".join(parts + [c.value for c in at.caption])


def test_staff_confirm_and_dismiss(ws, open_page):
    engine = ws.store.engine
    at = open_page("tensions")
    assert not at.exception, at.exception
    listed = tensions.list_tensions(engine)
    buttons = {b.key for b in at.button if b.key}
    assert {f"tension-confirm-{r['id']}" for r in listed} <= buttons
    assert quotes(at), "the sides should be quoted"
    attribute = next(r for r in listed if r["signal"] == "attributes")
    at.button(key=f"tension-confirm-{attribute['id']}").click().run()
    assert not at.exception, at.exception
    assert tensions.get(engine, attribute["id"])["status"] == "confirmed"
    assert f"tension-confirm-{attribute['id']}" not in {b.key for b in at.button if b.key}
    text = next(r for r in listed if r["signal"] == "text")
    at.button(key=f"tension-dismiss-{text['id']}").click().run()
    assert tensions.get(engine, text["id"])["status"] == "dismissed"


def test_participants_read_plain_words(ws, open_page):
    engine = ws.store.engine
    at = open_page("tensions", role="participant")
    assert not at.exception, at.exception
    shown = page_text(at)
    attribute = next(r for r in tensions.list_tensions(engine) if r["signal"] == "attributes")
    assert safe_markdown(attribute["title"]) in shown
    assert "Mostly agree" in shown and "Mostly disagree" in shown
    for staff_only in ("Cramér", "p-value", "Divisiveness", "Recompute", "stance"):
        assert staff_only not in shown
    assert not [b for b in at.button if (b.key or "").startswith("tension-")]
    assert not at.get("plotly_chart") and not at.dataframe
    for row in tensions.list_tensions(engine):
        if row["signal"] == "text":  # unreviewed text suggestions stay with staff
            assert safe_markdown(row["title"]) not in shown


@pytest.mark.parametrize("who", ["participant", None])
def test_a_click_that_is_not_staff_is_refused(ws, open_page, who):
    """The buttons a staff page drew, clicked after the session became a participant's or
    signed out: the callback checks the role itself, refuses, and nothing changes."""
    engine = ws.store.engine
    target = tensions.list_tensions(engine)[0]
    at = open_page("tensions")
    before = _trail(engine)
    if who is None:
        del at.session_state[SESSION_KEY]
    else:
        signed_in(at, who)
    at.button(key=f"tension-confirm-{target['id']}").click().run()
    assert tensions.get(engine, target["id"])["status"] == target["status"]
    assert _trail(engine) == before
    assert any("Only Lab staff" in e.value for e in at.error) or who is None
    again = open_page("tensions")
    if who is None:
        del again.session_state[SESSION_KEY]
    else:
        signed_in(again, who)
    again.button(key="tensions-refresh").click().run()
    assert tensions.get(engine, target["id"])["updated_at"] == target["updated_at"]
    assert _trail(engine) == before


def _trail(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit)).scalar_one()


def test_quotes_honour_consent(ws, open_page):
    engine = ws.store.engine
    text = next(r for r in tensions.list_tensions(engine) if r["signal"] == "text")
    wanted = text["sides"][0]["quotes"]
    allowed = participation.shown_to_participants(engine, wanted)
    first = next(e for e in wanted if e in allowed)  # some authors never agreed to be quoted
    row = extracts_by_ids(engine, [first])[first]
    tensions.confirm(engine, text["id"], "staff")  # confirmed: participants see it first
    at = open_page("tensions", role="participant")
    opening = safe_markdown(row["text"].splitlines()[0])
    assert opening in "\n".join(quotes(at))
    if row["person"]:
        set_consent(engine, "person", row["person"], "staff", show_to_participants=False)
    else:
        set_consent(engine, "source", row["source"], "staff", show_to_participants=False)
    at = open_page("tensions", role="participant")
    assert not at.exception, at.exception
    assert opening not in "\n".join(quotes(at))
    assert any("did not agree" in c.value for c in at.caption)


def test_where_people_stand_in_plain_words(ws, open_page):
    engine = ws.store.engine
    at = open_page("tensions", role="participant")
    assert "Where people stand" not in page_text(at)  # no votes yet
    quoted = participation.theme_quotes(engine, ws.list_themes()[0]["id"], limit=8)
    for person in range(20):
        for number, quote in enumerate(quoted):
            value = (1 if person % 2 else -1) if number < 4 else 1
            participation.vote(engine, f"voter-{person}", quote["extract_id"], value)
    at = open_page("tensions", role="participant")
    assert not at.exception, at.exception
    shown = page_text(at)
    assert "Where people stand" in shown
    assert "Most of group A and group B agree that" in shown
    assert any(e.label.startswith("What sets group A apart") for e in at.expander)
    staff = open_page("tensions")
    assert staff.get("plotly_chart"), "staff see the opinion map"


def test_a_vote_tension_quotes_its_statement_and_what_each_side_agrees_with(ws, open_page):
    """The title shortens the statement; the page quotes it in full, and under each side the
    statements its groups also agree with."""
    engine = ws.store.engine
    quotes_of_theme = participation.theme_quotes(engine, ws.list_themes()[0]["id"], limit=12)
    # A statement longer than a title holds (120 characters), so the page quotes it in full.
    quotes_of_theme.sort(key=lambda q: len(q["text"]) <= 130)
    statement, *others = [q["extract_id"] for q in quotes_of_theme][:4]
    for voter in range(20):
        camp = 1 if voter < 12 else -1
        participation.vote(engine, f"voter-{voter}", statement, camp)
        for position, other in enumerate(others):
            participation.vote(engine, f"voter-{voter}", other, camp if position else -camp)
    ws.refresh_tensions()
    tension = next(r for r in tensions.list_tensions(engine)
                   if (r["measures"] or {}).get("statement") == statement)  # fmt: skip
    at = open_page("tensions", role="participant")
    assert not at.exception, at.exception
    words = " ".join(extracts_by_ids(engine, [statement])[statement]["text"].split())
    shown = "\n".join(quotes(at))
    assert safe_markdown(words[:80]) in shown
    assert "The statement people voted on:" in page_text(at)
    agreed = [s for side in tension["sides"] for s in side["extract_ids"] if s != statement]
    assert agreed and any(
        safe_markdown(" ".join(extracts_by_ids(engine, [s])[s]["text"].split())[:60]) in shown
        for s in agreed
    )
