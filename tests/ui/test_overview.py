"""The Overview page on the themed demo Lab and on an empty workspace."""

from __future__ import annotations

import json

from lab_app.core.settings import Settings
from lab_app.ui.components import safe_markdown
from lab_app.workspace import Workspace

SECTIONS = ["Material", "Where the Lab is", "Themes", "New in the themes you follow",
            "Latest contributions"]  # fmt: skip


def charts(at) -> dict[str, dict]:
    """Plotly specs by element key, parsed from the page's protos."""
    found = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        found[element.proto.id] = spec
    return found


def spec_with_title(at, words: str) -> dict:
    for spec in charts(at).values():
        title = spec["layout"].get("title", {}).get("text", "")
        if words in title:
            return spec
    raise AssertionError(f"no chart titled with {words!r}")


def test_sections_and_charts_on_the_demo(open_page, app_home):
    at = open_page()  # Overview is the default page
    assert not at.exception, at.exception
    assert [h.value for h in at.subheader] == SECTIONS
    assert len(at.get("plotly_chart")) == 5  # sources, extracts, per month, phases, growing
    assert not at.error

    counts = Workspace(Settings.from_env(home=app_home)).store.counts()
    by_kind = spec_with_title(at, "extracts by kind")["data"][0]
    assert dict(zip(by_kind["x"], by_kind["y"], strict=True)) == counts["extracts_by_kind"]

    # The survey's non-answers and blank answers are a count of their own, not extracts.
    kept = Workspace(Settings.from_env(home=app_home)).status()
    assert kept["non_answers"] and kept["blank_answers"]  # the demo survey has both
    assert any(
        c.value.startswith("Survey answers kept aside, counted but not extracts: ")
        and f"{kept['non_answers']:,} non-answers" in c.value
        and f"{kept['blank_answers']:,} blank answers" in c.value
        for c in at.caption
    )

    monthly = spec_with_title(at, "Extracts per month")
    assert monthly["layout"]["barmode"] == "stack"
    assert {trace["name"] for trace in monthly["data"]} == set(counts["extracts_by_kind"])
    assert sum(sum(trace["y"]) for trace in monthly["data"]) == counts["extracts"]

    phases = [s for s in charts(at).values() if s["layout"].get("shapes")]
    assert len(phases) == 1  # the timeline, with today marked
    assert [t["y"][0] for t in phases[0]["data"]] == [
        "Discover", "Define", "Develop", "Test", "Share"
    ]  # fmt: skip
    # Which sentence depends on today's date; one of them is always there.
    openings = ("The Lab's year has ended", "Today (", "The Lab's year has not", "Between phases")
    assert any(m.value.startswith(openings) for m in at.markdown)


def test_themes_and_latest_contributions(open_page):
    at = open_page()
    keys = [b.key for b in at.button]
    theme_keys = [k for k in keys if k.startswith("overview-theme-") and k.count("-") == 3]
    assert len(theme_keys) >= 5  # the newest five, and fast growers not already listed
    assert any("Last built" in c.value for c in at.caption)

    quotes = [m.value for m in at.markdown if m.value.startswith("> ")]
    assert len(quotes) == 5
    captions = [c.value for c in at.caption]
    assert sum(safe_markdown("peer-support-lab/contributions/") in c for c in captions) == 5
    # Explore promises an account name is never shown beside a quote: nor is any person.
    assert not any(" · by " in c for c in captions if "contributions/" in c.replace("\\", ""))


def test_a_theme_button_opens_the_theme(open_page):
    at = open_page()
    key = next(b.key for b in at.button if b.key.startswith("overview-theme-"))
    theme_id = key.removeprefix("overview-theme-")
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    assert at.session_state["selected_theme"] == theme_id
    assert "Material" not in [h.value for h in at.subheader]  # now on the Themes page


def test_an_empty_workspace_says_so_in_every_section(empty_app):
    at = empty_app("participant")
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    assert [h.value for h in at.subheader] == SECTIONS
    text = " ".join(m.value for m in at.markdown)
    assert "Nothing in the workspace yet" in text
    assert "phases have not been set" in text
    assert "No themes yet — staff can build them on the Themes page" in text
    assert "No contributions yet" in text
    assert not at.get("plotly_chart")


def test_a_withheld_contribution_is_marked_for_staff_and_replaced_for_participants(
    open_page, app_home
):
    from lab_app.material.consent import set_consent
    from lab_app.year.overview import latest_contributions

    engine = Workspace(Settings.from_env(home=app_home)).store.engine
    newest = latest_contributions(engine, 1)[0]
    set_consent(engine, "person", newest["person"], "test-staff", show_to_participants=False)
    words = " ".join(newest["text"].split()[:8])

    def quotes(at) -> list[str]:
        return [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("> ")]

    staff = open_page()
    assert any(words in q for q in quotes(staff))
    assert any("withheld from participants" in c.value for c in staff.caption)
    participant = open_page(role="participant")
    assert not participant.exception, participant.exception
    assert len(quotes(participant)) == 5  # still five: the next ones take the withheld places
    assert not [q for q in quotes(participant) if words in q]
    assert not [c for c in participant.caption if "withheld" in c.value]


def test_what_fits_no_theme_is_counted_for_everyone_and_sent_to_review_for_staff(
    open_page, app_home
):
    """The Overview says how many extracts fit no theme as things stand (after a move, one
    fewer); staff are told where to review them, participants are not sent to a staff page."""
    from lab_app.core.audit import act_as
    from lab_app.themes import curation
    from lab_app.themes.unsorted import fit_none, unsorted_extracts

    lab = Workspace(Settings.from_env(home=app_home))
    left = unsorted_extracts(lab.store.engine)
    assert left, "the demo's build leaves one or two extracts in Unsorted"
    built = [c.value for c in open_page().caption if c.value.startswith("Last built")]
    assert built and f"{fit_none(len(left))} yet: review on the Themes page." in built[0]
    seen = [c.value for c in open_page(role="participant").caption if "Last built" in c.value]
    assert f"{fit_none(len(left))} yet." in seen[0] and "Themes page" not in seen[0]

    act_as("test-staff")
    target = lab.list_themes()[0]["id"]
    curation.move(lab.store.engine, [row["id"] for row in left], target)
    after = [c.value for c in open_page().caption if c.value.startswith("Last built")]
    assert "fit no theme" not in after[0] and "fits no theme" not in after[0]


def test_a_participant_opens_a_theme_on_explore(open_page):
    at = open_page(role="participant")
    key = next(b.key for b in at.button if b.key.startswith("overview-theme-"))
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Explore"  # participants have no Themes page
    assert at.radio(key="explore-view").value == "One theme"
    assert at.selectbox(key="explore-theme-page").value == key.removeprefix("overview-theme-")


def test_the_growth_chart_names_themes_by_label_for_participants(open_page):
    staff_bars = spec_with_title(open_page(), "Extracts gained")["data"][0]["y"]
    assert staff_bars and all(name.startswith("T-") for name in staff_bars)
    bars = spec_with_title(open_page(role="participant"), "Extracts gained")["data"][0]["y"]
    assert len(bars) == len(staff_bars) == len(set(bars))
    assert not [name for name in bars if name.startswith("T-")]
    assert [name.split(" ", 1)[1] for name in staff_bars] == bars  # the same labels, in order
