"""A demo Lab set up for the people finder (tests only): members of the Lab's online space with
accounts, some findable and some not, consent withheld from one, words still waiting from
another, and ideas they proposed or backed."""

from __future__ import annotations

import shutil

from lab_app.core.settings import Settings
from lab_app.material.consent import set_consent
from lab_app.material.reads import words_of
from lab_app.opinions import participation
from lab_app.people import accounts, finder
from lab_app.workspace import Workspace
from lab_app.year import ideas

STAFF = "finder-staff"
# account -> (the name shown, their line of expertise); all opt in.
FINDABLE = {
    "Tam R": ("Tam", "I run a peer support group for people with eating disorders"),
    "Rich_ICB": (
        "Richard, ICB commissioner",
        "Commissioning mental health services for an integrated care board",
    ),
    "GP_in_Bristol": ("Dr B, a GP", "General practice: referring patients to peer support"),
    "Fi_PSW": ("Fi", "Working as a paid peer support worker in an NHS trust"),
    "sam@example.org": ("Sam", "Carers' peer support in villages"),
}
NOT_FINDABLE = "maple_and_moss"  # has an account and many words, never opts in
WITHHELD = "Fi_PSW"  # consent recorded: not shown to participants
SAM_WORDS = (
    "I started a carers' peer group in our village hall. With no buses out here, rural carers "
    "share lifts so that nobody who cares for someone at home is left out."
)
PENDING_WORDS = "Beekeeping taught me patience: a hive, its honey harvest and the spring swarm."
NAVIGATORS = "Peer navigators in GP practices"
FUNDING = "Ring-fenced three-year funding for peer support"
WHATSAPP = "Let peer workers join the WhatsApp groups where peer support happens"


def make_finder_lab(demo_home, target):
    """A copy of the demo Lab at `target`, set up as the module docstring says; its workspace."""
    shutil.copytree(demo_home, target)
    ws = Workspace(Settings.from_env(home=target))
    engine = ws.store.engine
    accounts.add_user(engine, STAFF, "staff")
    for name in [*FINDABLE, NOT_FINDABLE]:
        accounts.add_user(engine, name, "participant")
    sent = participation.submit_contribution(engine, "sam@example.org", SAM_WORDS)
    assert participation.approve(ws, sent, STAFF).status == "ingested"
    participation.submit_contribution(engine, "Tam R", PENDING_WORDS)  # never approved
    set_consent(engine, "person", WITHHELD, who=STAFF, show_to_participants=False)
    for account, (shown_as, expertise) in FINDABLE.items():
        finder.set_findable(ws, account, shown_as, expertise, who=account)
    navigator_post = _post(engine, "GP_in_Bristol", NAVIGATORS)
    whatsapp_post = _post(engine, WITHHELD, "WhatsApp")
    ideas.create_idea(engine, NAVIGATORS, STAFF, links=[("extract", navigator_post, "source")])
    ideas.create_idea(engine, WHATSAPP, STAFF, links=[("extract", whatsapp_post, "source")])
    funding = ideas.create_idea(engine, FUNDING, STAFF, "Multi-year money for peer support")
    ideas.support(engine, funding, "Tam R")
    return ws


def _post(engine, person: str, words: str) -> str:
    """The id of this person's extract that holds these words."""
    return next(r["id"] for r in words_of(engine, [person]) if words in r["text"])
