"""Survey answers in their natural order: Likert scales low to high, numbers by value, the
rest as first given, off-scale answers last."""

from __future__ import annotations

from ingest.scales import answer_order

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


def test_likert_agreement_runs_from_disagree_to_agree_whatever_order_it_came_in():
    given = ["Agree", "Don't know", "Strongly agree", "Disagree", "Neither agree nor disagree",
             "Strongly disagree"]  # fmt: skip
    assert answer_order(given) == [*AGREE, "Don't know"]
    assert answer_order(list(reversed(AGREE))) == AGREE


def test_quality_frequency_and_satisfaction_scales_and_their_spellings():
    assert answer_order(["Good", "Very poor", "Excellent", "Poor", "Fair", "Very good"]) == [
        "Very poor", "Poor", "Fair", "Good", "Very good", "Excellent",
    ]  # fmt: skip
    assert answer_order(["often", "Never", "ALWAYS", "Sometimes", "Rarely"]) == [
        "Never", "Rarely", "Sometimes", "often", "ALWAYS",
    ]  # fmt: skip
    assert answer_order(["Satisfied", "Very dissatisfied", "Very satisfied", "Neutral"])[0] == (
        "Very dissatisfied"
    )
    assert answer_order(["Agree", "Don’t know", "Neutral", "Disagree"]) == [
        "Disagree", "Neutral", "Agree", "Don’t know",
    ]  # fmt: skip


def test_numbers_and_numeric_bands_sort_by_value_not_as_text():
    assert answer_order(["10", "2", "1", "7"]) == ["1", "2", "7", "10"]
    ages = ["45-54", "Prefer not to say", "18-24", "75+", "Under 18", "25-34"]
    assert answer_order(ages) == ["Under 18", "18-24", "25-34", "45-54", "75+", "Prefer not to say"]
    assert answer_order(["5 - Very likely", "1 - Not at all likely", "3"]) == [
        "1 - Not at all likely", "3", "5 - Very likely",
    ]  # fmt: skip


def test_answers_on_no_scale_keep_their_first_appearance():
    regions = ["West Midlands", "London", "Wales", "East of England"]
    assert answer_order(regions) == regions
    assert answer_order(["Yes", "No", "Not sure"]) == ["Yes", "No", "Not sure"]
    assert answer_order([]) == []
