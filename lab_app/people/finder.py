"""Find people: members who opt in with a line of expertise, ranked for a question by what they
wrote, proposed and backed; only what they agreed to show is used or shown (docs/people-finder.md).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np
from sqlalchemy import delete, insert, select, update

from ingest.redact import redact, redact_person
from lab_app.core.audit import now, record_audit
from lab_app.core.roles import require_staff
from lab_app.core.schema import finder_profiles
from lab_app.material.reads import words_of
from lab_app.opinions.participation import shown_to_participants
from lab_app.people import accounts, names
from lab_app.year import ideas

MAX_SHOWN_AS = 80
MAX_EXPERTISE = 500
# A person's score adds these parts, each from cosine similarities to the question (clipped at
# 0): the line they wrote about their expertise; their words, half their best match and half
# the mean of their TOP_WORDS best (one strong passage is evidence, and so are several good
# ones); the best idea they proposed; the best idea they backed (backing says less about what
# someone knows than writing or proposing).
WEIGHTS = {"expertise": 0.45, "words": 0.35, "proposed": 0.15, "backed": 0.05}
TOP_WORDS = 3
MIN_SCORE = 0.15  # below this nothing they gave is about the question: they are left out
MATCH_FLOOR = 0.3  # a thing they wrote or proposed is shown as a match from this similarity
MAX_MATCHES = 3
SNIPPET_CHARS = 280
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass
class Found:
    """One findable person for a question: the name they chose, never their sign-in name."""

    shown_as: str
    expertise: str
    score: float
    parts: dict[str, float]
    matches: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


# --- opting in and out -----------------------------------------------------------------------


def set_findable(workspace, account: str, shown_as: str, expertise: str, who: str) -> dict:
    """Make an account findable, or change its profile: the name shown and a line of expertise
    (identifiers replaced as ingest does). Staff may do it for anyone, a member for themself."""
    engine = workspace.store.engine
    account = _may_change(engine, account, who)
    shown_as = _shown_as(engine, account, shown_as)
    expertise, found = _expertise(expertise)
    vector = np.asarray(workspace.embedder.embed([expertise])[0], dtype=np.float32)
    values = {
        "shown_as": shown_as,
        "expertise": expertise,
        "vector": vector.tobytes(),
        "updated_at": now(),
        "updated_by": who,
    }
    key = finder_profiles.c.account == account
    with engine.begin() as conn:
        changed = conn.execute(update(finder_profiles).where(key).values(**values)).rowcount
        if not changed:
            conn.execute(insert(finder_profiles).values(account=account, **values))
        # The trail keeps that it happened and its size, never the words.
        detail = {"chars": len(expertise), "redactions": dict(found), "changed": bool(changed)}
        record_audit(conn, "finder.on", account, detail, who=who)
    return {"shown_as": shown_as, "expertise": expertise, "redactions": dict(found)}


def set_unfindable(engine, account: str, who: str) -> bool:
    """Stop an account being findable: its profile is deleted. False when it was not findable."""
    account = _may_change(engine, account, who, opting_out=True)
    with engine.begin() as conn:
        gone = conn.execute(
            delete(finder_profiles).where(finder_profiles.c.account == account)
        ).rowcount
        if gone:
            record_audit(conn, "finder.off", account, {}, who=who)
    return bool(gone)


def profile_of(engine, account: str) -> dict | None:
    """An account's profile (name shown, expertise, when it changed), or None."""
    query = select(
        finder_profiles.c.shown_as, finder_profiles.c.expertise, finder_profiles.c.updated_at
    ).where(finder_profiles.c.account == (account or "").strip())
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def _may_change(engine, account: str, who: str, opting_out: bool = False) -> str:
    """The account, when `who` may change its profile: itself, or staff (or the command line's
    user, who holds the store); else PermissionError."""
    account = (account or "").strip()
    user = accounts.get_user(engine, account)
    if user is None:
        raise ValueError(f"no account named {account!r}: see `qlab users list`")
    if (who or "").strip() != account:
        require_staff(engine, who, "change another person's finder profile")
    elif not user["active"] and not opting_out:
        raise ValueError(f"the account {account!r} is disabled: enable it first")
    return account


