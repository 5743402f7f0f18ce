"""The demo Lab's first start opens on its planted story: themes, ideas and tensions, and what
its staff decided by the Share phase (measured tensions confirmed, live ideas tested), once."""

import numpy as np

from lab_app.demo import first_look
from lab_app.opinions import tensions
from lab_app.year import ideas
from tests.corpus.truth import TRUTH


def test_first_look_accepts_the_planted_ideas_and_finds_tensions_once(themed):
    engine = themed.store.engine
    # Themes are built already, and tensions with them (every build computes them): ideas remain,
    # then what the demo's staff decided by the Share phase.
    lines = first_look(themed)
    assert [line.split()[0] for line in lines] == ["accepted", "confirmed", "moved", "held"]

    accepted = ideas.list_ideas(engine)
    planted = [idea["title"] for idea in TRUTH["ideas"]]
    ours = themed.embedder.embed([idea["title"] for idea in accepted])
    theirs = themed.embedder.embed(planted)
    nearest = (theirs @ ours.T).argmax(axis=1)
    # Every planted idea has an accepted idea of its own, nearest to it in meaning.
    assert len(set(nearest.tolist())) == len(planted), list(zip(planted, nearest, strict=True))
    # Staff test ideas still discussed late in the year, never one whose enthusiasm faded early.
    assert {idea["status"] for idea in accepted} == {"emerging", "testing"}
    for number, idea in enumerate(TRUTH["ideas"]):
        if idea["trajectory"].startswith("early enthusiasm"):
            assert accepted[nearest[number]]["status"] == "emerging", idea["title"]

    # The tension measured from the survey's answers is confirmed; those from wording wait.
    found = tensions.list_tensions(engine)
    confirmed = [t for t in found if t["status"] == "confirmed"]
    question = TRUTH["survey"]["likert_question"]
    assert confirmed and {t["measures"]["question"] for t in confirmed} == {question}
    assert np.all([t["status"] == "suggested" for t in found if t["signal"] == "text"])

    assert first_look(themed) == []  # a second start changes nothing
    assert len(ideas.list_ideas(engine)) == len(accepted)
