"""Tensions on the demo Lab: the planted tensions and the survey's Likert split are found,
recomputes keep ids and staff decisions, votes that split camps become a tension."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lab_app.cli.qlab import main
from lab_app.core.schema import audit, extracts, theme_members
from lab_app.core.settings import Settings
from lab_app.material.reads import extracts_by_ids
from lab_app.opinions import participation, replies, tension_eval, tensions
from lab_app.opinions import signals as tension_signals
from lab_app.opinions import text_signal as tension_text
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


def test_each_side_is_quoted_first_in_its_answers_nearest_the_question(ws):
    """A survey split's sides are quoted in words that speak to the question, found among all
    the side's answers (any theme), recounted here from the store's attributes and vectors."""
    from lab_app.core.schema import extract_attributes
    from lab_app.material.reads import vectors_of

    engine = ws.store.engine
    survey = TRUTH["survey"]
    tension = next(
        r
        for r in tensions.list_tensions(engine)
        if r["signal"] == "attributes" and r["measures"]["question"] == survey["likert_question"]
        and "connection to peer support" in r["measures"]["grouped_by"]
    )  # fmt: skip
    question = tension["measures"]["question"]
    wording = question.split(":", 1)[-1] if ":" in question else question
    nearness = ws.embedder.embed([wording.strip()])[0]
    query = select(extracts.c.person, extracts.c.id, extract_attributes.c.name,
                   extract_attributes.c.value).join(
        extract_attributes, extract_attributes.c.extract_id == extracts.c.id)  # fmt: skip
    answers, own = {}, {}
    with engine.connect() as conn:
        for person, extract_id, name, value in conn.execute(query):
            answers.setdefault(person, {}).setdefault(name, value)
            own.setdefault(person, set()).add(extract_id)
    grouped_by = tension["measures"]["grouped_by"]
    for side in tension["sides"]:
        lean = side["label"]  # "agree" or "disagree", as the Likert answers say it
        people = [
            p for p, a in answers.items()
            if a.get(grouped_by) in side["groups"]
            and lean in (a.get(question) or "").lower()
            and not (lean == "agree" and "disagree" in a[question].lower())
        ]  # fmt: skip
        every = sorted({e for p in people for e in own[p]})
        vectors = vectors_of(engine, every)
        best = sorted(every, key=lambda e: (-float(vectors[e] @ nearness), e))
        assert side["extract_ids"][:5] == best[:5]
    # The side's words may come from any theme: the nearest theme alone held off-point words.
    with engine.connect() as conn:
        rows = conn.execute(select(theme_members.c.extract_id, theme_members.c.theme_id))
        placed = {row.extract_id: row.theme_id for row in rows}
    quoted = {placed.get(e) for side in tension["sides"] for e in side["extract_ids"]}
    assert len(quoted) > 1


def test_planted_tensions_are_found_in_their_themes(ws):
    """Three of the five planted tensions have both their sides in the evidence of a tension in
    their theme (the text signal's recall; docs/benchmarks.md)."""
    engine = ws.store.engine
    sides = planted_sides(engine)
    with engine.connect() as conn:
        query = select(theme_members.c.extract_id, theme_members.c.theme_id).where(
            theme_members.c.status == "placed"
        )
        placed = {row.extract_id: row.theme_id for row in conn.execute(query)}
    found = tensions.list_tensions(engine)
    both = []
    for planted in TRUTH["tensions"]:
        items = [e for e, (name, _) in sides.items() if name == planted["id"]]
        home_theme = Counter(placed[e] for e in items if e in placed).most_common(1)[0][0]
        candidates = [t for t in found if home_theme in t["themes"] and len(t["sides"]) == 2]
        best = set()
        for tension in candidates:
            held = {e for side in tension["sides"] for e in side["extract_ids"]}
            best = max(best, {sides[e][1] for e in held if sides.get(e, ("",))[0] == planted["id"]},
                       key=len)  # fmt: skip
        if best == {0, 1}:
            both.append(planted["id"])
    assert len(both) >= 3, both


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
    # No refresh asked for: a bare `qlab tensions --json` sees the votes are new and recomputes.
    assert main(["--home", str(ws.settings.home), "tensions", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {r["signal"] for r in printed} == {"votes", "attributes", "text"}
    assert all(len(r["sides"]) == 2 and r["themes"] for r in printed if r["signal"] != "votes")
    found = [r for r in tensions.list_tensions(engine) if r["signal"] == "votes"]
    assert {r["measures"]["statement"] for r in found} == set(divisive)
    texts = {q["extract_id"]: " ".join(q["text"].split()) for q in quotes}
    for tension in found:
        agree, disagree = (s["label"] for s in tension["sides"])
        assert agree == "group A agrees" and disagree == "group B disagrees"  # 14 vs 10 people
        opening = texts[tension["measures"]["statement"]][:60]
        assert tension["title"].startswith("Group A agrees and group B disagrees that “")
        assert opening in tension["title"]
        assert set(tension["measures"]["groups"]) == {"A", "B"}
    assert tensions.ensure_fresh(ws) is None  # nothing changed since: nothing recomputed


def test_text_suggestions_stay_with_staff(ws):
    """The text signal cannot tell stance from topic: its suggestions reach participants only
    once staff confirm them."""
    engine = ws.store.engine
    rows = tensions.list_tensions(engine)
    text = [r for r in rows if r["signal"] == "text"]
    assert text and not [r for r in tensions.for_participants(rows) if r["signal"] == "text"]
    tensions.confirm(engine, text[0]["id"], "staff")
    shown = tensions.for_participants(tensions.list_tensions(engine))
    assert text[0]["id"] in {r["id"] for r in shown}
    assert shown[0]["status"] == "confirmed"  # confirmed tensions come first
    for row in text:
        assert row["title"].startswith("In “")
        assert " — or " in row["title"] or " a case and " in row["title"]


def text_scores(ws, thresholds):
    engine = ws.store.engine
    suggestions = [r for r in tensions.list_tensions(engine) if r["signal"] == "text"]
    return tension_eval.text_signal(suggestions, planted_sides(engine), thresholds)


def test_stance_threshold_raises_precision(ws):
    """docs/benchmarks.md reports these numbers: the threshold keeps the suggestions whose quoted
    pairs (nearly) all push back: fewer are shown, no less precisely."""
    everything, reviewed_first = text_scores(ws, [0, tension_text.STANCE_THRESHOLD])
    assert reviewed_first["precision"] >= everything["precision"]
    assert reviewed_first["shown"] < everything["shown"]


def test_text_signal_finds_three_of_the_five_planted_tensions(ws):
    (everything,) = text_scores(ws, [0])
    assert everything["recall"] >= 0.6


def test_text_signal_reaches_its_goal(ws):
    """Precision >= 0.8 at recall >= 0.6 at the threshold, with most planted extracts on a side
    consistent with their tension's others (docs/benchmarks.md)."""
    (found,) = text_scores(ws, [tension_text.STANCE_THRESHOLD])
    assert found["precision"] >= 0.8 and found["recall"] >= 0.6
    agreeing, total = found["consistent"]
    assert total and agreeing / total >= 0.8


def test_text_tensions_quote_replies_that_push_back(ws):
    """Each quoted pair is a post and a reply to it, by someone else, the reply pushing back;
    every post of a tension is in one conversation, filed under the theme most of them are
    placed in; the sides hold different people."""
    engine = ws.store.engine
    with engine.connect() as conn:
        query = select(theme_members.c.extract_id, theme_members.c.theme_id).where(
            theme_members.c.status == "placed"
        )
        placed = dict(conn.execute(query).all())
    text = [r for r in tensions.list_tensions(engine) if r["signal"] == "text"]
    assert text
    for row in text:
        for pair in row["measures"]["pairs"]:
            query = select(extracts.c.id, extracts.c.meta, extracts.c.person, extracts.c.text)
            with engine.connect() as conn:
                found = {r.id: r._mapping for r in conn.execute(
                    query.where(extracts.c.id.in_([pair["a"], pair["b"]])))}  # fmt: skip
            post, reply = sorted(found.values(), key=lambda r: "parent" in r["meta"])
            if reply["meta"].get("parent") != post["meta"]["id"]:
                post, reply = reply, post
            assert reply["meta"]["parent"] == post["meta"]["id"]
            assert reply["meta"]["thread"] == post["meta"]["thread"]
            assert reply["person"] != post["person"]
            assert replies.pushes_back(reply["text"])
            assert pair["a"] in row["sides"][0]["extract_ids"]
            assert pair["b"] in row["sides"][1]["extract_ids"]
        held = [e for side in row["sides"] for e in side["extract_ids"]]
        query = select(extracts.c.id, extracts.c.source_id, extracts.c.meta)
        with engine.connect() as conn:
            posts = conn.execute(query.where(extracts.c.id.in_(held))).all()
        assert len({(p.source_id, p.meta["thread"]) for p in posts}) == 1
        homes = Counter(placed[e] for e in held).most_common()
        assert homes[0][1] == next(n for theme, n in homes if theme == row["themes"][0])


def test_a_text_tension_names_its_thread_only_if_the_opener_agreed(ws):
    """The question in a text tension's title is a thread's title, its opener's words."""
    from lab_app.material.consent import set_consent
    from lab_app.opinions.tension_views import title_for

    engine = ws.store.engine
    text = [r for r in tensions.list_tensions(engine) if r["signal"] == "text"]
    openers = [r["measures"]["thread_opening"] for r in text if r["measures"]["thread_opening"]]
    shown = participation.shown_to_participants(engine, openers)
    row = next(r for r in text if r["measures"]["thread_opening"] in shown)
    thread = row["measures"]["thread"][1]
    assert f"on “{thread[:40]}" in title_for(engine, row, staff=False)
    opener = extracts_by_ids(engine, [row["measures"]["thread_opening"]])
    person = next(iter(opener.values()))["person"]
    set_consent(engine, "person", person, "staff", show_to_participants=False)
    hidden = title_for(engine, row, staff=False)
    assert thread[:40] not in hidden and hidden.startswith("In “")
    assert " — or " in hidden or " a case and " in hidden
    assert thread[:40] in title_for(engine, row, staff=True)


def test_pushback_markers_are_disagreement_not_assent():
    for reply in ("But that leaves people out.", "With respect, the numbers do matter.",
                  "I see what you mean. I'm not sure it scales though.",
                  "Thanks. However the waiting list is the real problem.",
                  # conceding, then objecting in the same sentence (a demo reply missed before)
                  "I'm glad it worked for you but my mother is 81 and has no smartphone.",
                  "I know what you mean but the money runs out in March."):  # fmt: skip
        assert replies.pushes_back(reply), reply
    for reply in ("Yes, exactly this.", "Thank you, that helped a lot.",
                  "We tried it too and it worked; the butcher's shop lent us a room.",
                  "Fair enough, I hadn't thought about the middle of the night at all.",
                  "I know a group in Leeds that does this, and it works."):  # fmt: skip
        assert not replies.pushes_back(reply), reply


def post(name, person, parent, text, thread="t"):
    """A forum post as the text signal reads it: extract id, person, source, thread, parent."""
    meta = {"id": name} | ({"thread": thread} if thread else {})
    meta |= {"parent": parent} if parent else {}
    return SimpleNamespace(id=name, person=person, source_id=1, meta=meta, text=text)


def test_agreement_joins_a_reply_to_the_side_it_agrees_with():
    """A thread: Ann posts, Bo pushes back, Cy agrees with Ann, Di agrees with Bo, Ed with Cy."""
    rows = [
        post("p1", "ann", None, "Peer workers should be paid."),
        post("p2", "bo", "p1", "With respect, volunteering keeps it equal."),
        post("p3", "cy", "p1", "Agreed, pay people properly."),
        post("p4", "di", "p2", "Same, nobody paid is why it works."),
        post("p5", "ed", "p3", "Yes, I'm with you on that."),
    ]
    (camp,) = replies.camps(rows)
    assert {r.person for r in camp.sides[0]} == {"ann", "cy", "ed"}
    assert {r.person for r in camp.sides[1]} == {"bo", "di"}
    assert [(a.id, b.id) for a, b in camp.pushback] == [("p1", "p2")]
    assert camp.people() == [3, 2]


def test_exchanges_are_joined_per_conversation():
    """Two exchanges in one thread are one conversation; replies that name no thread are each
    their own, so unrelated exchanges never share sides."""
    rows = [
        post("p1", "ann", None, "Peer workers should be paid."),
        post("p2", "bo", "p1", "With respect, volunteering keeps it equal."),
        post("p3", "cy", "p1", "Paid roles bring contracts and supervision."),
        post("p4", "di", "p3", "I'm not sure contracts help anyone."),
        post("q1", "ed", None, "Online groups should be the default.", thread=None),
        post("q2", "fi", "q1", "But not everyone has data.", thread=None),
        post("r1", "gus", None, "Leaflets work.", thread=None),
        post("r2", "hal", "r1", "With respect, they end up in the bin.", thread=None),
    ]
    found = replies.camps(rows)
    assert len(found) == 4
    conversations = Counter(tension_text._conversation(camp) for camp in found)
    assert sorted(conversations.values()) == [1, 1, 2]


def test_withdrawal_takes_a_statement_out_of_its_tension_title(ws):
    """A vote tension's title quotes its statement: when its author withdraws, the words go."""
    from lab_app.core.forgetting import MIN_QUOTE_CHARS, REMOVED
    from lab_app.people.withdrawal import withdraw

    engine = ws.store.engine
    quotes = participation.theme_quotes(engine, ws.list_themes()[0]["id"], limit=8)
    # A statement long enough to count as someone's words: shorter ones ("thanks") are too
    # common to scrub from titles (MIN_QUOTE_CHARS).
    authored = [q for q in quotes if extracts_by_ids(engine, [q["extract_id"]])[q["extract_id"]]
                ["person"] and len(" ".join(q["text"].split())) >= MIN_QUOTE_CHARS]  # fmt: skip
    statement = authored[0]["extract_id"]
    person = extracts_by_ids(engine, [statement])[statement]["person"]
    others = [q["extract_id"] for q in quotes if q["extract_id"] != statement][:3]
    for voter in range(20):
        participation.vote(engine, f"voter-{voter}", statement, 1 if voter < 12 else -1)
        for other in others:
            participation.vote(engine, f"voter-{voter}", other, 1 if voter < 12 else -1)
    ws.refresh_tensions()
    tension = next(r for r in tensions.list_tensions(engine)
                   if (r["measures"] or {}).get("statement") == statement)  # fmt: skip
    tensions.confirm(engine, tension["id"], "staff")  # confirmed ones stay listed
    opening = " ".join(authored[0]["text"].split())[:40]
    assert opening in tension["title"]
    withdraw(ws, person, "staff", rebuild_themes=False)
    title = tensions.get(engine, tension["id"])["title"]
    assert opening not in title and REMOVED in title


def test_the_listing_quotes_each_side_or_says_why_it_cannot(ws, capsys):
    """`qlab tensions` shows each side in its own words, only words participants may read;
    a side whose authors did not agree to be shown says so instead of printing nothing."""
    from lab_app.cli.year import NO_WORDS

    assert main(["--home", str(ws.settings.home), "tensions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    sides = [i for i, line in enumerate(lines) if line.startswith("    ") and ": " in line
             and not line.startswith("      ") and not line.lstrip().startswith("X-")]  # fmt: skip
    assert sides
    for i in sides:
        after = lines[i + 1] if i + 1 < len(lines) else ""
        assert after.startswith("      “") or after.strip() == NO_WORDS, (lines[i], after)
    rows = [r for r in tensions.list_tensions(ws.store.engine) if r["signal"] != "votes"]
    quoted = [e for r in rows for side in r["sides"] for e in side.get("quotes", [])]
    shown = participation.shown_to_participants(ws.store.engine, quoted)
    hidden = [t[:40] for e, t in _texts(ws, quoted).items() if e not in shown]
    assert hidden and any(line.strip() == NO_WORDS for line in lines)  # the demo has one
    printed = [line.strip().lstrip("“") for line in lines]
    assert not [line for line in printed if line.startswith(tuple(hidden))]


def _texts(ws, ids: list[str]) -> dict[str, str]:
    return {
        e: " ".join(r["text"].split()) for e, r in extracts_by_ids(ws.store.engine, ids).items()
    }
