"""What happened to my words: one person's contributions with their status, votes, proposed
statements, the themes their words joined, whether drafts quote them, their consent, and what
withdrawing would remove. Always for one named person: the app passes the signed-in account."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.redact import redact_person
from lab_app.core.audit import act_as
from lab_app.essays.quoted import drafts_quoting
from lab_app.material import consent
from lab_app.opinions import participation, statements
from lab_app.people import withdrawal
from lab_app.themes.views import themes_of

STATUS_WORDS = {
    "pending": "waiting for staff to read it",
    "approved": "approved: in the Lab's material",
    "rejected": "not taken in by staff",
    "withheld": "approved, but not shown to other participants (your consent)",
}
SHORT = 200  # characters of someone else's statement shown beside a vote


@dataclass
class Contribution:
    """One of the person's contributions or stored extracts, with what became of it."""

    text: str
    status: str  # pending | approved | rejected | withheld
    date: str | None = None
    pending_id: int | None = None
    extract_id: str | None = None
    theme: str | None = None  # the label of the theme it joined
    drafts: list[int] = field(default_factory=list)  # drafts quoting it (ids, never their text)
    quotable: bool = True

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]


@dataclass
class MyWords:
    """Everything the My words page shows one person."""

    person: str
    contributions: list[Contribution]
    votes: list[dict]
    proposed: list[dict]
    consent: dict
    removal: dict  # withdrawal.preview's summary; {} when nothing is theirs

    def themes(self) -> list[str]:
        return sorted({c.theme for c in self.contributions if c.theme})

    def quoted(self) -> list[Contribution]:
        return [c for c in self.contributions if c.drafts]

    def drafts(self) -> int:
        return len({d for c in self.contributions for d in c.drafts})

    def may_be_in_report(self) -> list[Contribution]:
        """Words the Lab's report could quote: placed in a theme and quotable (the report is
        made from the themes when staff download it, so nothing records a quotation in it)."""
        return [c for c in self.contributions if c.theme and c.quotable]


def my_words(workspace, person: str, with_removal: bool = True) -> MyWords:
    """What the workspace holds of this person and what became of it; with_removal=False skips
    the withdrawal preview (it holds the store's write lock while it runs, then rolls back)."""
    engine = workspace.store.engine
    person = participation.required_name(person, "person")
    stored = {row.id: row for row in withdrawal.their_words(workspace, person)}
    items = _contributions(engine, person, stored)
    _annotate(engine, items)
    removal = removal_preview(workspace, person) if with_removal else {}
    return MyWords(
        person=person,
        contributions=items,
        votes=_votes(engine, person),
        proposed=statements.proposed_by(engine, person),
        consent=consent.consent_of(engine, "person", person),
        removal=removal,
    )


def removal_preview(workspace, person: str) -> dict:
    """withdrawal.preview's summary for this person; {} when nothing of theirs is stored."""
    try:
        return withdrawal.preview(workspace, person).summary()
    except ValueError:
        return {}


def _contributions(engine, person: str, stored: dict) -> list[Contribution]:
    """Contributions sent from the app (every status), then other extracts stored under their
    name (a survey answer, a workshop note), newest first."""
    items, placed = [], set()
    for row in participation.contributions_by(engine, person):
        app_id = participation.contribution_id(row["id"])
        extract = next((e for e in stored.values() if (e.meta or {}).get("id") == app_id), None)
        if extract is not None:
            placed.add(extract.id)
        items.append(Contribution(
            text=extract.text if extract is not None else row["text"], status=row["status"],
            date=row["date"], pending_id=row["id"],
            extract_id=extract.id if extract is not None else None,
        ))  # fmt: skip
    for extract_id, row in stored.items():
        if extract_id not in placed:
            items.append(Contribution(text=row.text, status="approved", extract_id=extract_id))
    return items