def _shown_as(engine, account: str, shown_as: str) -> str:
    shown = " ".join((shown_as or "").split())
    if not shown:
        raise ValueError("give the name others will see (the sign-in name is never shown)")
    if len(shown) > MAX_SHOWN_AS:
        raise ValueError(f"the name shown is over {MAX_SHOWN_AS} characters: shorten it")
    if any(not char.isprintable() for char in shown):
        raise ValueError("the name shown holds control characters: use letters and digits")
    if redact(shown, names=False)[1]:  # a person's name is what belongs here
        raise ValueError(
            "the name shown holds an e-mail address, phone number or other identifier: "
            "use a name people know you by"
        )
    query = select(finder_profiles.c.shown_as).where(finder_profiles.c.account != account)
    with engine.connect() as conn:
        others = list(conn.execute(query).scalars())
    if names.look_alike(shown, others):
        raise ValueError(f"another findable person shows a name like {shown!r}: choose another")
    return shown


def _expertise(text: str) -> tuple[str, dict]:
    text = " ".join((text or "").split())
    if not text:
        raise ValueError("describe your expertise in a line, e.g. 'peer support in rural areas'")
    if len(text) > MAX_EXPERTISE:
        raise ValueError(f"the expertise is over {MAX_EXPERTISE} characters: shorten it")
    cleaned, found = redact(text)
    return cleaned, dict(found)


# --- finding ---------------------------------------------------------------------------------


def find(workspace, query: str, limit: int = 10) -> list[Found]:
    """Findable people for a question, best first (at most `limit`, none below MIN_SCORE)."""
    query = " ".join((query or "").split())
    if not query:
        raise ValueError("type what you are looking for, e.g. 'peer support in rural areas'")
    if not 1 <= int(limit) <= 100:
        raise ValueError("the limit must be between 1 and 100")
    engine = workspace.store.engine
    profiles = _findable(engine)
    if not profiles:
        return []
    words = _shown_words(engine, profiles)
    proposed, backed = _their_ideas(engine, set(profiles), words)
    texts = {i["id"]: i["text"] for got in (proposed, backed) for s in got.values() for i in s}
    vectors = workspace.embedder.embed([query, *texts.values()])
    question, idea_vectors = vectors[0], dict(zip(texts, vectors[1:], strict=True))
    found = [
        _score(profile, question, words[account], proposed[account], backed[account], idea_vectors)
        for account, profile in profiles.items()
    ]
    found = [f for f in found if f.score >= MIN_SCORE]
    found.sort(key=lambda f: (-f.score, f.shown_as.casefold()))
    found = found[: int(limit)]
    _focus(workspace, question, [m for f in found for m in f.matches if m["kind"] == "words"])
    return found


def _findable(engine) -> dict[str, dict]:
    """account -> profile, for active accounts only: a disabled account is not findable."""
    active = {user["name"] for user in accounts.list_users(engine) if user["active"]}
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(finder_profiles))]
    return {
        row["account"]: dict(row, vector=np.frombuffer(row["vector"], dtype=np.float32))
        for row in rows
        if row["account"] in active
    }


def _shown_words(engine, profiles) -> dict[str, list[dict]]:
    """account -> their extracts that participants may see (approved, consented, quotable).
    Contributions sent from the app are stored under the author's name, or under a pseudonym
    when that name was an e-mail address (participation._write_contributions)."""
    person_of = {}
    for account in profiles:
        person_of[account] = account
        person_of.setdefault(redact_person(account)[0], account)
    rows = words_of(engine, person_of)
    allowed = shown_to_participants(engine, [r["id"] for r in rows])
    found: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row["id"] in allowed:
            found[person_of[row["person"]]].append(row)
    return found


def _their_ideas(engine, people: set[str], words) -> tuple[dict, dict]:
    """account -> ideas they proposed (added, or whose source is words of theirs that may be
    shown), and account -> ideas they backed; live ideas only."""
    owner = {row["id"]: account for account, rows in words.items() for row in rows}
    proposed: dict[str, list[dict]] = defaultdict(list)
    backed: dict[str, list[dict]] = defaultdict(list)
    for row in ideas.list_ideas(engine):
        detail = ideas.get_idea(engine, row["id"])
        text = f"{detail['title']}. {detail['description'] or ''}".strip(" .")
        item = {"id": row["id"], "title": detail["title"], "text": text}
        sources = {
            owner[link["target_id"]]
            for link in detail["links"]
            if link["target_type"] == "extract"
            and link["role"] == "source"
            and link["target_id"] in owner
        }
        proposers = ({detail["created_by"]} | sources) & people
        for account in proposers:
            proposed[account].append(item)
        for supporter in detail["supporters"]:
            if supporter["participant"] in people - proposers:
                backed[supporter["participant"]].append(item)
    return proposed, backed


