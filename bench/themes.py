"""Benchmark: theme building against BERTopic's default pipeline, same embeddings, same run.

For NHS phase-1 feedback (against `label` and `subcategory`) and Banking77's test split
(against its intents): NMI, ARI, share unsorted (BERTopic's outliers counted the same way),
number of themes, build time, and stability (build on 80%, add the other 20%, rebuild: the
share of the first 80% whose theme changed). Ours runs the product's `themes.build` on a real
store; BERTopic is a benchmark-only dependency (`pip install bertopic`). A seed spread scores
the grouping step alone with seeds 0–4, to show how much of a score is the fixed seed's luck.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import off_topic  # noqa: E402
from bench.theme_labels import RESULTS as LABELS  # noqa: E402
from bench.theme_labels import label_quality  # noqa: E402
from ingest.non_answers import is_non_answer  # noqa: E402
from ingest.records import Extract, Source  # noqa: E402
from lab_app.material.embedder import Embedder
from lab_app.material.store import Store
from lab_app.themes import clustering
from lab_app.themes.build import build, placements

EVAL = ROOT.parent / "shared" / "eval" / "clustering"
DATASETS = {
    "nhs": (EVAL / "nhs-fft-patient-feedback-phase1" / "text_data.csv", "feedback",
            ["label", "subcategory"]),
    "banking77": (EVAL / "banking77" / "test.csv", "text", ["category"]),
}  # fmt: skip
SEEDS = range(5)


SET_ASIDE: dict[str, int] = {}  # non-answers per dataset, kept out as ingest keeps them out


def load(name: str, as_ingested: bool = False):
    """The dataset's non-blank texts and expert labels; as_ingested also sets non-answers
    ("Nothing", "N/A", "No") aside as ingest does, so no method is scored on grouping them."""
    path, text_column, label_columns = DATASETS[name]
    with path.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row[text_column].strip()]
    kept = [r for r in rows if not (as_ingested and is_non_answer(r[text_column]))]
    SET_ASIDE[name] = len(rows) - len(kept)
    return [row[text_column] for row in kept], {c: [row[c] for row in kept] for c in label_columns}


def ours(
    texts: list[str], vectors: np.ndarray, rows: np.ndarray, home: Path, embedder=None
) -> Store:
    """Put rows in a fresh store as one source and run the product's theme build; labels out."""
    store = Store(f"sqlite:///{home / 'store.sqlite3'}")
    _add(store, texts, vectors, rows, "part-1")
    build(store.engine, embedder=embedder)
    return store


def _add(store: Store, texts, vectors, rows, name: str) -> None:
    extracts = [
        Extract(text=texts[i], kind="survey", start=0, end=0, row=int(i), id=f"x{i:06d}")
        for i in rows
    ]
    source = Source(path=name, kind="survey", content_hash=name, text="", extracts=extracts)
    store.replace_source(source, vectors[rows])


def our_labels(store: Store, n: int) -> np.ndarray:
    placed = placements(store.engine)
    labels = np.full(n, "none", dtype=object)
    for extract_id, where in placed.items():
        labels[int(extract_id[1:])] = where["theme_id"]
    return labels


def bertopic_labels(texts, vectors) -> np.ndarray:
    from bertopic import BERTopic

    topics, _ = BERTopic(embedding_model=None).fit_transform(texts, embeddings=vectors)
    return np.array(topics)


def changed_share(before: np.ndarray, after: np.ndarray) -> float:
    """Share of items whose group changed, after matching each old group to the new group
    holding most of its members (ids may be renumbered between fits)."""
    mapping = {}
    for old in set(before):
        counts = Counter(after[before == old])
        mapping[old] = counts.most_common(1)[0][0]
    return float(np.mean([mapping[b] != a for b, a in zip(before, after, strict=True)]))


def score(name, labels, truths, seconds, stability, outlier) -> list[str]:
    lines = []
    themes = len(set(labels) - {outlier})
    for column, truth in truths.items():
        RESULTS[(name, column)] = {
            "NMI": normalized_mutual_info_score(truth, labels),
            "ARI": adjusted_rand_score(truth, labels),
            "unsorted": float(np.mean(labels == outlier)),
            "themes": themes,
            "seconds": seconds,
            "moved": stability,
        }
        lines.append(
            f"{name:9} {column.split(':')[1]:12} NMI {RESULTS[(name, column)]['NMI']:.3f}  "
            f"ARI {adjusted_rand_score(truth, labels):.3f}  "
            f"unsorted {np.mean(labels == outlier):5.1%}  themes {themes:4d}  "
            f"build {seconds:6.1f} s  moved {stability:5.1%}"
        )
    return lines


