"""The Tensions page on a themed demo Lab: both sides quoted within consent, staff decisions,
and the opinion-groups chart once people have voted."""

from __future__ import annotations

import pytest

from lab_app.core.settings import Settings
from lab_app.material.consent import set_consent
from lab_app.material.store import extracts_by_ids
from lab_app.opinions import participation, tensions
from lab_app.ui.components import safe_markdown
from lab_app.workspace import Workspace


@pytest.fixture
def ws(app_home):
    workspace = Workspace(Settings.from_env(home=app_home))
    tensions.refresh(workspace, "staff")
    return workspace


def quotes(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("> ")]


def test_tensions_show_both_sides_and_staff_can_confirm(ws, open_page):
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
    assert f"tension-dismiss-{text['id']}" not in {b.key for b in at.button if b.key}


def test_quotes_honour_consent(ws, open_page):
    engine = ws.store.engine
    text = next(r for r in tensions.list_tensions(engine) if r["signal"] == "text")
    first = text["sides"][0]["quotes"][0]
    row = extracts_by_ids(engine, [first])[first]
    at = open_page("tensions")
    shown = "\n".join(quotes(at))
    opening = safe_markdown(row["text"].splitlines()[0])
    assert opening in shown
    if row["person"]:
        set_consent(engine, "person", row["person"], "staff", show_to_participants=False)
    else:
        set_consent(engine, "source", row["source"], "staff", show_to_participants=False)
    at = open_page("tensions")
    assert not at.exception, at.exception
    assert opening not in "\n".join(quotes(at))
    assert any("did not agree" in c.value for c in at.caption)


def test_opinion_groups_chart_appears_with_votes(ws, open_page):
    engine = ws.store.engine
    at = open_page("tensions")
    assert not any(
        getattr(e, "key", None) == "tensions-groups-chart" for e in at.get("plotly_chart")
    )
    quoted = participation.theme_quotes(engine, ws.list_themes()[0]["id"], limit=8)
    for person in range(20):
        for number, quote in enumerate(quoted):
            value = (1 if person % 2 else -1) if number < 4 else 1
            participation.vote(engine, f"voter-{person}", quote["extract_id"], value)
    at = open_page("tensions")
    assert not at.exception, at.exception
    assert at.get("plotly_chart"), "the opinion groups chart should be drawn"
    assert any(m.value.startswith("2 groups") or "2 groups" in m.value for m in at.caption)
