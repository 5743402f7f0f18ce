"""A deployment of three small Labs of real NHS Friends-and-Family answers (one trust each),
for the cross-Lab tests on SQLite and on the server pair."""

from __future__ import annotations

import csv
from itertools import islice

from lab_app.material.consent import people_with_extracts, set_consent
from lab_app.network import members
from lab_app.network.registry import DEFAULT, Deployment
from lab_app.people import accounts

FFT = ("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
# Lab slug -> the trust whose answers it holds.
TRUSTS = {DEFAULT: "Trust A", "north-east": "Trust B", "south-west": "Trust C"}
PER_LAB = 10
WITHHELD = 4  # people in north-east who said no to being shown beyond its staff
PASSWORD = "test-password-not-secret"


def answers(eval_path, trust: str) -> list[str]:
    """The first PER_LAB answers of this trust with something to say (over 60 characters)."""
    with eval_path(*FFT).open(encoding="utf-8") as handle:
        rows = (r for r in csv.DictReader(handle) if r["organization"] == trust)
        chosen = (" ".join(r["feedback"].split()) for r in rows)
        return list(islice((t for t in chosen if len(t) > 60), PER_LAB))


def build(settings, eval_path, folder) -> dict:
    """Three Labs with their answers; alice staff in default and north-east, participant in
    south-west; bob participant in north-east only. Returns what the tests check against."""
    deployment = Deployment(settings)
    for slug in TRUSTS:
        if slug != DEFAULT:
            deployment.add(slug, f"{TRUSTS[slug]} Lab", who="ops")
    accounts.add_user(deployment.engine, "alice", "staff", password=PASSWORD)
    accounts.add_user(deployment.engine, "bob", "participant", password=PASSWORD)
    members.grant(deployment, "north-east", "alice", "staff", who="ops")
    members.grant(deployment, "south-west", "alice", "participant", who="ops")
    members.grant(deployment, "north-east", "bob", "participant", who="ops")
    members.grant(deployment, DEFAULT, "bob", "none", who="ops")
    texts = {}
    for slug, trust in TRUSTS.items():
        # The same file name in each Lab, so the same respondent has the same person id in
        # each: consent given in one Lab must not leak into another.
        (folder / slug).mkdir()
        survey = folder / slug / "answers.csv"
        with survey.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["respondent", "answer"])
            writer.writerows(enumerate(answers(eval_path, trust)))
        ws = deployment.workspace(slug)
        options = ws.ingest_options(kind="survey", text_cols=("answer",), id_col="respondent")
        assert [o.status for o in ws.ingest([survey], options)] == ["ingested"]
        texts[slug] = [e["text"] for e in _extracts(deployment, slug)]  # as stored (redacted)
    engine = deployment.workspace("north-east").store.engine
    people = sorted(people_with_extracts(engine), key=lambda p: p["person"])[:WITHHELD]
    withheld = {p["person"] for p in people}
    for person in withheld:
        set_consent(engine, "person", person, "ops", show_to_participants=False)
    hidden = [e["text"] for e in _extracts(deployment, "north-east") if e["person"] in withheld]
    return {"deployment": deployment, "texts": texts, "hidden": hidden, "withheld": withheld}


def _extracts(deployment, slug) -> list[dict]:
    ws = deployment.workspace(slug)
    return list(ws.store.extracts_by_ids(sorted(ws.store.extract_ids())).values())
