"""Benchmark: ingest rate of the 10k-row NHS feedback CSV against raw model.encode, same run.

Prints extracts/s for a full ingest into a fresh workspace (parse, map, redact with person
names, embed, store, index), the raw `model.encode` rate on the very same texts, their ratio
(goal >= 0.85), and the time to re-ingest the unchanged file (goal < 2 s, no model call). Also
what finding names costs: the redaction rate on the file's raw answers with names and without.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.redaction import read_feedback
from ingest.pipeline import file_hash, load_source
from ingest.redact import redact_many
from lab_app.core.settings import Settings
from lab_app.workspace import Workspace

NHS_CSV = ROOT.parent / "shared/eval/clustering/nhs-fft-patient-feedback-phase1/text_data.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=NHS_CSV)
    parser.add_argument("--summary", type=Path, help="append headline results to this JSON file")
    args = parser.parse_args()
    if not args.csv.exists():
        print(f"skipped: {args.csv.name} not found (evaluation data lives in ../shared/eval)")
        return 0
    with tempfile.TemporaryDirectory() as home:
        workspace = Workspace(Settings.from_env(home=Path(home)))
        options = workspace.ingest_options(kind="survey")
        texts = [e.text for e in load_source(args.csv, "x", file_hash(args.csv), options).extracts]
        model = workspace.embedder.model
        model.encode(texts[:64], batch_size=workspace.settings.batch_size)  # warm up

        start = time.perf_counter()
        model.encode(texts, batch_size=workspace.settings.batch_size, normalize_embeddings=True)
        raw_rate = len(texts) / (time.perf_counter() - start)

        start = time.perf_counter()
        (outcome,) = workspace.ingest([args.csv], options)
        ingest_seconds = time.perf_counter() - start
        ingest_rate = outcome.extracts / ingest_seconds

        again = Workspace(workspace.settings)
        start = time.perf_counter()
        (second,) = again.ingest([args.csv], options)
        reingest_seconds = time.perf_counter() - start

        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "lab_app.cli",
                "--home",
                home,
                "ingest",
                "--kind",
                "survey",
                str(args.csv),
            ],
            check=True,
            capture_output=True,
        )
        process_seconds = time.perf_counter() - start

    raw = read_feedback(args.csv)
    redaction = {}
    for names in (False, True):
        start = time.perf_counter()
        redact_many(raw, names=names)
        redaction[names] = len(raw) / (time.perf_counter() - start)

    unique = len(set(texts))
    print(f"texts                 {len(texts)} ({unique} distinct: ingest embeds each once)")
    print(f"raw model.encode      {raw_rate:8.1f} texts/s")
    print(f"ingest                {ingest_rate:8.1f} extracts/s  ({ingest_seconds:.1f} s)")
    print(f"ratio ingest/encode   {ingest_rate / raw_rate:8.2f}   (goal >= 0.85)")
    print(
        f"re-ingest unchanged   {reingest_seconds:8.2f} s in-process, {second.status}, "
        f"model texts {again.embedder.texts_embedded}  (goal < 2 s, 0 texts)"
    )
    print(f"re-ingest, new qlab   {process_seconds:8.2f} s including Python start-up")
    print(f"redaction, no names   {redaction[False]:8.1f} texts/s  (raw answers, same run)")
    print(f"redaction, names      {redaction[True]:8.1f} texts/s  (what ingest does)")
    if args.summary:
        from bench.summary import record

        ratio = ingest_rate / raw_rate
        record(args.summary, f"ingest ÷ raw encode ({len(texts)} rows)", f"{ratio:.2f}",
               ">= 0.85", ratio >= 0.85)  # fmt: skip
        record(args.summary, "redaction texts/s, with names / without (same texts)",
               f"{redaction[True]:.0f} / {redaction[False]:.0f}", "", None)  # fmt: skip
        record(args.summary, "re-ingest unchanged 10k (model texts)",
               f"{reingest_seconds:.2f} s ({again.embedder.texts_embedded})", "< 2 s, 0",
               reingest_seconds < 2 and again.embedder.texts_embedded == 0)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
