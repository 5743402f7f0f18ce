"""The non-answer recogniser: on written cases, then on real NHS Friends-and-Family-Test answers
(checked against the dataset's own coding) and on corpora that hold no non-answers at all."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from ingest.non_answers import is_non_answer, non_answer_type

FFT = ("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
# The FFT codes for replies that say there is nothing to improve, all was good or bad, or
# nothing was good: where a bare "Nothing" or "No" belongs.
NOTHING_CODES = {"xn", "xe", "xg"}


@pytest.mark.parametrize(
    "reply,kind",
    [
        # The brief's list, in any case and punctuation.
        ("nothing", "nothing"), ("Nothing really", "nothing"), ("Nothing to add.", "nothing"),
        ("NONE", "nothing"), ("No", "no"), ("n/a", "declined"), ("NA", "declined"),
        ("Nil", "nothing"), ("-", "declined"), ("--", "declined"), (".", "declined"),
        ("No comment", "declined"), ("no comments!", "declined"),
        ("Did not answer", "declined"), ("Not answered", "declined"),
        ("Don't know", "don't know"), ("dont know", "don't know"), ("Not sure", "don't know"),
        ("No thanks", "declined"), ("#N/A", "declined"), ("  N / A  ", "declined"),
        ("Prefer not to say", "declined"), ("As above", "declined"),
        # Real FFT replies, with their curly apostrophes and doubled punctuation.
        ("Nothing.", "nothing"), ("No, not really.", "no"), ("Can’t think of anything.", "nothing"),
        ("Nothing at all", "nothing"), ("I don’t know.", "don't know"), ("No nothing", "no"),
        ("Not sure....nothing I could think of.", "don't know"), ("Nothing !!!!!", "nothing"),
        ("Nothing that I can think off.", "nothing"), ("No, thank you.", "declined"),
        ("Absolutely nothing!", "nothing"), ("Nothing comes to mind.", "nothing"),
        # Ways the demo Lab's survey declines a question.
        ("Haven't thought about it", "don't know"), ("I'll answer this one later", "declined"),
        ("Not at this time.", "no"), ("I think I've said everything above.", "declined"),
        ("I have nothing to add", "nothing"), ("xx", "declined"), ("testing", "declined"),
        ("Good question!", "declined"), ("Nothing to add, good luck with the work", "nothing"),
        # Real FFT replies: one keystroke from "nothing", or a smiley after it.
        ("Nothimg", "nothing"), ("Nothng", "nothing"), ("nohing", "nothing"), ("Nothin", "nothing"),
        ("Nothing😊", "nothing"), ("Nothing 😃", "nothing"), ("No 👍", "no"),
    ],
)  # fmt: skip
def test_non_answers_are_recognised_with_their_type(reply, kind):
    assert non_answer_type(reply) == kind
    assert is_non_answer(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "No, the staff were lovely", "Nothing, all was good.", "Nothing to improve",
        "No complaints", "Not much.", "None of the staff listened", "Nothing was explained",
        "No one answered the phone", "N/A Top notch", "No comment all was lovely",
        "Don't know where to park", "Not sure the evening group suits me", "👍", "No parking",
        "OK", "Very little.", "Nothing could be better", "x-ray was slow",
        "Not applicable, I haven't used it", "Not being told. Simple as that.", "Thank you",
        "Good luck! You'll need it.", "Not enough staff", "Testing was quick", "Noting that",
        "😊", "Nothing 👍 better",
        "no " * 20,  # twenty words of "no" are not an answer anyone gives: left alone
    ],
)  # fmt: skip
def test_answers_that_start_like_non_answers_are_kept(reply):
    assert non_answer_type(reply) is None


def test_blank_is_not_a_non_answer():
    assert not is_non_answer("") and not is_non_answer("   \t")


def _fft(eval_path) -> list[dict]:
    with eval_path(*FFT).open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["feedback"].strip()]


def test_on_nhs_fft_answers_it_catches_the_bare_nothings_and_no_real_answer(eval_path):
    rows = _fft(eval_path)
    caught = [row for row in rows if is_non_answer(row["feedback"])]
    # Every bare "Nothing", "No" and "None" is caught (the 84% of the old largest theme).
    bare = [r for r in rows if r["feedback"].strip(" .!").lower() in {"nothing", "no", "none"}]
    assert len(bare) >= 800 and all(is_non_answer(r["feedback"]) for r in bare)
    assert len(caught) >= len(bare) + 150  # and the wordier ways of saying the same
    # The dataset's own coders put nearly all of them under nothing-to-improve (or nothing
    # good, all good): a caught reply coded anything else is read below.
    elsewhere = [r["feedback"] for r in caught if r["code"] not in NOTHING_CODES]
    assert len(elsewhere) <= len(caught) // 100, elsewhere
    # A non-answer is short: nothing caught has a clause of its own to quote.
    assert max(len(r["feedback"].split()) for r in caught) <= 9
    # And the replies the coders filed under a real subject are kept as answers.
    subjects = [r for r in rows if r["code"] not in NOTHING_CODES | {"xm"}]
    kept = sum(not is_non_answer(r["feedback"]) for r in subjects)
    assert kept / len(subjects) > 0.999


def test_on_banking_queries_and_polis_comments_nothing_real_is_caught(eval_path):
    texts = []
    with eval_path("clustering", "banking77", "train.csv").open(encoding="utf-8") as handle:
        texts += [row["text"] for row in csv.DictReader(handle)]
    for conversation in ("american-assembly.bowling-green", "brexit-consensus"):
        with eval_path("polis", conversation, "comments.csv").open(encoding="utf-8") as handle:
            texts += [row["comment-body"] for row in csv.DictReader(handle)]
    assert len(texts) > 10_000
    assert Counter(non_answer_type(text) for text in texts) == {None: len(texts)}