RESULTS: dict[tuple[str, str], dict] = {}  # (method, label column) -> measures, this run


def run(name: str, embedder: Embedder, with_bertopic: bool, as_ingested: bool) -> list[str]:
    texts, truths = load(name, as_ingested)
    truths = {f"{name}:{column}": truth for column, truth in truths.items()}
    vectors = embedder.embed(texts)
    n = len(texts)
    order = np.random.default_rng(0).permutation(n)
    first, rest = np.sort(order[: int(0.8 * n)]), np.sort(order[int(0.8 * n) :])
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        store = ours(texts, vectors, np.arange(n), Path(tmp), embedder)
        seconds = time.perf_counter() - start
        full = our_labels(store, n)
        label_lines = label_quality(name, store, texts, vectors, truths, embedder, with_bertopic)
    with tempfile.TemporaryDirectory() as tmp:
        store = ours(texts, vectors, first, Path(tmp), embedder)
        before = our_labels(store, n)[first]
        _add(store, texts, vectors, rest, "part-2")
        build(store.engine, embedder=embedder)
        after = our_labels(store, n)[first]
    lines += score("ours", full, truths, seconds, changed_share(before, after), "unsorted")
    lines += label_lines
    lines += seed_spread(texts, vectors, truths)
    if with_bertopic:
        start = time.perf_counter()
        topics = bertopic_labels(texts, vectors)
        seconds = time.perf_counter() - start
        before = bertopic_labels([texts[i] for i in first], vectors[first])
        after = bertopic_labels(texts, vectors)[first]
        lines += score("BERTopic", topics, truths, seconds, changed_share(before, after), -1)
    return lines


def seed_spread(texts: list[str], vectors: np.ndarray, truths: dict) -> list[str]:
    """NMI and ARI of clustering.group alone, without the build's Unsorted step, with each of
    SEEDS: the product fixes one seed; other seeds of the same grouping show how much of a score
    is the luck of that seed rather than the method."""
    labels = [clustering.group(vectors, texts, seed=seed).labels for seed in SEEDS]
    lines = []
    for column, truth in truths.items():
        scores = {
            name: [measure(truth, found) for found in labels]
            for name, measure in (("NMI", normalized_mutual_info_score),
                                  ("ARI", adjusted_rand_score))
        }  # fmt: skip
        RESULTS[("ours, seeds", column)] = {
            name: (min(values), float(np.mean(values)), max(values))
            for name, values in scores.items()
        }
        spread = "  ".join(
            f"{name} {min(v):.3f}–{max(v):.3f} (mean {np.mean(v):.3f})"
            for name, v in scores.items()
        )
        lines.append(
            f"{'grouping':9} {column.split(':')[1]:12} "
            f"seeds {SEEDS.start}–{SEEDS.stop - 1}: {spread}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-bertopic", action="store_true", help="only our build")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--scale", type=int, default=50_000, help="build-time run size (0: skip)")
    parser.add_argument("--no-off-topic", action="store_true", help="skip the off-topic run")
    parser.add_argument(
        "--as-ingested", action="store_true", help="set non-answers aside first, as ingest does"
    )
    parser.add_argument("--summary", type=Path, help="append headline results to this JSON file")
    args = parser.parse_args()
    missing = [name for name in args.datasets if not DATASETS[name][0].exists()]
    if missing:
        print(f"skipped: {', '.join(missing)} not found (evaluation data lives in ../shared/eval)")
        return 0
    with_bertopic = not args.no_bertopic
    if with_bertopic:
        try:
            import bertopic  # noqa: F401
        except ImportError:
            print("BERTopic not installed (pip install bertopic): showing our build only")
            with_bertopic = False
    embedder = Embedder()
    print("first BERTopic fit in the process is its cold start (UMAP/numba compile)")
    for name in args.datasets:
        lines = run(name, embedder, with_bertopic, args.as_ingested)
        print(f"\n{name} ({SET_ASIDE[name]} non-answers set aside, as ingest does)")
        for line in lines:
            print(line, flush=True)
    if not args.no_off_topic:
        for line in off_topic.run(DATASETS["banking77"][0]):
            print("\n" + line, flush=True)
    if args.scale:
        scale_seconds = build_times(args.scale, embedder, with_bertopic)
    if args.summary:
        summarise(args.summary, with_bertopic, scale_seconds if args.scale else {})
    return 0


