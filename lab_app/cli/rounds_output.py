"""What each `qlab exchange` action does and prints (lab_app/cli/rounds.py parses them)."""

from __future__ import annotations

from lab_app.cli.rounds import dump
from lab_app.core.audit import current_user
from lab_app.rounds import ballots, comments, proposals, results, rounds, similar
from lab_app.rounds import links as round_links


def _who(args) -> str:
    return getattr(args, "member", None) or current_user()


def open_round(ws, args) -> int:
    round_id = rounds.open_round(
        ws.store.engine,
        args.question,
        args.opens,
        args.proposals_close,
        args.event,
        args.shortlist,
        args.select,
        current_user(),
    )
    if args.json:
        return dump(rounds.get_round(ws.store.engine, round_id))
    print(f"opened round {round_id}: members can propose until {args.proposals_close}")
    return 0


def list_rounds(ws, args) -> int:
    engine = ws.store.engine
    if args.round is None:
        found = rounds.list_rounds(engine)
        if args.json:
            return dump(found)
        for row in found:
            print(
                f"{row['id']:3}  {row['state']:12} {row['proposals']:3} proposals  "
                f"event {row['event']}  {row['question']}"
            )
        if not found:
            print("no rounds yet: staff open one with `qlab exchange open`")
        return 0
    row = rounds.get_round(engine, args.round)
    found = proposals.list_proposals(engine, row["id"])
    if args.json:
        return dump(dict(row, proposals=found))
    print(f"round {row['id']} ({row['state']}): {row['question']}")
    for p in found:
        mark = "★" if p["shortlisted"] else " "
        print(f"{mark} {p['id']:4}  v{p['version']}  {p['comments']:2} comments  {p['title']}")
    return 0


def show(ws, args) -> int:
    engine = ws.store.engine
    found = proposals.get_proposal(engine, args.proposal)
    found["links"] = round_links.names(engine, found["links"], staff=True)
    found["thread"] = comments.thread(engine, found["id"], staff=True)
    if args.json:
        return dump(found)
    print(f"{found['id']}  {found['title']}  (v{found['version']}, by {found['author']})")
    print(f"  problem: {found['problem']}\n  idea: {found['idea']}")
    for link in found["links"]:
        print(f"  links to {link['type']} {link['id']}: {link['label']}")
    for depth, row in comments.flatten(found["thread"]):
        print(f"  {'  ' * depth}[{row['id']}] {row['author']}: {row['text']}")
        for link in row["connects"]:
            print(f"  {'  ' * depth}    connects to {link['type']} {link['id']}: {link['label']}")
    return 0


def propose(ws, args) -> int:
    links = round_links.parse(args.links or "")
    made = proposals.propose(ws, args.round, _who(args), args.title, args.problem, args.idea, links)
    if args.json:
        return dump(proposals.get_proposal(ws.store.engine, made))
    print(f"proposal {made} added to round {args.round}")
    return 0


def revise(ws, args) -> int:
    links = None if args.links is None else round_links.parse(args.links)
    version = proposals.revise(
        ws, args.proposal, _who(args), args.title, args.problem, args.idea, links
    )
    if args.json:
        return dump(proposals.get_proposal(ws.store.engine, args.proposal))
    print(f"proposal {args.proposal} is now version {version} (earlier versions are kept)")
    return 0


def comment(ws, args) -> int:
    connects = round_links.parse(args.connects or "")
    made = comments.comment(
        ws.store.engine, args.proposal, _who(args), args.text, args.reply_to, connects
    )
    if args.json:
        return dump({"comment": made, "proposal": args.proposal})
    print(f"comment {made} added to proposal {args.proposal}")
    return 0


def find_similar(ws, args) -> int:
    found = similar.others_working_on(ws, args.text)
    if args.json:
        return dump(found)
    for row in found:
        print(f"{row['score']:.2f}  {row['kind']:8} {row['id']:>6}  {row['title']}")
    if not found:
        print("nothing close in meaning yet")
    return 0


def move(ws, args) -> int:
    rounds.move(ws.store.engine, args.round, args.state, current_user())
    if args.json:
        return dump(rounds.get_round(ws.store.engine, args.round))
    print(f"round {args.round} is now {args.state}")
    return 0


def shortlist(ws, args) -> int:
    chosen = ballots.set_shortlist(ws.store.engine, args.round, args.proposals, current_user())
    if args.json:
        return dump({"round": args.round, "shortlist": chosen})
    print(f"shortlisted in round {args.round}: {', '.join(map(str, chosen))}")
    return 0


def vote(ws, args) -> int:
    engine = ws.store.engine
    if args.paper:
        if args.member:
            raise ValueError("a paper ballot is linked to no account: leave out --as")
        ballot = ballots.enter_paper(engine, args.round, args.proposals, current_user())
        if args.json:
            return dump({"round": args.round, "paper_ballot": ballot})
        print(f"paper ballot {ballot} entered for round {args.round}")
        return 0
    replaced = ballots.cast(engine, args.round, _who(args), args.proposals)
    mine = ballots.my_ballot(engine, args.round, _who(args))
    if args.json:
        return dump({"round": args.round, "choices": mine, "replaced": replaced})
    said = "ballot replaced (your earlier one no longer counts)" if replaced else "ballot cast"
    print(f"{said}: {', '.join(map(str, mine))}")
    return 0


def close(ws, args) -> int:
    return _print_results(results.close_round(ws.store.engine, args.round, current_user()), args)


def show_results(ws, args) -> int:
    return _print_results(results.counts(ws.store.engine, args.round, current_user()), args)


def _print_results(found: dict, args) -> int:
    if args.json:
        return dump(found)
    print(
        f"round {found['round']} ({found['state']}): {found['ballots']} ballots, "
        f"{found['paper']} on paper"
    )
    for row in found["proposals"]:
        won = (
            f"winner → idea {row['idea_id']}"
            if row["idea_id"]
            else "winner"
            if row["winner"]
            else ""
        )
        print(f"{row['votes']:4} votes  {row['id']:4}  {row['title']}  {won}".rstrip())
    if found["tied_at_cut"]:
        tied = ", ".join(map(str, found["tied_at_cut"]))
        print(f"tied at the cut: {tied} (the earlier proposal won; say how you settle ties)")
    return 0


HANDLERS = {
    "open": open_round,
    "list": list_rounds,
    "show": show,
    "propose": propose,
    "revise": revise,
    "comment": comment,
    "similar": find_similar,
    "state": move,
    "shortlist": shortlist,
    "vote": vote,
    "close": close,
    "results": show_results,
}
