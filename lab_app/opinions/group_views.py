"""Opinion groups as data and in plain words: what each group thinks, what all groups share."""

# The same letters everywhere (opinion_groups.letter). Statements are looked up when shown, so
# a withdrawn one disappears; participants' pages pass for_participants=True and only see the
# words of people who agreed to be shown.

from __future__ import annotations

from lab_app.opinions.groups import OpinionGroups, letter

SHOWN_PER_GROUP = 3  # distinctive statements a participant sees per group
SHOWN_CONSENSUS = 3


def as_data(engine, result: OpinionGroups, for_participants: bool = False) -> dict:
    """Groups with sizes and representative statements, and the consensus, as JSON values."""
    wanted = [r["statement"] for picks in result.representative.values() for r in picks]
    wanted += [c["statement"] for side in result.consensus.values() for c in side]
    texts = statement_texts(engine, wanted, for_participants)
    sizes = result.group_sizes()
    groups = []
    for group, size in sizes.items():
        picks = [
            dict(_rounded(r), text=texts[r["statement"]])
            for r in result.representative.get(group, [])
            if r["statement"] in texts
        ]
        groups.append({"group": letter(group), "size": size, "representative": picks})
    consensus = {
        direction: [
            dict(_rounded(c), text=texts[c["statement"]],
                 shares={letter(g): round(v, 4) for g, v in c["shares"].items()})
            for c in found
            if c["statement"] in texts
        ]
        for direction, found in result.consensus.items()
    }  # fmt: skip
    return {
        "k": result.k,
        "silhouette": None if result.silhouette is None else round(result.silhouette, 4),
        "groups": groups,
        "consensus": consensus,
        "ungrouped": len(result.participants) - len(result.labels),
    }


def sentences(data: dict) -> dict:
    """Plain words for participants: what all groups share, and what sets each group apart."""
    names = [g["group"] for g in data["groups"]]
    shared = []
    for direction, found in data["consensus"].items():
        verb = "agree" if direction == "agree" else "disagree"
        for item in found[:SHOWN_CONSENSUS]:
            shared.append({"lead": f"Most of {_joined(names)} {verb} that", "text": item["text"]})
    apart = {}
    for group in data["groups"]:
        lines = []
        for pick in group["representative"][:SHOWN_PER_GROUP]:
            share = round(100 * pick["votes"] / pick["seen"]) if pick["seen"] else 0
            verb = "agree" if pick["direction"] == "agree" else "disagree"
            lines.append({"lead": f"About {share}% of group {group['group']} {verb} that",
                          "text": pick["text"]})  # fmt: skip
        apart[group["group"]] = {"size": group["size"], "lines": lines}
    return {"shared": shared, "apart": apart}


def statement_texts(engine, statement_ids, for_participants: bool) -> dict[str, str]:
    """statement -> its words; for participants only those their authors agreed to show."""
    from lab_app.opinions import participation

    wanted = list(dict.fromkeys(statement_ids))
    if for_participants:
        allowed = participation.shown_to_participants(engine, wanted)
        wanted = [s for s in wanted if s in allowed]
    details = participation.extract_details(engine, wanted)
    return {s: " ".join(details[s]["text"].split()) for s in wanted if s in details}


def _joined(names: list[str]) -> str:
    labelled = [f"group {n}" for n in names]
    if len(labelled) <= 2:
        return " and ".join(labelled)
    return ", ".join(labelled[:-1]) + " and " + labelled[-1]


def _rounded(item: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in item.items()}
