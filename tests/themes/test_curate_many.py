"""Curation without friction: several extracts in one action, undo per person, and messages
that name themes by label and extracts by their text, never by id."""

import re

import pytest
from sqlalchemy import select

from lab_app.core.audit import act_as
from lab_app.core.schema import audit
from lab_app.material.backup import table_rows
from lab_app.material.reads import extracts_by_ids
from lab_app.themes import curation, words
from lab_app.themes.build import placements
from lab_app.themes.undo import last_done

# A hex id (extract ids are content hashes) or a theme id such as T-004.
ID_PATTERN = re.compile(r"\b[0-9a-f]{8,}\b|T-\d{3}")


@pytest.fixture
def lab(themed):
    act_as(None)
    yield themed
    act_as(None)  # the acting person is per thread: leave none behind for the next test


def _themes(workspace):
    return {row["id"]: row for row in workspace.list_themes() if row["status"] == "active"}


def _members(workspace, theme_id):
    placed = placements(workspace.store.engine)
    return sorted(e for e, p in placed.items() if p["theme_id"] == theme_id)


def _two_biggest(workspace):
    return [t["id"] for t in sorted(workspace.list_themes(), key=lambda t: -t["size"])[:2]]


def _trail(engine):
    with engine.connect() as conn:
        return list(conn.execute(select(audit).order_by(audit.c.id)))


def test_moving_several_extracts_is_one_action_and_one_undo_puts_all_back(lab):
    engine = lab.store.engine
    first, second = _two_biggest(lab)
    label = _themes(lab)[first]["label"]
    chosen = _members(lab, second)[:3]
    before = table_rows(engine)
    act_as("sam.staff")

    assert curation.move(engine, chosen, first) == chosen

    assert all(placements(engine)[e]["theme_id"] == first for e in chosen)
    moves = [row for row in _trail(engine) if row.action == "curate.move"]
    assert len(moves) == 1 and moves[0].detail["extracts"] == 3 and moves[0].who == "sam.staff"
    assert last_done(engine, "sam.staff") == f"Moved 3 extracts to “{label}”."
    done = curation.undo(engine)
    assert done["message"] == f"Undid your move of 3 extracts to “{label}”."
    assert all(placements(engine)[e]["theme_id"] == second for e in chosen)
    after = table_rows(engine)
    assert {t for t in before if before[t] != after[t]} <= {"audit", "theme_history"}


def test_excluding_several_is_one_action_named_by_text_when_one(lab):
    engine = lab.store.engine
    first, _ = _two_biggest(lab)
    chosen = _members(lab, first)[:4]
    act_as("sam.staff")
    curation.exclude(engine, chosen)
    assert not set(chosen) & set(placements(engine))
    assert (
        curation.undo(engine)["message"] == "Undid your exclusion of 4 extracts from every theme."
    )
    assert set(chosen) <= set(placements(engine))

    curation.exclude(engine, chosen[0])
    text = extracts_by_ids(engine, chosen[:1])[chosen[0]]["text"]
    message = curation.undo(engine)["message"]
    assert message == f"Undid your exclusion of “{words.snippet(text)}” from every theme."
    assert len(words.snippet(text)) <= words.SNIPPET + 1


def test_unknown_ids_refuse_the_whole_action_and_say_how_many(lab):
    engine = lab.store.engine
    first, second = _two_biggest(lab)
    chosen = _members(lab, second)[:3] + ["0" * 16, "f" * 16]
    before = table_rows(engine)
    with pytest.raises(curation.CurationError) as refused:
        curation.move(engine, chosen, first)
    assert str(refused.value).startswith("2 of the 5 extracts chosen are not in the workspace")
    with pytest.raises(curation.CurationError, match="2 of the 5 .* nothing was excluded"):
        curation.exclude(engine, chosen)
    assert table_rows(engine) == before
    with pytest.raises(curation.CurationError, match="already in"):
        curation.move(engine, _members(lab, first)[:2], first)


