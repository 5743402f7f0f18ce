"""The demo Lab's past Q Exchange round, held in its Develop phase: members of its online space
propose, comment and vote; two winners become ideas. Links to themes and ideas are found by
meaning, so they hold whatever ids a theme build gave."""

from __future__ import annotations

from lab_app.rounds import ballots, comments, proposals, results, rounds, similar

QUESTION = "What would help more people find and keep going to peer support where they live?"
DATES = ("2026-05-04", "2026-06-12", "2026-07-09")  # opens, proposals close, the event
SHORTLIST, SELECT = 4, 2
# member -> (title, the problem, the idea); members of the demo's online space.
PROPOSALS = {
    "Dev K": (
        "Evening and weekend peer groups for people in work",
        "Nearly every group near me meets on a weekday morning. If you work, you cannot go.",
        "Each area runs at least one group in the evening and one at the weekend, and a "
        "short online group at lunchtime.",
    ),
    "Aisling McK": (
        "Help with travel to groups in rural areas",
        "In the Fells the nearest group is two buses away, and the bus stops at six.",
        "A small travel fund and volunteer lifts so people can get to a group, and groups "
        "that move round the villages.",
    ),
    "Yusuf B": (
        "Peer groups in people's first language",
        "People whose first language is not English sit through groups without following "
        "them, and stop coming.",
        "Groups in Welsh, Urdu and Polish where there are enough people, run by peers who "
        "speak the language.",
    ),
    "Chloe Ann": (
        "Groups for carers alongside the person they care for",
        "Carers cannot leave the person they care for to go to a group of their own.",
        "Side-by-side sessions: the person cared for has their own group in the next room.",
    ),
    "Tam R": (
        "Leaflets about peer support written by peers",
        "The leaflets in waiting rooms are written by services and nobody reads them.",
        "Peers write and design the leaflets, with a real story and a phone number.",
    ),
}
# (author, on whose proposal, the comment, what it connects to: a kind and how to find it).
COMMENTS = (
    ("Harriet P", "Dev K", "Our Thursday group moved to 7pm and doubled in size.",
     ("theme", "peer group meeting times")),
    ("Fi_PSW", "Aisling McK", "This connects to the directory idea: list the bus times too.",
     ("idea", "one directory of local peer groups kept up to date by the groups")),
    ("Dev K", "Aisling McK", "And lifts could be shared with the evening groups.",
     ("proposal", "Dev K")),
    ("Donna from the hub", "Chloe Ann", "We tried this at the hub: it worked for parents too.",
     ("theme", "a group for parents")),
)  # fmt: skip
SHORTLISTED = ("Dev K", "Aisling McK", "Yusuf B", "Chloe Ann")
# member -> the proposers whose proposals they chose (up to SELECT, never their own).
BALLOTS = {
    "Harriet P": ("Dev K", "Aisling McK"),
    "Fi_PSW": ("Aisling McK", "Chloe Ann"),
    "Donna from the hub": ("Chloe Ann", "Dev K"),
    "jen_peerworker_leeds": ("Dev K",),
    "Rich_ICB": ("Aisling McK", "Yusuf B"),
    "bea_vcs": ("Dev K", "Aisling McK"),
    "Tam R": ("Yusuf B", "Dev K"),
    "willowbank": ("Aisling McK",),
}
PAPER = (("Dev K", "Aisling McK"), ("Yusuf B",), ("Aisling McK", "Chloe Ann"))


def hold_past_round(workspace, who: str = "demo") -> dict:
    """Open, fill, run and close the demo's past round; returns its results."""
    engine = workspace.store.engine
    round_id = rounds.open_round(engine, QUESTION, *DATES, SHORTLIST, SELECT, who)
    # Every link is found by meaning in one batch: proposals link their nearest theme.
    lookups = [f"{title}. {problem}" for title, problem, _ in PROPOSALS.values()]
    lookups += [hint for *_, (kind, hint) in COMMENTS if kind != "proposal"]
    nearest = iter(similar.nearest_to_many(workspace, lookups, limit=50))
    made = {}
    for member, (title, problem, idea) in PROPOSALS.items():
        links = _first(next(nearest), "theme")
        made[member] = proposals.propose(workspace, round_id, member, title, problem, idea, links)
    for author, on, text, (kind, hint) in COMMENTS:
        target = [("proposal", made[hint])] if kind == "proposal" else _first(next(nearest), kind)
        comments.comment(engine, made[on], author, text, connects=target)
    rounds.move(engine, round_id, "shortlisting", who)
    ballots.set_shortlist(engine, round_id, [made[m] for m in SHORTLISTED], who)
    rounds.move(engine, round_id, "voting", who)
    for member, chosen in BALLOTS.items():
        ballots.cast(engine, round_id, member, [made[m] for m in chosen])
    for chosen in PAPER:
        ballots.enter_paper(engine, round_id, [made[m] for m in chosen], who)
    return results.close_round(engine, round_id, who)


def _first(found: list[dict], kind: str) -> list[tuple[str, str]]:
    """The nearest theme or idea found, as a link (none when nothing was near)."""
    found = [f for f in found if f["kind"] == kind]
    return [(kind, str(found[0]["id"]))] if found else []
