"""The redaction measurement (issue 15): no identifier leaks, names recall at least 0.9."""

from tests.ingest.redaction_cases import cases, score


def test_no_identifier_leaks_and_names_are_found():
    all_cases = cases()
    assert sum(len(c.identifiers) for c in all_cases) >= 100
    assert sum(len(c.names) for c in all_cases) >= 50
    tallies, problems = score(all_cases)
    leaks = [line for line in problems if line.startswith(("leak", "removed"))]
    assert leaks == []
    for label in ("EMAIL", "PHONE", "NHS_NUMBER", "POSTCODE", "URL"):
        assert tallies[label].recall == 1.0, label
    assert tallies["NAME"].recall >= 0.9, problems
    # Few false hits on ordinary words, places and conditions named after people.
    assert tallies["NAME"].precision >= 0.9, problems