def test_undo_is_per_person_and_never_touches_another_persons_action(lab):
    engine = lab.store.engine
    first, second = _two_biggest(lab)
    labels = {t: row["label"] for t, row in _themes(lab).items()}
    act_as("alex")
    curation.rename(engine, first, "Peer workers")
    act_as("bea")
    curation.rename(engine, second, "Being heard")
    moved = _members(lab, second)[:2]
    curation.move(engine, moved, first)

    act_as("alex")
    done = curation.undo(engine)
    assert done["message"] == f"Undid your rename of “Peer workers” (was “{labels[first]}”)."
    themes = _themes(lab)
    assert themes[first]["label"] == labels[first] and themes[second]["label"] == "Being heard"
    assert all(placements(engine)[e]["theme_id"] == first for e in moved)  # bea's move stays
    with pytest.raises(curation.CurationError, match="nothing of yours to undo"):
        curation.undo(engine)  # alex's only action is undone; bea's are not alex's to undo
    act_as("casey")
    with pytest.raises(curation.CurationError, match="nothing of yours to undo"):
        curation.undo(engine)

    act_as("bea")
    assert curation.undo(engine)["message"] == (
        f"Undid your move of 2 extracts to “{labels[first]}”."
    )
    assert curation.undo(engine)["message"] == (
        f"Undid your rename of “Being heard” (was “{labels[second]}”)."
    )
    assert _themes(lab)[second]["label"] == labels[second]
    undos = [row for row in _trail(engine) if row.action == "undo"]
    assert [row.who for row in undos] == ["alex", "bea", "bea"]


def test_an_undo_that_would_overwrite_someone_elses_later_change_is_refused(lab):
    engine = lab.store.engine
    first, second = _two_biggest(lab)
    shared = _members(lab, second)[0]
    act_as("alex")
    curation.move(engine, [shared], first)
    act_as("bea")
    curation.exclude(engine, [shared])
    act_as("alex")
    before = table_rows(engine)
    with pytest.raises(curation.CurationError) as refused:
        curation.undo(engine)
    message = str(refused.value)
    assert message.startswith("your move of “") and "bea has changed the same extracts" in message
    assert "exclusion of" in message and not ID_PATTERN.search(message)
    assert table_rows(engine) == before


def test_every_curation_message_names_by_label_and_text_never_by_id(lab):
    engine = lab.store.engine
    first, second = _two_biggest(lab)
    act_as("sam.staff")
    messages = []
    for action in (
        lambda: curation.rename(engine, first, "Finding a group"),
        lambda: curation.describe(engine, first, "Why a group helps."),
        lambda: curation.move(engine, _members(lab, second)[:2], first),
        lambda: curation.exclude(engine, _members(lab, second)[:1]),
        lambda: curation.pin(engine, _members(lab, first)[0]),
        lambda: curation.lock(engine, first),
        lambda: curation.merge(engine, [second], into=first),
    ):
        action()
        messages.append(last_done(engine, "sam.staff"))
    messages += [curation.undo(engine)["message"] for _ in range(7)]
    for bad in (
        lambda: curation.rename(engine, "T-999", "x"),
        lambda: curation.move(engine, ["nope"], first),
        lambda: curation.pin(engine, "nope"),
        lambda: curation.undo(engine),
    ):
        with pytest.raises(curation.CurationError) as refused:
            bad()
        messages.append(str(refused.value))
    assert messages[0] == f"Renamed “Finding a group” (was “{_label_before(lab, first)}”)."
    assert messages[6].startswith("Merged “") and messages[6].endswith("into “Finding a group”.")
    assert messages[7].startswith("Undid your merge of “")
    for message in messages:
        assert not ID_PATTERN.search(message), message


def _label_before(workspace, theme_id):
    """The label the build gave (the renames are undone by the time this is read)."""
    return _themes(workspace)[theme_id]["label"]


def test_a_snippet_is_one_line_cut_at_a_word():
    text = "I found my peer group\nthrough a leaflet at the GP surgery, and it changed everything"
    assert words.snippet(text) == "I found my peer group through a leaflet at the GP surgery…"
    assert words.snippet("Short and sweet.") == "Short and sweet."
