"""Benchmark: each app page's render time (AppTest) on 20,000 extracts, beside a trivial page."""

# Builds a workspace without ingest: real NHS feedback texts (repeated under new ids to reach the
# size) with their real vectors (each distinct text embedded once), put straight into the store as
# survey, evidence and contribution sources; then reindex and build themes. Each page is timed on
# its first visit, then the median of a few runs in the same AppTest session is printed beside the
# median of a one-line page from the same run (Streamlit's own overhead), with the ratio. Pages
# over the 1 s goal are marked.

from __future__ import annotations

import argparse
import csv
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.records import Extract, Source
from lab_app.core.settings import Settings
from lab_app.workspace import Workspace

NHS_CSV = ROOT.parent / "shared/eval/clustering/nhs-fft-patient-feedback-phase1/text_data.csv"
APP = ROOT / "lab_app" / "ui" / "app.py"
PAGES = ["overview", "explore", "map", "timeline", "ideas", "tensions", "sources", "themes",
         "contributions", "essays", "exports", "people", "audit"]  # fmt: skip
STAFF = "bench-staff"  # the account the timed session is signed in as
GOAL_S = 1.0
PER_SOURCE = 1000
KINDS = [("survey", 14), ("evidence", 3), ("contribution", 3)]  # of every 20 sources


def load_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        rows = (row["feedback"].strip() for row in csv.DictReader(handle))
        return list(dict.fromkeys(text for text in rows if text))


def build_workspace(home: Path, texts: list[str], vectors: np.ndarray, total: int) -> Workspace:
    """`total` extracts cycling through the texts, PER_SOURCE a source, straight to the store."""
    workspace = Workspace(Settings.from_env(home=home))
    kinds = [kind for kind, count in KINDS for _ in range(count)]
    for number, first in enumerate(range(0, total, PER_SOURCE)):
        kind = kinds[number % len(kinds)]
        rows = range(first, min(first + PER_SOURCE, total))
        extracts = [_extract(i, texts[i % len(texts)], kind) for i in rows]
        source = Source(
            path=f"bench/{kind}-{number:03d}",
            kind=kind,
            content_hash=f"bench-{number}",
            text="",
            extracts=extracts,
            title=f"Synthetic {kind} {number}",
            date=extracts[0].date,
        )
        workspace.store.replace_source(source, vectors[[i % len(texts) for i in rows]])
    return workspace


def _extract(i: int, text: str, kind: str) -> Extract:
    month, day = i % 12 + 1, i % 28 + 1
    return Extract(
        text=text,
        kind=kind,
        start=0,
        end=len(text),
        row=i if kind == "survey" else None,
        page=i % 40 + 1 if kind == "evidence" else None,
        date=f"2026-{month:02d}-{day:02d}",
        person=f"participant-{i % 150:03d}" if kind == "contribution" else None,
        attributes={"region": ("Wales", "North East", "London", "Scotland")[i % 4]},
        id=f"b{i:06d}",
    )


def time_runs(at, repeats: int, page: str | None) -> tuple[float, str]:
    """Median seconds of `repeats` runs (after switching to page); note any exception."""
    seconds = []
    for _ in range(repeats):
        if page:
            at.switch_page(f"pages/{page}.py")
        start = time.perf_counter()
        at.run()
        seconds.append(time.perf_counter() - start)
    note = f"exception: {at.exception[0].message}" if at.exception else ""
    return statistics.median(seconds), note


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=NHS_CSV)
    parser.add_argument("--extracts", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pages", nargs="+", default=PAGES, choices=PAGES)
    parser.add_argument("--summary", type=Path, help="append headline results to this JSON file")
    args = parser.parse_args()
    if not args.csv.exists():
        print(f"skipped: {args.csv.name} not found (evaluation data lives in ../shared/eval)")
        return 0
    from streamlit.testing.v1 import AppTest

    # Streamlit calls made outside a script run (cache set-up) warn "missing ScriptRunContext".
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )

    texts = load_texts(args.csv)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        start = time.perf_counter()
        vectors = Workspace(Settings.from_env(home=home)).embedder.embed(texts)
        print(f"embedded {len(texts)} distinct texts in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        workspace = build_workspace(home, texts, vectors, args.extracts)
        indexed = workspace.reindex()
        print(f"stored and indexed {indexed} extracts in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        workspace.build_themes()
        themes = len(workspace.list_themes())
        print(f"built {themes} themes in {time.perf_counter() - start:.1f} s")
        os.environ["QLAB_HOME"] = str(home)

        baseline = AppTest.from_string("import streamlit as st\nst.title('Baseline')")
        baseline.run()  # warm-up
        base, _ = time_runs(baseline, args.repeats, None)
        from lab_app.people import accounts
        from lab_app.ui.auth import SESSION_KEY

        accounts.add_user(workspace.store.engine, STAFF, "staff", password=os.urandom(16).hex())
        at = AppTest.from_file(str(APP), default_timeout=300)
        # Signed in as the sign-in page leaves a session; the app checks the account each run.
        at.session_state[SESSION_KEY] = {"name": STAFF, "role": "staff", "at": time.time()}
        start = time.perf_counter()
        at.run()  # the default page; opens the workspace
        print(f"first app run (opens the workspace): {time.perf_counter() - start:.1f} s")
        first = {}
        for page in args.pages:  # warm-up: loads the model, fills the pages' caches
            first[page], _ = time_runs(at, 1, page)
        print(
            f"\nmedian of {args.repeats} runs after a first visit; "
            f"baseline (one-line page) {base * 1000:.0f} ms"
        )
        print(f"{'page':14} {'first s':>8} {'seconds':>8} {'x baseline':>11}")
        medians = {}
        for page in args.pages:
            seconds, note = time_runs(at, args.repeats, page)
            medians[page] = seconds
            mark = f"  OVER {GOAL_S:g} s GOAL" if seconds > GOAL_S else ""
            if first[page] > GOAL_S and not mark:
                mark = f"  first visit over {GOAL_S:g} s"
            line = f"{page:14} {first[page]:8.3f} {seconds:8.3f} {seconds / base:11.1f}{mark}"
            print(f"{line}  {note}".rstrip())
    if args.summary:
        from bench.summary import record

        slowest = max(medians, key=medians.get)
        first_slowest = max(first, key=first.get)
        record(args.summary, f"slowest page at {args.extracts} extracts ({slowest}), median",
               f"{medians[slowest]:.2f} s", "< 1 s", medians[slowest] < GOAL_S)  # fmt: skip
        record(args.summary, f"slowest first visit ({first_slowest})",
               f"{first[first_slowest]:.2f} s", "< 1 s", first[first_slowest] < GOAL_S)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
