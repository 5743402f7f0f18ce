"""Benchmark: our opinion groups and divisive statements against Pol.is's own, on real data.

On a Pol.is export from ../shared/eval/polis (default: american-assembly.bowling-green): the
adjusted Rand index between our groups and Pol.is's `group-id` for the participants Pol.is
grouped (ours unclustered count as a group of their own), and the overlap between our 20 most
divisive statements and the 20 most divisive computed the same way from Pol.is's groups. Both
come from `lab_app.opinions.groups` fed the export's vote matrix directly; moderated-out
comments are left out as Pol.is leaves them out.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lab_app.exchange.polis import polis_matrix, read_polis
from lab_app.opinions.groups import compute

EVAL = ROOT.parent / "shared" / "eval" / "polis"
GOALS = {"ARI": 0.8, "overlap@20": 0.7}
TOP = 20


def measure(folder: Path, seed: int = 0) -> dict:
    conversation = read_polis(folder)
    participants, statements, matrix = polis_matrix(conversation)
    start = time.perf_counter()
    ours = compute(participants, statements, matrix, seed=seed)
    seconds = time.perf_counter() - start
    theirs = compute(participants, statements, matrix, labels=conversation.groups)
    grouped = [p for p in participants if p in conversation.groups]
    ari = adjusted_rand_score(
        [conversation.groups[p] for p in grouped], [ours.labels.get(p, -1) for p in grouped]
    )
    our_top, their_top = ours.most_divisive(TOP), theirs.most_divisive(TOP)
    return {
        "participants": len(participants),
        "statements": len(statements),
        "polis_groups": len(set(conversation.groups.values())),
        "polis_grouped": len(grouped),
        "our_groups": ours.k,
        "our_grouped": len(ours.labels),
        "silhouette": ours.silhouette,
        "ARI": float(ari),
        "overlap@20": len(set(our_top) & set(their_top)) / TOP,
        "seconds": seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--conversations", nargs="+", default=["american-assembly.bowling-green"],
        help="folders under ../shared/eval/polis",
    )  # fmt: skip
    parser.add_argument("--summary", type=Path, help="append headline results to this JSON file")
    args = parser.parse_args()
    for name in args.conversations:
        folder = EVAL / name
        if not folder.exists():
            print(f"skipped: {name} not found (evaluation data lives in ../shared/eval)")
            continue
        result = measure(folder)
        print(f"\n{name}")
        print(
            f"{result['participants']} participants, {result['statements']} moderated-in "
            f"statements; Pol.is: {result['polis_groups']} groups over "
            f"{result['polis_grouped']} people; ours: {result['our_groups']} groups over "
            f"{result['our_grouped']} people (silhouette {result['silhouette'] or 0:.3f}, "
            f"{result['seconds']:.1f} s)"
        )
        print(f"{'measure':12} {'ours':>6} {'goal':>6}  met")
        for measure_name, goal in GOALS.items():
            value = result[measure_name]
            print(f"{measure_name:12} {value:6.3f} {goal:6.2f}  {'yes' if value >= goal else 'NO'}")
            if args.summary:
                from bench.summary import record

                record(args.summary, f"opinion groups {name} {measure_name} vs Pol.is",
                       f"{value:.3f}", f">= {goal:.2f}", value >= goal)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