def _score(profile, question, words, proposed, backed, idea_vectors) -> Found:
    """One person's score (WEIGHTS) and the things of theirs that matched best."""
    said = sorted(((float(w["vector"] @ question), w) for w in words), key=lambda p: -p[0])
    ideas_proposed = [(float(idea_vectors[i["id"]] @ question), i) for i in proposed]
    ideas_backed = [float(idea_vectors[i["id"]] @ question) for i in backed]
    best_words = [max(s, 0.0) for s, _ in said[:TOP_WORDS]]
    parts = {
        "expertise": max(float(profile["vector"] @ question), 0.0),
        "words": (best_words[0] + float(np.mean(best_words))) / 2 if best_words else 0.0,
        "proposed": max([s for s, _ in ideas_proposed] + [0.0]),
        "backed": max(ideas_backed + [0.0]),
    }
    score = sum(WEIGHTS[name] * value for name, value in parts.items())
    return Found(
        shown_as=profile["shown_as"],
        expertise=profile["expertise"],
        score=round(score, 4),
        parts={name: round(value, 4) for name, value in parts.items()},
        matches=_matches(said, ideas_proposed),
    )


def _matches(said, ideas_proposed) -> list[dict]:
    """Up to MAX_MATCHES of their words and proposed ideas at least MATCH_FLOOR similar."""
    found = [
        {"kind": "words", "extract_id": w["id"], "date": w["date"],
         "text": " ".join(w["text"].split()), "similarity": round(s, 4)}
        for s, w in said[:MAX_MATCHES]
    ]  # fmt: skip
    found += [
        {"kind": "idea", "idea_id": i["id"], "text": i["title"], "similarity": round(s, 4)}
        for s, i in ideas_proposed
    ]
    found = [m for m in found if m["similarity"] >= MATCH_FLOOR]
    return sorted(found, key=lambda m: -m["similarity"])[:MAX_MATCHES]


def _focus(workspace, question, matches: list[dict]) -> None:
    """Words longer than SNIPPET_CHARS are shown by the run of their sentences around the one
    nearest the question (marked … where cut), not by their opening."""
    long = [m for m in matches if len(m["text"]) > SNIPPET_CHARS]
    split = [SENTENCE_END.split(m["text"]) for m in long]
    every = [sentence for sentences in split for sentence in sentences]
    if not every:
        return
    nearness = workspace.embedder.embed(every) @ question
    start = 0
    for match, sentences in zip(long, split, strict=True):
        best = int(np.argmax(nearness[start : start + len(sentences)]))
        start += len(sentences)
        match["text"] = _window(sentences, best)


def _window(sentences: list[str], best: int) -> str:
    """The best sentence, then its neighbours after and before while they fit."""
    first = last = best
    size = len(sentences[best])
    while True:
        grew = False
        for side in (last + 1, first - 1):
            if 0 <= side < len(sentences) and size + 1 + len(sentences[side]) <= SNIPPET_CHARS:
                size += 1 + len(sentences[side])
                first, last, grew = min(first, side), max(last, side), True
        if not grew:
            break
    text = " ".join(sentences[first : last + 1])
    if len(text) > SNIPPET_CHARS:  # one sentence longer than a snippet
        text, last = text[: SNIPPET_CHARS - 1].rstrip(), -1
    return ("…" if first > 0 else "") + text + ("…" if last != len(sentences) - 1 else "")


# --- withdrawal ------------------------------------------------------------------------------

FORGETS = (finder_profiles.c.account, finder_profiles.c.updated_by)


def forget(conn, gone) -> dict:
    """Their profile goes; profiles they set up for others keep a pseudonym."""
    removed = conn.execute(
        delete(finder_profiles).where(finder_profiles.c.account == gone.person)
    ).rowcount
    query = update(finder_profiles).where(finder_profiles.c.updated_by == gone.person)
    conn.execute(query.values(updated_by=gone.alias))
    return {"finder_profiles": removed}
