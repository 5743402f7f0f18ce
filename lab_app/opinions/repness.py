"""What each opinion group thinks and what all agree on, by Pol.is's formulas (repness.clj).

Per statement and group: na, nd agree and disagree votes, ns votes seen (passes included); pa =
(na + 1) / (ns + 2) and pd alike; pat, pdt one-proportion tests; ra = pa over the same share
among everyone clustered outside the group, rd alike; rat, rdt two-proportion tests. A statement
represents a group when both tests pass 90% for agree (or for disagree); Pol.is ranks them by
repness × its test × p × its test, puts the group's best agreed statement first, keeps five,
agrees before disagrees. Group-informed consensus is the product over groups of (A + 1) / (S + 2).
"""

from __future__ import annotations

import numpy as np

Z_90 = 1.2816  # one-sided 90% (stats.clj z-sig-90?)
PICK = 5  # representative statements per group, consensus statements per direction


def prop_test(successes, trials):
    """stats.clj prop-test: how far the smoothed share is above one half, in standard errors."""
    successes, trials = np.asarray(successes) + 1.0, np.asarray(trials) + 1.0
    return 2 * np.sqrt(trials) * (successes / trials - 0.5)


def two_prop_test(k_in, k_out, n_in, n_out):
    """stats.clj two-prop-test, with its +1 on every count; 0 when the pooled share is 1."""
    k_in, k_out, n_in, n_out = (np.asarray(v) + 1.0 for v in (k_in, k_out, n_in, n_out))
    p_in, p_out = k_in / n_in, k_out / n_out
    pooled = (k_in + k_out) / (n_in + n_out)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n_in + 1 / n_out))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p_in - p_out) / spread
    return np.where(pooled >= 1, 0.0, np.nan_to_num(z))


def group_stats(matrix: np.ndarray, label_of: np.ndarray) -> dict[int, dict[str, np.ndarray]]:
    """Per group: the repness.clj measures, one array entry per statement (column)."""
    seen = ~np.isnan(matrix)
    agree, disagree = matrix == 1, matrix == -1
    groups = sorted(g for g in set(label_of.tolist()) if g >= 0)
    counts = {
        g: {
            "na": agree[label_of == g].sum(axis=0),
            "nd": disagree[label_of == g].sum(axis=0),
            "ns": seen[label_of == g].sum(axis=0),
        }
        for g in groups
    }
    stats = {}
    for g in groups:
        mine = counts[g]
        rest = {key: sum(counts[h][key] for h in groups if h != g) for key in ("na", "nd", "ns")}
        entry = dict(mine)
        for short in ("a", "d"):
            n_in, n_out = mine[f"n{short}"], rest[f"n{short}"]
            entry[f"p{short}"] = (n_in + 1) / (mine["ns"] + 2)
            entry[f"p{short}t"] = prop_test(n_in, mine["ns"])
            entry[f"r{short}"] = entry[f"p{short}"] / ((n_out + 1) / (rest["ns"] + 2))
            entry[f"r{short}t"] = two_prop_test(n_in, n_out, mine["ns"], rest["ns"])
        stats[g] = entry
    return stats


def _finalise(statement: str, m: dict) -> dict:
    """repness.clj finalize-cmt-stats: agree or disagree, whichever test is stronger."""
    short = "a" if m["rat"] > m["rdt"] else "d"
    return {
        "statement": statement,
        "direction": "agree" if short == "a" else "disagree",
        "votes": int(m[f"n{short}"]),
        "seen": int(m["ns"]),
        "share": float(m[f"p{short}"]),
        "share_test": float(m[f"p{short}t"]),
        "repness": float(m[f"r{short}"]),
        "repness_test": float(m[f"r{short}t"]),
    }


def _metric(entry: dict) -> float:
    return entry["repness"] * entry["repness_test"] * entry["share"] * entry["share_test"]


