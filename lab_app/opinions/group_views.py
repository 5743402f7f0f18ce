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
    from lab_app.opinions import participation, statements

    wanted = list(dict.fromkeys(statement_ids))
    written = statements.texts(engine, wanted)  # approved statements: everyone may read them
    wanted = [s for s in wanted if s not in written]
    if for_participants:
        allowed = participation.shown_to_participants(engine, wanted)
        wanted = [s for s in wanted if s in allowed]
    details = participation.extract_details(engine, wanted)
    found = {s: " ".join(details[s]["text"].split()) for s in wanted if s in details}
    return {**written, **found}


def _joined(names: list[str]) -> str:
    labelled = [f"group {n}" for n in names]
    if len(labelled) <= 2:
        return " and ".join(labelled)
    return ", ".join(labelled[:-1]) + " and " + labelled[-1]


def _rounded(item: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in item.items()}


def where_you_stand(engine, participant: str, result: OpinionGroups | None) -> dict:
    """Where one participant stands, in plain words: their group, its size, and the statement
    that sets it apart most ("You are in group B (12 people), which mostly agrees that …").
    `result` is opinion_groups.from_workspace's answer (None when there are no groups yet)."""
    from lab_app.opinions.groups import MIN_VOTES

    if result is None or not result.labels:
        return {
            "group": None,
            "sentence": "Opinion groups form once enough people have voted.",
            "text": None,
        }
    if participant not in result.labels:
        return {
            "group": None,
            "sentence": f"You are not in a group yet: groups place people after {MIN_VOTES} "
            "votes (or a vote on every statement).",
            "text": None,
        }
    group = result.labels[participant]
    size = result.group_sizes()[group]
    picks = result.representative.get(group, [])
    texts = statement_texts(engine, [p["statement"] for p in picks], for_participants=True)
    shown = [p for p in picks if p["statement"] in texts]
    lead = f"You are in group {letter(group)} ({size} {'person' if size == 1 else 'people'})"
    if not shown:
        return {"group": letter(group), "sentence": lead + ".", "text": None}
    verb = "agrees" if shown[0]["direction"] == "agree" else "disagrees"
    return {
        "group": letter(group),
        "sentence": f"{lead}, which mostly {verb} that",
        "text": texts[shown[0]["statement"]],
        "others": len(result.group_sizes()) - 1,
    }