def build_times(total: int, embedder: Embedder, with_bertopic: bool) -> dict[str, float]:
    """Build time alone at Lab-network size (no labels): real texts, pairs joined past ~24k."""
    from bench.scale import corpus

    texts = corpus(total)
    vectors = embedder.embed(texts)
    seconds = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ours(texts, vectors, np.arange(len(texts)), Path(tmp), embedder)
        seconds["ours"] = time.perf_counter() - start
    if with_bertopic:
        start = time.perf_counter()
        bertopic_labels(texts, vectors)
        seconds["BERTopic"] = time.perf_counter() - start
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
    print(f"\nbuild time at {total} extracts: {timings}")
    return seconds


def summarise(path: Path, with_bertopic: bool, scale: dict[str, float]) -> None:
    from bench.summary import record

    names = {"nhs:subcategory": "NHS subcategories", "banking77:category": "Banking77"}
    for key, name in names.items():
        mine = RESULTS.get(("ours", key))
        if not mine:
            continue
        theirs = RESULTS.get(("BERTopic", key)) if with_bertopic else None
        for measure in ("NMI", "ARI"):
            goal = 0.32 if (key, measure) == ("nhs:subcategory", "NMI") else None
            goal = 0.15 if (key, measure) == ("nhs:subcategory", "ARI") else goal
            if key.startswith("banking77") and theirs:
                goal = theirs[measure]
            value = f"{mine[measure]:.3f}"
            if theirs:
                value += f" (BERTopic {theirs[measure]:.3f})"
            met = None if goal is None else mine[measure] >= goal
            record(path, f"themes {name} {measure}", value, f">= {goal:.3f}" if goal else "", met)
            if spread := RESULTS.get(("ours, seeds", key)):
                low, mean, high = spread[measure]
                seeds = f"{SEEDS.start}–{SEEDS.stop - 1}"
                record(path, f"themes {name} {measure}, grouping with seeds {seeds}",
                       f"{low:.3f}–{high:.3f} (mean {mean:.3f})", "", None)  # fmt: skip
        record(path, f"themes {name} unsorted", f"{mine['unsorted']:.1%}", "<= 15%",
               mine["unsorted"] <= 0.15)  # fmt: skip
        record(path, f"themes {name} moved on +20%", f"{mine['moved']:.1%}", "<= 5%",
               mine["moved"] <= 0.05)  # fmt: skip
        if theirs:
            ratio = theirs["seconds"] / mine["seconds"]
            record(path, f"themes {name} build, BERTopic ÷ ours", f"{ratio:.1f}×", ">= 5×",
                   ratio >= 5 if key.startswith("nhs") else None)  # fmt: skip
    for key, name in names.items():
        mine, theirs = (
            LABELS.get(("ours", key)),
            [LABELS.get((m, key)) for m in ("BERTopic c-TF-IDF", "BERTopic KeyBERT")],
        )
        if mine:
            best = max((t["cosine"] for t in theirs if t), default=None)
            value = f"{mine['cosine']:.3f}" + (f" (BERTopic best {best:.3f})" if best else "")
            record(path, f"labels {name}, cosine to majority category", value,
                   "> BERTopic's", None if best is None else mine["cosine"] > best)  # fmt: skip
            record(path, f"labels {name}, faulty", f"{mine['faulty']:.1%}", "0%",
                   mine["faulty"] == 0)  # fmt: skip
    if off_topic.RESULT:
        found = off_topic.RESULT
        record(path, "off-topic kept apart", f"{found['kept_apart']:.1%}", ">= 90%",
               found["kept_apart"] >= 0.9)  # fmt: skip
        record(path, "off-topic: demo extracts moved", f"{found['moved']:.1%}", "<= 2%",
               found["moved"] <= 0.02)  # fmt: skip
    if "BERTopic" in scale:
        ratio = scale["BERTopic"] / scale["ours"]
        record(path, f"themes build at scale, BERTopic ÷ ours ({scale['ours']:.0f} s)",
               f"{ratio:.1f}×", "", None)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
