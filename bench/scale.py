"""Benchmark at Lab-network scale: ingest 100,000 extracts (peak memory), then search them.

The texts are real (NHS feedback, Banking77, Counsel Chat questions from ../shared/eval); to
reach 100,000 distinct texts, pairs of them are joined. 99,000 go in as one survey file and
1,000 as contributions, so a kind filter selects 1% or 99% of them (Chroma's own filtered
query slows as matches grow; the workspace routes each case differently).
Ingest runs as a `qlab ingest` process whose peak resident memory is read from the OS.
Search timings include embedding the query; the baseline is the raw query embedding alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.summary import record
from lab_app.core.settings import Settings
from lab_app.workspace import Workspace

EVAL = ROOT.parent / "shared" / "eval" / "clustering"
SOURCES = {
    "nhs-fft-patient-feedback-phase1/text_data.csv": "feedback",
    "banking77/train.csv": "text",
    "banking77/test.csv": "text",
    "counsel-chat-mental-health/derived__unique_questions.csv": "questionText",
}


def real_texts() -> list[str]:
    texts: list[str] = []
    for name, column in SOURCES.items():
        with (EVAL / name).open(encoding="utf-8", newline="") as handle:
            texts += [" ".join((row[column] or "").split()) for row in csv.DictReader(handle)]
    return sorted({t for t in texts if len(t) > 3})


def corpus(total: int) -> list[str]:
    """`total` distinct texts: every real one, then pairs of real ones joined."""
    pool = real_texts()
    chosen, seen = list(pool[:total]), set(pool[:total])
    rng = random.Random(7)
    while len(chosen) < total:
        joined = f"{rng.choice(pool)} {rng.choice(pool)}"
        if joined not in seen:
            seen.add(joined)
            chosen.append(joined)
    rng.shuffle(chosen)
    return chosen


def write_csv(path: Path, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "answer"])
        writer.writerows([i, text] for i, text in enumerate(texts))


def write_contributions(path: Path, texts: list[str]) -> None:
    records = [
        {"id": f"c{i}", "author": f"member{i % 50}", "date": "2026-06-01", "text": text}
        for i, text in enumerate(texts)
    ]
    path.write_text(json.dumps(records), encoding="utf-8")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--summary", type=Path, help="append the results to this JSON file")
    args = parser.parse_args()
    missing = [name for name in SOURCES if not (EVAL / name).exists()]
    if missing:
        print(f"skipped: {', '.join(missing)} not found (evaluation data lives in ../shared/eval)")
        return 0
    texts = corpus(args.total)
    small = max(1, args.total // 100)
    with tempfile.TemporaryDirectory() as folder:
        home, files = Path(folder) / "ws", Path(folder) / "files"
        files.mkdir()
        write_csv(files / "survey.csv", texts[small:])
        write_contributions(files / "contributions.json", texts[:small])
        qlab = Path(sys.executable).with_name("qlab")
        start = time.perf_counter()
        for name, options in (
            ("survey.csv", ["--kind", "survey", "--text-col", "answer", "--id-col", "id"]),
            ("contributions.json", ["--kind", "contribution"]),
        ):
            subprocess.run(
                [str(qlab), "--home", str(home), "ingest", *options, str(files / name)],
                check=True, capture_output=True,
            )  # fmt: skip
        ingest_seconds = time.perf_counter() - start
        peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024

        workspace = Workspace(Settings.from_env(home=home))
        rng = random.Random(11)
        queries = [" ".join(t.split()[:8]) for t in rng.sample(texts, args.queries)]
        workspace.search(queries[0])  # load the model and open the index
        timings: dict[str, list[float]] = {"embed": [], "search": [], "filtered": [], "common": []}
        for query in queries:
            start = time.perf_counter()
            workspace.embedder.model.encode([query], normalize_embeddings=True)
            timings["embed"].append(time.perf_counter() - start)
            start = time.perf_counter()
            workspace.search(query, k=10)
            timings["search"].append(time.perf_counter() - start)
            start = time.perf_counter()
            hits = workspace.search(query, k=10, kind="contribution")
            timings["filtered"].append(time.perf_counter() - start)
            assert all(hit["kind"] == "contribution" for hit in hits)
            start = time.perf_counter()
            hits = workspace.search(query, k=10, kind="survey")
            timings["common"].append(time.perf_counter() - start)
            assert all(hit["kind"] == "survey" for hit in hits)
        count = workspace.status()["extracts"]

    ms = {name: [v * 1000 for v in values] for name, values in timings.items()}
    p95 = {name: percentile(values, 0.95) for name, values in ms.items()}
    print(f"extracts              {count}")
    print(f"ingest                {ingest_seconds:8.1f} s  ({count / ingest_seconds:.0f}/s)")
    print(f"peak memory (ingest)  {peak_gb:8.2f} GB  (goal < 3 GB)")
    for name in ("embed", "search", "filtered", "common"):
        print(
            f"{name:21} p50 {statistics.median(ms[name]):6.1f} ms  p95 {p95[name]:6.1f} ms"
            + ("" if name == "embed" else "  (goal p95 < 50 ms)")
        )
    if args.summary:
        record(args.summary, f"peak memory, ingest {count} extracts", f"{peak_gb:.2f} GB",
               "< 3 GB", peak_gb < 3)  # fmt: skip
        for name, label in (
            ("search", "search"),
            ("filtered", "search, kind filter 1%"),
            ("common", "search, kind filter 99%"),
        ):
            record(
                args.summary,
                f"{label} p95 at {count} (query embed p95 {p95['embed']:.0f} ms)",
                f"{p95[name]:.0f} ms",
                "< 50 ms",
                p95[name] < 50,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
