"""The Lab's year on the demo Lab: events, phases, activity and theme shifts per phase, and what
changed since a date, checked against the planted story in truth.json."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import select

from lab_app.cli.qlab import main
from lab_app.core.schema import audit, extracts
from lab_app.demo import demo_dir
from lab_app.opinions import participation
from lab_app.themes.over_time import phase_of
from lab_app.year import changes as timeline_changes
from lab_app.year import ideas, timeline
from tests.corpus.truth import TRUTH, truth_themes

LAB = json.loads((demo_dir() / "lab.json").read_text(encoding="utf-8"))


def _phase_start(name: str) -> str:
    return next(p["start"] for p in LAB["phases"] if p["name"] == name)


def _phases_after(day: str) -> set[str]:
    return {p["name"] for p in LAB["phases"] if p["start"] >= day}


def test_the_demo_loads_its_events_once(demo_workspace):
    engine = demo_workspace.store.engine
    rows = timeline.list_events(engine)
    assert [(r["date"], r["title"]) for r in rows] == sorted(
        (e["date"], e["title"]) for e in LAB["events"]
    )
    lab_phases = timeline.list_phases(engine)
    assert [p["name"] for p in lab_phases] == [p["name"] for p in LAB["phases"]]
    assert all(r["phase"] in {p["name"] for p in LAB["phases"]} for r in rows)
    assert timeline.load_events(engine, LAB["events"], who="demo") == 0
    assert len(timeline.list_events(engine)) == len(LAB["events"])


def test_events_are_added_edited_and_removed_with_an_audit_trail(workspace):
    engine = workspace.store.engine
    event_id = timeline.add_event(engine, "2026-05-05", "Pilot week", "staff-a", kind="Workshop")
    timeline.edit_event(engine, event_id, "staff-a", place="Leeds", title="Pilot fortnight")
    (row,) = timeline.list_events(engine)
    assert (row["title"], row["kind"], row["place"]) == ("Pilot fortnight", "workshop", "Leeds")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        timeline.add_event(engine, "5 May", "Bad date", "staff-a")
    with pytest.raises(ValueError, match="title"):
        timeline.add_event(engine, "2026-05-05", "  ", "staff-a")
    with pytest.raises(ValueError, match="no event"):
        timeline.delete_event(engine, event_id + 1, "staff-a")
    timeline.delete_event(engine, event_id, "staff-a")
    assert timeline.list_events(engine) == []
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(audit).order_by(audit.c.id))]
    assert actions == ["event.add", "event.edit", "event.delete"]


def test_phases_are_checked_before_they_replace_the_old_ones(workspace):
    engine = workspace.store.engine
    good = [{"name": "B", "start": "2026-03-01", "end": "2026-04-30"},
            {"name": "A", "start": "2026-01-01", "end": "2026-02-28"}]  # fmt: skip
    assert [p["name"] for p in timeline.save_phases(engine, good, "staff-a")] == ["A", "B"]
    bad = [
        ([{"name": "A", "start": "2026-01-01", "end": "2026-03-05"}, good[0]], "overlap"),
        ([{"name": "A", "start": "2026-02-01", "end": "2026-01-01"}], "before it starts"),
        ([{"name": "A", "start": "2026-01-01", "end": "2026-01-31"},
          {"name": "A", "start": "2026-02-01", "end": "2026-02-28"}], "share a name"),
        ([{"name": "", "start": "2026-01-01", "end": "2026-01-31"}], "needs a name"),
        ([{"name": "after", "start": "2026-01-01", "end": "2026-01-31"}], "outside"),
    ]  # fmt: skip
    for items, message in bad:
        with pytest.raises(ValueError, match=message):
            timeline.save_phases(engine, items, "staff-a")
    assert [p["name"] for p in timeline.list_phases(engine)] == ["A", "B"]


def test_activity_per_phase_counts_every_dated_extract_in_its_phase(demo_workspace):
    engine = demo_workspace.store.engine
    participation.vote(engine, "birch", "statement-1", 1)
    activity = timeline.activity_by_phase(engine)
    lab_phases = [type("P", (), p) for p in LAB["phases"]]
    with engine.connect() as conn:
        dated = [(k, d) for k, d in conn.execute(select(extracts.c.kind, extracts.c.date)) if d]
    expected = Counter((phase_of(d, lab_phases), k) for k, d in dated)
    for row in activity:
        for kind, n in row["extracts"].items():
            assert expected[(row["phase"], kind)] == n
        assert row["contributions"] == expected[(row["phase"], "contribution")]
    assert sum(sum(r["extracts"].values()) for r in activity) == len(dated)
    assert sum(r["votes"] for r in activity) == 1
    assert sum(r["events"] for r in activity) == len(LAB["events"])
    survey_phases = {r["phase"] for r in activity if r["extracts"].get("survey")}
    survey_waves = {phase_of(e["date"], lab_phases) for e in LAB["events"]
                    if e["kind"] == "survey"}  # fmt: skip
    assert survey_phases == survey_waves  # answers fall in the phase the survey ran in


def _truth_volumes(engine) -> list[dict]:
    """[{theme_id, period, extracts}] for the planted themes, by Lab phase."""
    lab_phases = [type("P", (), p) for p in LAB["phases"]]
    with engine.connect() as conn:
        dates = dict(conn.execute(select(extracts.c.id, extracts.c.date)).all())
    counts = Counter(
        (theme, phase_of(dates[e], lab_phases)) for e, theme in truth_themes(engine).items()
        if dates.get(e)
    )  # fmt: skip
    return [{"theme_id": t, "period": p, "extracts": n} for (t, p), n in counts.items()]


def _phase_where(shifts: list[dict], field: str, theme_id: str) -> list[str]:
    return [s["phase"] for s in shifts if theme_id in {t["theme_id"] for t in s[field]}]


def test_shifts_tell_the_planted_theme_dynamics(demo_workspace):
    order = [p["name"] for p in LAB["phases"]]  # the year's phases: nothing before or after
    shifts = timeline.shifts_from_volumes(_truth_volumes(demo_workspace.store.engine), order)
    assert set(TRUTH["theme_dynamics"]) == {
        "digital-online", "funding-commissioning", "peer-worker-wellbeing"
    }  # fmt: skip
    # "strong in the Discover phase, fades after April 2026"
    assert _phase_where(shifts, "faded", "digital-online")[0] in _phases_after("2026-05-01")
    # "appears late (barely mentioned before June 2026, frequent after)"
    (emerged,) = _phase_where(shifts, "emerged", "peer-worker-wellbeing")
    assert emerged in _phases_after("2026-05-01")
    # "grows towards the Share phase"
    grew = _phase_where(shifts, "grew", "funding-commissioning")
    assert grew and all(_phase_start(p) >= "2026-08-01" for p in grew)
    assert not _phase_where(shifts, "faded", "funding-commissioning")


def test_a_theme_that_is_gone_has_faded_though_not_by_a_third():
    """A theme present before (81 of 1,249, 6.5%) that falls to 2 of 89 (2.2%) is no longer
    present: faded, as emerging's mirror, though its share fell by less than FADE_RATIO. One
    still present has not (5 of 89); nor one below presence at most of its share (4 of 89)."""

    def volumes(**counts):
        # The rest of the 1,249 and 89 dated extracts sit in other themes.
        rest = [1249 - sum(b for b, _ in counts.values()), 89 - sum(a for _, a in counts.values())]
        rows = [{"theme_id": "other", "period": "before", "extracts": rest[0]}]
        rows.append({"theme_id": "other", "period": "after", "extracts": rest[1]})
        for theme, (before, after) in counts.items():
            rows += [{"theme_id": theme, "period": "before", "extracts": before}]
            rows += [{"theme_id": theme, "period": "after", "extracts": after}]
        return rows

    shifts = timeline.shifts_from_volumes(
        volumes(gone=(81, 2), held=(81, 5), quiet=(70, 4)), ["before", "after"]
    )
    after = shifts[-1]
    assert [e["theme_id"] for e in after["faded"]] == ["gone"]
    assert after["faded"][0]["extracts"] == 2


def _built_theme_of(engine, planted: str) -> str:
    from lab_app.themes.build import placements

    placed = placements(engine)
    votes = Counter(placed[e]["theme_id"] for e, t in truth_themes(engine).items()
                    if t == planted and e in placed)  # fmt: skip
    return votes.most_common(1)[0][0]


def test_built_themes_show_digital_fading_and_wellbeing_emerging(themed):
    engine = themed.store.engine
    shifts = timeline.theme_shifts(engine)
    assert [s["phase"] for s in shifts] == [p["name"] for p in LAB["phases"]]
    digital = _built_theme_of(engine, "digital-online")
    wellbeing = _built_theme_of(engine, "peer-worker-wellbeing")
    assert _phase_where(shifts, "faded", digital)[0] in _phases_after("2026-05-01")
    assert _phase_where(shifts, "emerged", wellbeing)[0] in _phases_after("2026-05-01")
    labels = {t["id"]: t["label"] for t in themed.list_themes()}
    for shift in shifts:
        for entry in shift["emerged"] + shift["faded"]:
            assert entry["label"] == labels[entry["theme_id"]]
    built = [b for s in shifts for b in s["built"]]
    assert {b["event"] for b in built} == {"emerged"}  # one first build: every theme is new


def test_after_the_year_shifts_stay_on_the_lab_phases(themed, time_machine):
    # A rebuild after the last phase is listed in an "after" row of its own; the shares that
    # say what emerged, grew or faded are still the Lab's phases only.
    engine = themed.store.engine
    during = timeline.theme_shifts(engine)
    time_machine.move_to("2027-03-01T09:00:00+00:00")
    themed.build_themes(fresh=True, k=6)  # fewer themes: some fade, in 2027
    after = timeline.theme_shifts(engine)
    assert [s["phase"] for s in after] == [p["name"] for p in LAB["phases"]] + ["after"]
    assert after[-1]["built"] and {b["date"][:4] for b in after[-1]["built"]} == {"2027"}
    assert after[-1]["extracts"] == 0 and not any(after[-1][f] for f in timeline.SHIFT_EVENTS)
    assert len(during) == len(after) - 1


def test_changes_since_a_date(themed):
    engine = themed.store.engine
    # Ideas and votes are dated by the clock, which the tests set inside the Share phase.
    since = _phase_start("Test")
    idea = ideas.create_idea(engine, "A directory kept by the groups", "staff-a")
    ideas.set_status(engine, idea, "testing", "staff-a")
    participation.vote(engine, "birch", "statement-1", 1)
    changes = timeline_changes.changes_since(engine, since)
    with engine.connect() as conn:
        kinds = Counter(k for k, d in conn.execute(select(extracts.c.kind, extracts.c.date))
                        if d and d >= since)  # fmt: skip
    assert changes["extracts"] == dict(kinds)
    assert changes["contributions"] == kinds["contribution"]
    assert {s["path"].rsplit("/", 1)[1] for s in changes["sources"]} >= {
        "docx-peer-workforce-wellbeing.docx"  # dated 2026-09-21 in the corpus README
    }
    # Themes read by share since the date against before: wellbeing new or grown, digital faded.
    wellbeing = _built_theme_of(engine, "peer-worker-wellbeing")
    digital = _built_theme_of(engine, "digital-online")
    risen = {t["theme_id"] for t in changes["themes"]["new"] + changes["themes"]["grown"]}
    assert wellbeing in risen
    assert digital in {t["theme_id"] for t in changes["themes"]["faded"]}
    assert [i["id"] for i in changes["ideas"]] == [idea]
    assert [(c["from"], c["status"]) for c in changes["idea_status"]] == [("emerging", "testing")]
    assert changes["votes"] == 1
    later = timeline_changes.changes_since(engine, "2999-01-01")
    assert later["extracts"] == {} and later["ideas"] == [] and later["sources"] == []
    lines = timeline_changes.summary_lines(changes)
    assert lines[0] == f"Since {since}:" and any("testing" in line for line in lines)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        timeline_changes.changes_since(engine, "last week")


def test_cli_events_and_changes(demo_workspace, capsys):
    home = str(demo_workspace.settings.home)
    assert main(["--home", home, "events", "add", "2026-05-20", "Extra session", "--kind",
                 "workshop"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["--home", home, "events", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(LAB["events"]) + 1
    assert any(r["title"] == "Extra session" and r["phase"] == "Develop" for r in rows)
    assert main(["--home", home, "timeline", "changes", "--since", "2026-10-01", "--json"]) == 0
    changes = json.loads(capsys.readouterr().out)
    assert changes["since"] == "2026-10-01" and changes["extracts"]
    assert main(["--home", home, "events", "add", "tomorrow", "Bad"]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err
