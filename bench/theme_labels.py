"""Benchmark: do theme labels name what the experts' categories name? Ours against BERTopic's
c-TF-IDF words and its KeyBERTInspired representation, on the same themes, in the same run.

For each of our themes, the majority expert category is its yardstick: the size-weighted mean
cosine (same model) between a theme's label and that category's name, and the share of labels
holding a filler word, a number, a person's name or a URL fragment.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from lab_app.themes.build import list_themes, placements
from lab_app.themes.label_check import label_faults, names_in

RESULTS: dict[tuple[str, str], dict] = {}  # (representation, label column) -> measures
WORDS = 3  # BERTopic's top words joined into a label, as our labels were before


def label_quality(name, store, texts, vectors, truths, embedder, with_bertopic) -> list[str]:
    """Score our labels (and BERTopic's, on our themes) against each truth column."""
    placed = placements(store.engine)
    rows = {t["id"]: t for t in list_themes(store.engine) if t["status"] == "active"}
    theme_of = np.full(len(texts), -1)
    order = sorted(rows)
    for extract_id, where in placed.items():
        if where["theme_id"] in rows:
            theme_of[int(extract_id[1:])] = order.index(where["theme_id"])
    labels = {"ours": [rows[t]["label"] for t in order]}
    if with_bertopic:
        labels.update(bertopic_representations(texts, vectors, theme_of, embedder))
    names = names_in(texts)
    lines = []
    for column, truth in truths.items():
        majority = [
            Counter(np.asarray(truth, dtype=object)[theme_of == g]).most_common(1)[0][0]
            for g in range(len(order))
        ]
        sizes = np.bincount(theme_of[theme_of >= 0], minlength=len(order))
        wanted = embedder.embed([m.replace("_", " ") for m in majority])
        for method, written in labels.items():
            cosine = np.sum(embedder.embed(written) * wanted, axis=1)
            faults = [label_faults(label, names) for label in written]
            RESULTS[(method, column)] = {
                "cosine": float(np.average(cosine, weights=sizes)),
                "faulty": float(np.mean([bool(f) for f in faults])),
                "kinds": dict(Counter(k for f in faults for k in f)),
            }
            result = RESULTS[(method, column)]
            if method == "ours" and column == next(iter(truths)):  # ours, to read and mend
                pairs = zip(written, faults, strict=True)
                lines += [f"  faulty: {label} ({', '.join(f)})" for label, f in pairs if f]
                single = [label for label in written if len(label.split()) == 1]
                lines.append(f"  one word: {len(single)} of {len(written)}: {', '.join(single)}")
            lines.append(
                f"labels {method:18} {column.split(':')[1]:12} cosine to the majority "
                f"category {result['cosine']:.3f}  faulty {result['faulty']:5.1%} "
                f"{result['kinds'] or ''}"
            )
    lines += [f"  {rows[t]['size']:5}  {rows[t]['label']}" for t in order[:12]]
    return lines


def bertopic_representations(texts, vectors, theme_of, embedder) -> dict[str, list[str]]:
    """BERTopic's c-TF-IDF words and KeyBERTInspired words for our own themes (its manual
    topic modelling: no reduction, no clustering, our theme of each text given as y)."""
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.representation import KeyBERTInspired
    from sklearn.feature_extraction.text import CountVectorizer

    result = {}
    for method, representation in (("BERTopic c-TF-IDF", None), ("BERTopic KeyBERT", "keybert")):
        model = BERTopic(
            embedding_model=embedder.model,
            umap_model=BaseDimensionalityReduction(),
            hdbscan_model=BaseCluster(),
            vectorizer_model=CountVectorizer(stop_words="english"),
            representation_model=KeyBERTInspired() if representation else None,
        )
        topics = np.asarray(model.fit_transform(texts, embeddings=vectors, y=theme_of)[0])
        # BERTopic may renumber topics by size: find each theme's topic by its members.
        result[method] = [
            " ".join(
                word
                for word, _ in model.get_topic(Counter(topics[theme_of == g]).most_common(1)[0][0])[
                    :WORDS
                ]
            )
            for g in range(int(theme_of.max()) + 1)
        ]
    return result
