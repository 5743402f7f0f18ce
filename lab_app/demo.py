"""The demo Lab in corpus/: find it and load it into a workspace (idempotent)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from lab_app.core.settings import setting
from lab_app.workspace import FileOutcome, Workspace

NOT_MATERIAL = {"lab.json", "truth.json", "README.md"}


def demo_dir() -> Path:
    """corpus/peer-support-lab beside the package, or QLAB_DEMO_DIR."""
    configured = setting("demo_dir")
    if str(configured) not in ("", "."):
        return Path(configured)
    return Path(__file__).resolve().parents[1] / "corpus" / "peer-support-lab"


def demo_sources(lab: Path) -> list[tuple[Path, str | None]]:
    """(file, kind) for every material file the Lab lists, or every file when it lists none."""
    manifest = lab / "lab.json"
    if manifest.exists():
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("sources")
        if listed:
            return [(lab / item["path"], item.get("kind")) for item in listed]
    return [
        (path, None)
        for path in sorted(lab.rglob("*"))
        if path.is_file() and path.name not in NOT_MATERIAL
    ]


def load_demo(
    workspace: Workspace, lab: Path | None = None, progress=None
) -> Iterator[FileOutcome]:
    lab = lab or demo_dir()
    if not lab.is_dir():
        raise FileNotFoundError(f"demo Lab not found at {lab}: set QLAB_DEMO_DIR to its folder")
    workspace.repair_index()
    manifest = lab / "lab.json"
    if manifest.exists():
        from lab_app.themes.over_time import set_phases
        from lab_app.year.profile import set_profile
        from lab_app.year.timeline import load_events

        described = json.loads(manifest.read_text("utf-8"))
        about = {field: described.get(field) for field in ("name", "question", "description")}
        set_profile(workspace.store.engine, "demo", **about)
        set_phases(workspace.store.engine, described.get("phases", []))
        # Events already there (same date and title) are kept, so loading twice adds nothing.
        load_events(workspace.store.engine, described.get("events", []), who="demo")
    for path, kind in demo_sources(lab):
        options = workspace.ingest_options(kind=kind)
        yield workspace.ingest_file(path, options, root=lab.parent, progress=progress)
    _demo_accounts(workspace)


def _demo_accounts(workspace: Workspace) -> None:
    """A staff and a participant account to sign in with, made on the first load; their random
    passwords go to a file in the workspace home (never the repository) and are printed once."""
    from lab_app.people.accounts import ensure_demo_accounts

    written = ensure_demo_accounts(workspace.store.engine, workspace.settings.home)
    if written is not None:
        print(f"demo accounts for signing in to the app (kept in {written}):")
        print("\n".join(written.read_text(encoding="utf-8").splitlines()[1:]), flush=True)


def first_look(workspace: Workspace) -> list[str]:
    """On a demo Lab's first start, do what its staff would have done by now, so the app opens
    on the year's story: build themes, accept the suggested ideas, look for tensions, confirm
    the measured ones, take forward the ideas still alive late in the year and hold the past
    Q Exchange round. Each step runs
    only while its part is empty (or undecided); returns one line per step taken."""
    from lab_app.opinions import tensions
    from lab_app.year import ideas
    from lab_app.year import suggestions as idea_suggestions

    done = []
    engine = workspace.store.engine
    built = False
    if not any(row["status"] == "active" for row in workspace.list_themes()):
        report = workspace.build_themes()  # tensions are computed with the build
        done.append(f"built {report['themes']} themes (unsorted {report['unsorted_share']:.1%})")
        built = True
    if not ideas.list_ideas(engine):
        candidates = idea_suggestions.suggest_ideas(workspace)
        for candidate in candidates:
            idea_suggestions.accept_candidate(engine, candidate, who="demo")
        done.append(f"accepted {len(candidates)} suggested ideas")
    if built or not tensions.list_tensions(engine, include_dismissed=True):
        tensions.ensure_fresh(workspace)
        found = tensions.list_tensions(engine)
        done.append(f"found {len(found)} tensions to review")
    done += _staff_decisions(workspace)
    done += _past_round(workspace)
    return done


def _past_round(workspace: Workspace) -> list[str]:
    """The Lab's Q Exchange round of the Develop phase, held once (rounds/past_round.py)."""
    from lab_app.rounds import past_round, rounds

    if rounds.list_rounds(workspace.store.engine):
        return []
    held = past_round.hold_past_round(workspace)
    winners = [p["idea_id"] for p in held["proposals"] if p["winner"]]
    return [
        f"held a past Q Exchange round: {held['ballots']} ballots, winners {', '.join(winners)}"
    ]


MEASURED = ("votes", "attributes")  # tensions from counted votes or answers, not from wording
TAKEN_UP_BY = 6  # people discussing an idea before the demo's staff test it


def _staff_decisions(workspace: Workspace) -> list[str]:
    """What the demo's staff decided by the Share phase, when nothing is decided yet: confirm
    the tensions measured from votes or survey answers (text ones stay for review), and test
    the ideas that at least TAKEN_UP_BY people discussed and that were still being discussed
    in the Lab's last two phases."""
    from lab_app.opinions import tensions
    from lab_app.year import ideas, timeline

    engine = workspace.store.engine
    done = []
    found = tensions.list_tensions(engine, include_dismissed=True)
    if found and all(t["status"] == "suggested" for t in found):
        measured = [t for t in found if t["signal"] in MEASURED]
        for tension in measured:
            tensions.confirm(engine, tension["id"], "demo")
        done.append(f"confirmed {len(measured)} measured tensions")
    live = ideas.list_ideas(engine)
    late = [phase["start"] for phase in timeline.list_phases(engine)][-2:-1]
    if live and late and all(i["status"] == "emerging" for i in live):
        taken = [i["id"] for i in live if _taken_up(workspace, i["id"], late[0])]
        for idea_id in taken:
            ideas.set_status(engine, idea_id, "testing", "demo", "taken up late in the year")
        done.append(f"moved {len(taken)} ideas to testing")
    return done


def _taken_up(workspace: Workspace, idea_id: str, since: str) -> bool:
    """At least TAKEN_UP_BY people discussed the idea, and someone still did on or after since."""
    from lab_app.material.reads import extracts_by_ids
    from lab_app.year import ideas

    links = ideas.get_idea(workspace.store.engine, idea_id)["links"]
    wanted = [r["target_id"] for r in links if r["target_type"] == "extract"]
    rows = extracts_by_ids(workspace.store.engine, wanted).values()
    people = {r["person"] for r in rows if r["person"]}
    latest = max((r["date"] or "" for r in rows), default="")
    return len(people) >= TAKEN_UP_BY and latest >= since