def representative(stats: dict[int, dict], statements: list[str]) -> dict[int, list[dict]]:
    """Each group's representative statements, chosen as select-rep-comments chooses them."""
    chosen = {}
    for g, columns in stats.items():
        rows = [{key: values[j] for key, values in columns.items()} for j in range(len(statements))]
        passing = [
            _finalise(statements[j], m)
            for j, m in enumerate(rows)
            if (m["rat"] > Z_90 and m["pat"] > Z_90) or (m["rdt"] > Z_90 and m["pdt"] > Z_90)
        ]
        best_agree = _best_agree(rows, statements)
        if not passing:
            fallback = max(
                (j for j, m in enumerate(rows) if m["ns"] > 0),
                key=lambda j: max(rows[j]["rat"], rows[j]["rdt"]),
                default=None,
            )
            head = best_agree or ([_finalise(statements[fallback], rows[fallback])]
                                  if fallback is not None else [])  # fmt: skip
            chosen[g] = head
            continue
        agree_id = best_agree[0]["statement"] if best_agree else None
        ranked = sorted(
            (p for p in passing if p["statement"] != agree_id), key=lambda p: -_metric(p)
        )
        picked = (best_agree + ranked)[:PICK]
        chosen[g] = [p for p in picked if p["direction"] == "agree"] + [
            p for p in picked if p["direction"] == "disagree"
        ]
    return chosen


def _best_agree(rows: list[dict], statements: list[str]) -> list[dict]:
    """repness.clj beats-best-agr?: the statement the group most clearly agrees with."""
    best = None
    for j, m in enumerate(rows):
        if m["na"] == 0 and m["nd"] == 0:
            continue
        score = m["ra"] * m["rat"] * m["pa"] * m["pat"]
        if best is not None and rows[best]["ra"] > 1.0:
            better = score > _agree_score(rows[best])
        elif best is not None:
            better = m["pa"] * m["pat"] > rows[best]["pa"] * rows[best]["pat"]
        else:
            better = m["pat"] > Z_90 or (m["ra"] > 1.0 and m["pa"] > 0.5)
        if better:
            best = j
    if best is None:
        return []
    # Pol.is finalises it like any other, so a statement the group disagrees with more clearly
    # than it agrees can lead as "disagree".
    return [dict(_finalise(statements[best], rows[best]), best_agree=True)]


def _agree_score(m: dict) -> float:
    return float(m["ra"] * m["rat"] * m["pa"] * m["pat"])


def group_consensus(stats: dict[int, dict]) -> tuple[np.ndarray, np.ndarray]:
    """Group-informed consensus per statement: the product over groups of each group's
    smoothed agree share (and, the same way, of its disagree share)."""
    agree = np.prod([(s["na"] + 1) / (s["ns"] + 2) for s in stats.values()], axis=0)
    disagree = np.prod([(s["nd"] + 1) / (s["ns"] + 2) for s in stats.values()], axis=0)
    return agree, disagree


def consensus(stats: dict[int, dict], statements: list[str], pick: int = PICK) -> dict:
    """Statements a majority of every group agrees with (or disagrees with), ranked by
    group-informed consensus: what the Lab can say all sides share."""
    agree_gic, disagree_gic = group_consensus(stats)
    found = {}
    for direction, gic, short in (("agree", agree_gic, "a"), ("disagree", disagree_gic, "d")):
        candidates = []
        for j, statement in enumerate(statements):
            shares = {g: _share(s, short, j) for g, s in stats.items()}
            if all(s["ns"][j] > 0 for s in stats.values()) and min(shares.values()) > 0.5:
                candidates.append(
                    {"statement": statement, "direction": direction,
                     "consensus": float(gic[j]), "shares": shares}
                )  # fmt: skip
        found[direction] = sorted(candidates, key=lambda c: (-c["consensus"], c["statement"]))[
            :pick
        ]
    return found


def _share(stats: dict, short: str, j: int) -> float:
    """The plain share of a group's votes on statement j that agree (or disagree)."""
    seen = stats["ns"][j]
    return float(stats[f"n{short}"][j] / seen) if seen else 0.0
