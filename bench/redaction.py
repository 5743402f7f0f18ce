"""Benchmark: redaction recall and precision per category, names on real NHS feedback, and speed.

1. The measurement set (tests/ingest/redaction_cases.py): 101 identifiers in the formats people
   type, 61 names in UK health-and-care sentences, 41 sentences of ordinary words that look like
   names. Prints recall and precision per placeholder, and every miss or false hit.
2. The real NHS Friends-and-Family-Test comments: every text redacted in batches, texts/s with
   names on and off (same run), and a seeded sample of 100 [NAME] replacements with the words
   they replaced, for a person to judge (the --show flag prints them).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.redact import find_spans, redact_many  # noqa: E402
from tests.ingest.redaction_cases import cases, score  # noqa: E402

NHS_CSV = ROOT.parent / "shared/eval/clustering/nhs-fft-patient-feedback-phase1/text_data.csv"


def measure_cases(summary: Path | None) -> None:
    tallies, problems = score(cases())
    print(f"{'placeholder':12} expected caught  recall  spans precision")
    for label in ("EMAIL", "PHONE", "NHS_NUMBER", "POSTCODE", "URL", "NAME"):
        if t := tallies.get(label):
            print(f"{label:12} {t.expected:8} {t.caught:6} {t.recall:7.3f} {t.spans:6} ", end="")
            print(f"{t.precision:9.3f}")
    for line in problems:
        print("  " + line)
    if summary:
        from bench.summary import record

        kinds = ("EMAIL", "PHONE", "NHS_NUMBER", "POSTCODE", "URL")
        leaks = sum(tallies[k].expected - tallies[k].caught for k in kinds)
        total = sum(tallies[k].expected for k in kinds)
        record(summary, f"redaction leaks ({total} identifiers)", str(leaks), "0", leaks == 0)
        names = tallies["NAME"]
        record(summary, f"names recall / precision ({names.expected} names)",
               f"{names.recall:.2f} / {names.precision:.2f}", ">= 0.9 / few false",
               names.recall >= 0.9)  # fmt: skip


def read_feedback(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            row["feedback"] for row in csv.DictReader(handle) if row.get("feedback", "").strip()
        ]


def measure_nhs(path: Path, show: bool) -> None:
    texts = read_feedback(path)
    redact_many(texts[:64])  # load the model before timing
    rates = {}
    for names in (False, True):
        start = time.perf_counter()
        redact_many(texts, names=names)
        rates[names] = len(texts) / (time.perf_counter() - start)
    print(f"\nNHS feedback, {len(texts)} texts: {rates[False]:.0f} texts/s without names, ", end="")
    print(f"{rates[True]:.0f} texts/s with names ({rates[True] / rates[False]:.2f}x)")
    found = [
        (text, text[start:end])
        for text, spans in zip(texts, find_spans(texts), strict=True)
        for start, end, label in spans
        if label == "NAME"
    ]
    print(f"[NAME] spans: {len(found)} in {len({t for t, _ in found})} texts")
    sample = random.Random(15).sample(found, min(100, len(found)))
    for text, name in sample if show else []:
        at = text.find(name)
        print(f"  {name!r:24} …{text[max(0, at - 40) : at + len(name) + 30]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=NHS_CSV)
    parser.add_argument("--show", action="store_true", help="print the 100 sampled [NAME] spans")
    parser.add_argument("--summary", type=Path, help="append headline results to this JSON file")
    args = parser.parse_args()
    measure_cases(args.summary)
    if args.csv.exists():
        measure_nhs(args.csv, args.show)
    else:
        print(f"skipped NHS feedback: {args.csv.name} not found (eval data: ../shared/eval)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
