"""The people finder on the demo Lab's real words: opted-in members ranked for a question, nobody
who did not opt in, nothing they did not agree to show, and withdrawal taking the profile."""

from __future__ import annotations

import shutil

import pytest

from lab_app.core.audit import read
from lab_app.core.settings import Settings
from lab_app.material.reads import words_of
from lab_app.people import accounts, finder, withdrawal
from lab_app.workspace import Workspace
from tests.people.finder_lab import (
    FINDABLE,
    NAVIGATORS,
    NOT_FINDABLE,
    PENDING_WORDS,
    SAM_WORDS,
    STAFF,
    WITHHELD,
    make_finder_lab,
)


@pytest.fixture(scope="module")
def lab(demo_home, tmp_path_factory):
    return make_finder_lab(demo_home, tmp_path_factory.mktemp("finder") / "home")


def _shown(found) -> list[str]:
    return [person.shown_as for person in found]


def _person(found, account: str):
    return next(p for p in found if p.shown_as == FINDABLE[account][0])


def test_a_question_ranks_the_expert_first(lab):
    assert _shown(finder.find(lab, "who knows about eating disorders"))[0] == "Tam"
    funding = finder.find(lab, "how do I make the funding case to commissioners")
    assert _shown(funding)[0] == "Richard, ICB commissioner"
    rural = finder.find(lab, "who knows about peer support in rural areas")
    assert _shown(rural)[0] == "Sam"
    found = finder.find(lab, "peer support", limit=2)
    assert len(found) == 2 and found[0].score >= found[1].score
    # Nothing of theirs is about this: nobody is listed for the sake of a full page.
    assert finder.find(lab, "the price of diesel for tractors", limit=100) == []


def test_nobody_appears_who_did_not_opt_in_even_when_their_words_match_best(lab):
    question = "volunteering on a peer support phone line and coming off the phone shaking"
    assert lab.search(question, k=1)[0]["person"] == NOT_FINDABLE  # their words match best
    theirs = {row["id"] for row in words_of(lab.store.engine, [NOT_FINDABLE])}
    found = finder.find(lab, question, limit=100)
    assert found, "opted-in people still match on their own evidence"
    assert set(_shown(found)) <= {shown for shown, _ in FINDABLE.values()}
    assert not {m.get("extract_id") for p in found for m in p.matches} & theirs


def test_withheld_and_waiting_words_are_neither_used_nor_shown(lab):
    # Fi's own words match this best, but Fi's consent is withheld: only the expertise counts.
    question = "our trust banned peer workers from WhatsApp groups"
    assert lab.search(question, k=1)[0]["person"] == WITHHELD
    fi = _person(finder.find(lab, question, limit=100), WITHHELD)
    assert fi.parts["words"] == 0 and fi.parts["proposed"] == 0 and fi.matches == []
    # Tam's words still waiting for staff are not in the store, so they count for nothing.
    for person in finder.find(lab, PENDING_WORDS, limit=100):
        assert all("honey" not in m["text"] for m in person.matches)
        assert person.parts["words"] < 0.5


def test_matches_are_their_approved_words_and_their_own_ideas(lab):
    sam = _person(finder.find(lab, "rural carers sharing lifts to a peer group"), "sam@example.org")
    assert sam.matches[0]["kind"] == "words" and sam.matches[0]["text"] == SAM_WORDS
    gp = _person(finder.find(lab, "a peer navigator based in the GP surgery"), "GP_in_Bristol")
    assert gp.parts["proposed"] > 0.5  # the idea's source is their post
    assert any(m["kind"] == "idea" and m["text"] == NAVIGATORS for m in gp.matches)
    assert 1 <= len(gp.matches) <= finder.MAX_MATCHES
    # A long post is shown by its sentences nearest the question, marked where it was cut.
    assert all(len(m["text"]) <= finder.SNIPPET_CHARS + 2 for m in gp.matches)
    cut = [m["text"] for m in gp.matches if m["text"].startswith("…")]
    assert any("peer navigator actually based in the practice" in text for text in cut), cut
    tam = _person(finder.find(lab, "multi-year funding for peer support"), "Tam R")
    assert tam.parts["backed"] > 0.5  # backing counts, a little, and is never shown
    assert all(m["kind"] == "words" for m in tam.matches)


def test_only_the_person_or_staff_change_a_profile_and_words_are_redacted(lab):
    engine = lab.store.engine
    with pytest.raises(PermissionError, match="only staff"):
        finder.set_findable(lab, "Tam R", "Not Tam", "anything at all", who="Rich_ICB")
    assert finder.profile_of(engine, "Tam R")["shown_as"] == "Tam"
    with pytest.raises(ValueError, match="identifier"):
        finder.set_findable(lab, NOT_FINDABLE, "maple@example.org", "psychosis", who=STAFF)
    with pytest.raises(ValueError, match="another findable person"):
        finder.set_findable(lab, NOT_FINDABLE, "TAM", "psychosis", who=NOT_FINDABLE)
    saved = finder.set_findable(
        lab, NOT_FINDABLE, "Maple", "Psychosis; ring me on 07700 900123", who=NOT_FINDABLE
    )
    assert saved["expertise"] == "Psychosis; ring me on [PHONE]"
    assert finder.profile_of(engine, NOT_FINDABLE)["expertise"] == saved["expertise"]
    assert finder.set_unfindable(engine, NOT_FINDABLE, who=NOT_FINDABLE) is True
    assert finder.profile_of(engine, NOT_FINDABLE) is None
    assert finder.set_unfindable(engine, NOT_FINDABLE, who=STAFF) is False
    trail = read(engine, action="finder")
    assert [r["action"] for r in trail[:2]] == ["finder.off", "finder.on"]
    assert all("07700" not in str(r["detail"]) for r in trail)


def test_a_disabled_account_is_not_found(lab, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(lab.settings.home, home)
    ws = Workspace(Settings.from_env(home=home))
    accounts.set_active(ws.store.engine, "Tam R", False, who=STAFF)
    assert "Tam" not in _shown(finder.find(ws, "eating disorders", limit=100))


def test_withdrawal_deletes_the_profile(lab, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(lab.settings.home, home)
    ws = Workspace(Settings.from_env(home=home))
    engine = ws.store.engine
    accounts.add_user(engine, "nina", "participant")
    finder.set_findable(ws, "nina", "Nina", "Eating disorders and recovery groups", who="nina")
    assert {"Tam", "Nina"} <= set(_shown(finder.find(ws, "eating disorders", limit=100)))
    done = withdrawal.withdraw(ws, "Tam R", who=STAFF, rebuild_themes=False)
    assert done.finder_profiles == 1 and done.summary()["finder_profiles"] == 1
    assert finder.profile_of(engine, "Tam R") is None
    assert "Tam" not in _shown(finder.find(ws, "eating disorders", limit=100))
    # Someone who gave nothing but a profile can be withdrawn too: it is their words.
    assert withdrawal.withdraw(ws, "nina", who=STAFF, rebuild_themes=False).finder_profiles == 1
    assert "Nina" not in _shown(finder.find(ws, "eating disorders", limit=100))
    assert finder.profile_of(engine, "nina") is None