def _annotate(engine, items: list[Contribution]) -> None:
    """Fill in each stored contribution's theme, consent and the drafts quoting it."""
    ids = [c.extract_id for c in items if c.extract_id]
    themes = themes_of(engine, ids)
    shown = consent.may_show(engine, ids)
    quotable = consent.may_quote(engine, ids) - participation.not_quotable(engine, ids)
    drafts = drafts_quoting(engine, {c.extract_id: c.text for c in items if c.extract_id})
    for item in items:
        if not item.extract_id:
            continue
        item.theme = (themes.get(item.extract_id) or {}).get("label")
        item.drafts = drafts.get(item.extract_id, [])
        item.quotable = item.extract_id in quotable
        if item.status == "approved" and item.extract_id not in shown:
            item.status = "withheld"


def _votes(engine, person: str) -> list[dict]:
    """Their votes, newest first, each with the words voted on when others may read them."""
    cast = participation.votes_by(engine, person)
    ids = [v["statement"] for v in cast]
    texts = statements.texts(engine, ids)
    others = [i for i in ids if i not in texts]
    shown = participation.shown_to_participants(engine, others)
    details = participation.extract_details(engine, [i for i in others if i in shown])
    texts.update({i: details[i]["text"] for i in details})
    for vote in cast:
        words = " ".join((texts.get(vote["statement"]) or "").split())
        vote["text"] = words[:SHORT] + ("…" if len(words) > SHORT else "")
        vote["vote"] = participation.VOTE_VALUES[vote["value"]]
    return cast


def change_consent(workspace, person: str, show: bool, quote: bool) -> dict:
    """The person's own choice, recorded under every name their words are stored by (a
    contribution sent under an e-mail address is stored under a pseudonym)."""
    engine = workspace.store.engine
    person = participation.required_name(person, "person")
    # The name a contribution sent now will be stored under, and every name stored already.
    names = {person, redact_person(person)[0]}
    names |= {row.person for row in withdrawal.their_words(workspace, person) if row.person}
    for name in sorted(names):
        consent.set_consent(engine, "person", name, who=person,
                            show_to_participants=show, quote_in_publications=quote)  # fmt: skip
    return consent.consent_of(engine, "person", person)


def withdraw_myself(workspace, person: str) -> withdrawal.Withdrawal:
    """A person withdraws themselves: everything after this names them only by pseudonym (the
    audit line of the withdrawal, and any line the theme rebuild writes)."""
    alias = withdrawal.pseudonym(participation.required_name(person, "person"))
    act_as(alias)
    return withdrawal.withdraw(workspace, person, who=alias)


def removal_sentence(summary: dict) -> str:
    """'Withdrawing will remove 3 contributions, 12 votes and 1 statement you proposed …'."""
    if not summary:
        return "The workspace holds nothing of yours yet: withdrawing would only end your account."
    parts = [
        _count(summary.get("extracts", 0), "contribution in the Lab's material",
               "contributions in the Lab's material"),
        _count(summary.get("pending_contributions", 0), "contribution you sent (any status)",
               "contributions you sent (any status)"),
        _count(summary.get("votes", 0), "vote", "votes"),
        _count(summary.get("statements", 0), "statement", "statements"),
        _count(summary.get("idea_support", 0), "idea you backed", "ideas you backed"),
        _count(summary.get("idea_comments", 0), "comment on an idea", "comments on ideas"),
        _count(summary.get("finder_profiles", 0), "findable profile", "findable profiles"),
    ]  # fmt: skip
    parts = [p for p in parts if p]
    listed = " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)
    drafts = len(summary.get("essays_flagged") or [])
    sentence = f"Withdrawing will remove {listed or 'your account'}"
    if drafts:
        sentence += f"; your words will be taken out of {_count(drafts, 'draft', 'drafts')}"
    return sentence + ", and your account. This cannot be undone."


def _count(n: int, one: str, many: str) -> str:
    return "" if not n else f"{n} {one if n == 1 else many}"
