"""What a theme says about itself: key-phrase label, description, exemplars, telling attributes."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

# Words that carry no theme in health-and-care feedback, plus our redaction placeholders.
EXTRA_STOP_WORDS = {
    "really", "just", "like", "think", "feel", "lot", "things", "thing", "got", "get", "did",
    "does", "doing", "make", "made", "way", "want", "know", "bit", "yes", "don", "didn", "isn",
    "wasn", "ve", "ll", "re", "im", "dont", "email", "phone", "url", "postcode", "nhs_number",
    "ok", "okay", "also", "would", "could", "should", "us", "one", "say", "said", "able",
    # what is left of "haven't", "wouldn't"... once the apostrophe splits the word
    "haven", "hasn", "hadn", "wouldn", "couldn", "shouldn", "weren", "aren", "doesn", "won",
}  # fmt: skip
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS)
TOKEN = r"(?u)\b[a-zA-Z][a-zA-Z-]*[a-zA-Z]\b"  # words only: never numbers or contractions
# A word, or any other mark standing alone ("I", "5", an apostrophe): a mark breaks a phrase.
_PIECE = re.compile(TOKEN + r"|\S")
# Where a phrase cannot run on: line breaks (one text per line), sentence and clause marks.
_BREAK = re.compile(r"[\n.,;:!?()\[\]\"“”…]+|\s[-–—]+\s")


def terms_of(text: str) -> list[str]:
    """Words and two-word phrases. A phrase is two words written side by side: never across a
    stop word, a number or punctuation, so "peace of mind. Not sure" gives no "mind sure"."""
    found: list[str] = []
    for run in _BREAK.split(text.lower()):
        previous = None
        for word in _PIECE.findall(run):
            if len(word) < 2 or word in STOP_WORDS:
                previous = None
                continue
            found.append(word)
            if previous:
                found.append(f"{previous} {word}")
            previous = word
    return found


def key_phrases(documents: list[str], top: int = 6) -> list[list[str]]:
    """Class-based TF-IDF (as BERTopic): each group's texts, one per line, are one document."""
    if not documents:
        return []
    vectorizer = CountVectorizer(analyzer=terms_of)
    try:
        counts = vectorizer.fit_transform(documents)
    except ValueError:  # nothing but stop words anywhere
        return [[] for _ in documents]
    terms = np.array(vectorizer.get_feature_names_out())
    tf = counts.multiply(1 / np.maximum(counts.sum(axis=1), 1)).tocsr()
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    average_words = counts.sum() / counts.shape[0]
    idf = np.log1p(average_words / np.maximum(frequency, 1))
    weight = idf
    # A word used by most groups names none of them ("people", "peer" in a peer-support Lab).
    if counts.shape[0] >= 4:
        spread = np.asarray((tf > 0.001).sum(axis=0)).ravel() / counts.shape[0]
        weight = np.where(spread > 0.5, 0.0, idf)
    scores = tf.multiply(weight).tocsr()
    scores.eliminate_zeros()
    result = []
    for row in range(scores.shape[0]):
        line = scores.getrow(row)
        order = np.argsort(-line.data)[: top * 4]
        result.append(_distinct_terms(terms[line.indices[order]], top))
    return result


def _forms(word: str) -> set[str]:
    """The word and what it may be the plural of: cards → card, buses → bus."""
    forms = {word}
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
        if word.endswith("es"):
            forms.add(word[:-2])
    return forms


def _within(term: str, other: str) -> bool:
    """Every word of term is in other, plurals aside: "worker" is within "peer workers"."""
    return all(any(_forms(w) & _forms(o) for o in other.split()) for w in term.split())


def _distinct_terms(terms, top: int) -> list[str]:
    """Skip a term already said by a chosen one (a word inside a chosen phrase, the plural or
    singular of a chosen term); a phrase replaces the chosen words inside it."""
    chosen: list[str] = []
    for term in terms:
        if any(_within(term, other) for other in chosen):
            continue
        if " " in term:
            chosen = [c for c in chosen if " " in c or not _within(c, term)]
        chosen.append(term)
        if len(chosen) == top:
            break
    return chosen


def label_from(phrases: list[str], fallback: str) -> str:
    return " · ".join(phrases[:3]) if phrases else fallback


def first_sentence(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    match = re.search(r"(?<=[.!?])\s", flat)
    sentence = flat[: match.start()] if match else flat
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def representatives(
    vectors: np.ndarray, centroid: np.ndarray, count: int = 3, pinned: list[int] | None = None
) -> list[int]:
    """Row indices central to the theme yet different from each other (maximal marginal
    relevance, λ=0.7); pinned rows come first."""
    chosen = list(pinned or [])[:count]
    if len(vectors) == 0:
        return chosen
    centrality = vectors @ centroid
    pool = [i for i in np.argsort(-centrality)[:50] if i not in chosen]
    while len(chosen) < count and pool:
        if chosen:
            redundancy = (vectors[pool] @ vectors[chosen].T).max(axis=1)
        else:
            redundancy = np.zeros(len(pool))
        score = 0.7 * centrality[pool] - 0.3 * redundancy
        best = pool[int(np.argmax(score))]
        chosen.append(int(best))
        pool.remove(best)
    return chosen


def over_represented(
    members: list[dict[str, str]], everyone: list[dict[str, str]], minimum: int = 5
) -> list[dict]:
    """Attribute values much commoner in the theme than overall (lift >= 1.5, z >= 2)."""
    overall = Counter((n, v) for attrs in everyone for n, v in attrs.items())
    holders = Counter(n for attrs in everyone for n in attrs)
    inside = Counter((n, v) for attrs in members for n, v in attrs.items())
    inside_holders = Counter(n for attrs in members for n in attrs)
    found = []
    for (name, value), count in inside.items():
        if count < minimum or inside_holders[name] < minimum:
            continue
        p_all = overall[(name, value)] / holders[name]
        p_theme = count / inside_holders[name]
        if p_all >= 1 or p_theme / p_all < 1.5:
            continue
        z = (p_theme - p_all) / math.sqrt(p_all * (1 - p_all) / inside_holders[name])
        if z >= 2:
            found.append(
                {
                    "attribute": name,
                    "value": value,
                    "count": count,
                    # Shares as counted: an essay rounds them once, to a whole percent (10 of
                    # 23 rounded here to 0.435 read "44%" where it is 43%).
                    "share": p_theme,
                    "overall": p_all,
                    "lift": round(p_theme / p_all, 2),
                }
            )
    return sorted(found, key=lambda item: -item["lift"])[:5]
