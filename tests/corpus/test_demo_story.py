"""The demo Lab's first start opens on its planted story: themes, ideas and tensions, once."""

import numpy as np

from lab_app.demo import first_look
from lab_app.opinions import tensions
from lab_app.year import ideas
from tests.corpus.truth import TRUTH


def test_first_look_accepts_the_planted_ideas_and_finds_tensions_once(themed):
    engine = themed.store.engine
    # Themes are built already, and tensions with them (every build computes them): ideas remain.
    lines = first_look(themed)
    assert [line.split()[0] for line in lines] == ["accepted"]

    accepted = ideas.list_ideas(engine)
    planted = [idea["title"] for idea in TRUTH["ideas"]]
    ours = themed.embedder.embed([idea["title"] for idea in accepted])
    theirs = themed.embedder.embed(planted)
    nearest = (theirs @ ours.T).argmax(axis=1)
    # Every planted idea has an accepted idea of its own, nearest to it in meaning.
    assert len(set(nearest.tolist())) == len(planted), list(zip(planted, nearest, strict=True))
    assert all(idea["status"] == "emerging" for idea in accepted)

    found = tensions.list_tensions(engine)
    assert any(t["signal"] == "attributes" for t in found)
    assert np.all([t["status"] == "suggested" for t in found])

    assert first_look(themed) == []  # a second start changes nothing
    assert len(ideas.list_ideas(engine)) == len(accepted)
