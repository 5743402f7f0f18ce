"""Tensions on the demo Lab: the planted tensions and the survey's Likert split are found,
recomputes keep ids and staff decisions, votes that split camps become a tension."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
from sqlalchemy import select

from lab_app.cli.qlab import main
from lab_app.core.schema import audit, theme_members
from lab_app.core.settings import Settings
from lab_app.opinions import participation, tensions
from lab_app.opinions import signals as tension_signals
from lab_app.workspace import Workspace
from tests.corpus.truth import TRUTH, truth_extracts


@pytest.fixture(scope="module")
def tension_home(themed_home, tmp_path_factory):
    """The themed demo Lab with tensions computed, once for this module."""
    home = tmp_path_factory.mktemp("tension-demo")
    shutil.copytree(themed_home, home, dirs_exist_ok=True)
    workspace = Workspace(Settings.from_env(home=home))
    tensions.refresh(workspace, "tester")
    return home


@pytest.fixture
def ws(tension_home, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(tension_home, home)
    return Workspace(Settings.from_env(home=home))


def planted_sides(engine) -> dict[str, tuple[str, int]]:
    """extract id -> (planted tension, side), from the truth items that name a side."""
    items = truth_extracts(engine, lambda item: "tension" in item and item.get("side") is not None)
    return {extract_id: (item["tension"], item["side"]) for extract_id, item in items.items()}


def test_the_likert_question_by_role_is_an_attribute_tension(ws):
    survey = TRUTH["survey"]
    rows = [
        r
        for r in tensions.list_tensions(ws.store.engine)
        if r["signal"] == "attributes" and r["measures"]["question"] == survey["likert_question"]
    ]
    by_role = [r for r in rows if "connection to peer support" in r["measures"]["grouped_by"]]
    assert len(by_role) == 1
    tension = by_role[0]
    roles = {"carer": "carer", "clinician": "clinician", "commission": "commissioner",
             "lived experience": "lived-experience", "peer worker": "peer-worker",
             "voluntary": "voluntary-sector"}  # fmt: skip

    def role_of(value: str) -> str:
        return next(role for word, role in roles.items() if word in value.lower())

    for group in tension["measures"]["groups"]:
        truth = survey["likert_by_role"][role_of(group["value"])]
        assert group["n"] >= tension_signals.MIN_GROUP
        # Respondents without any free-text answer are not in the store: never more than truth.
        assert group["agree"] <= truth["Agree"] + truth["Strongly agree"]
        assert group["disagree"] <= truth["Disagree"] + truth["Strongly disagree"]
    agree_side, disagree_side = tension["sides"]
    agreeing = {role_of(v) for v in agree_side["groups"]}
    disagreeing = {role_of(v) for v in disagree_side["groups"]}
    # truth: clinicians and commissioners lean one way, lived experience and peer workers the other
    assert {"clinician", "commissioner"} <= agreeing
    assert {"lived-experience", "peer-worker"} <= disagreeing
    assert agree_side["extract_ids"] and disagree_side["extract_ids"]


def test_planted_tensions_are_found_in_their_themes(ws):
    engine = ws.store.engine
    sides = planted_sides(engine)
    with engine.connect() as conn:
        query = select(theme_members.c.extract_id, theme_members.c.theme_id).where(
            theme_members.c.status == "placed"
        )
        placed = {row.extract_id: row.theme_id for row in conn.execute(query)}
    found = tensions.list_tensions(engine)
    for planted in TRUTH["tensions"]:
        items = [e for e, (name, _) in sides.items() if name == planted["id"]]
        home_theme = Counter(placed[e] for e in items if e in placed).most_common(1)[0][0]
        candidates = [t for t in found if home_theme in t["themes"] and len(t["sides"]) == 2]
        assert candidates, f"nothing found in the theme of {planted['id']}"
        best = set()
        for tension in candidates:
            held = {e for side in tension["sides"] for e in side["extract_ids"]}
            best = max(best, {sides[e][1] for e in held if sides.get(e, ("",))[0] == planted["id"]},
                       key=len)  # fmt: skip
        assert best == {0, 1}, f"{planted['id']}: both planted sides should be in the evidence"


def test_recompute_keeps_ids_and_staff_decisions(ws):
    engine = ws.store.engine
    first = {r["id"]: r for r in tensions.list_tensions(engine)}
    chosen, other = sorted(first)[:2]
    tensions.confirm(engine, chosen, "staff-a")
    tensions.dismiss(engine, other, "staff-a")
    result = tensions.refresh(ws, "staff-b")
    assert result["new"] == 0
    after = {r["id"]: r for r in tensions.list_tensions(engine, include_dismissed=True)}
    assert set(first) <= set(after)
    assert after[chosen]["status"] == "confirmed" and after[other]["status"] == "dismissed"
    assert other not in {r["id"] for r in tensions.list_tensions(engine)}
    events = [h["event"] for h in tensions.history(engine, chosen)]
    assert events[0] == "found" and "confirmed" in events
    with engine.connect() as conn:
        trail = conn.execute(select(audit).where(audit.c.target == chosen)).all()
    assert [row.action for row in trail] == ["tension.confirmed"]
    assert all(set(row.detail) <= {"from", "to", "note_chars"} for row in trail)


def test_deciding_needs_a_known_tension_and_status(ws):
    with pytest.raises(ValueError, match="no tension"):
        tensions.confirm(ws.store.engine, "X-missing", "staff")
    some = tensions.list_tensions(ws.store.engine)[0]["id"]
    with pytest.raises(ValueError, match="status must be"):
        tensions.decide(ws.store.engine, some, "maybe", "staff")


def test_votes_that_split_two_camps_become_a_vote_tension(ws, capsys):
    engine = ws.store.engine
    quotes = participation.theme_quotes(engine, ws.list_themes()[0]["id"], limit=8)
    statements = [q["extract_id"] for q in quotes]
    divisive, shared = statements[:4], statements[4:]
    for person in range(24):
        camp = 1 if person < 14 else -1
        for statement in divisive:
            participation.vote(engine, f"person-{person}", statement, camp)
        for statement in shared:
            participation.vote(engine, f"person-{person}", statement, 1)
    tensions.refresh(ws, "staff")
    found = [r for r in tensions.list_tensions(engine) if r["signal"] == "votes"]
    assert {r["measures"]["statement"] for r in found} == set(divisive)
    for tension in found:
        assert [s["label"] for s in tension["sides"]] == ["agree", "disagree"]
    assert main(["--home", str(ws.settings.home), "tensions", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {r["signal"] for r in printed} == {"votes", "attributes", "text"}
    assert all(len(r["sides"]) == 2 and r["themes"] for r in printed if r["signal"] != "votes")
