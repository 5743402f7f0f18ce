"""The shareable report in headless Chromium, offline: it opens from the file with every other
request refused (and none made), logs no console error, and its links move the reader between
contents, areas, themes and the numbered sources of their quotations."""

from __future__ import annotations

import os

import pytest

from tests.ui.chromium import launch, missing

pytestmark = pytest.mark.slow

if (_reason := missing()) and os.environ.get("QLAB_REQUIRE_BROWSER") != "1":
    pytest.skip(_reason, allow_module_level=True)


@pytest.fixture(scope="module")
def report_file(decided_home, tmp_path_factory):
    """The demo Lab's report, written once for this module from a copy of the decided Lab."""
    import shutil

    from lab_app.core.settings import Settings
    from lab_app.essays.report_html import write_report
    from lab_app.workspace import Workspace

    base = tmp_path_factory.mktemp("report")
    shutil.copytree(decided_home, base / "home")
    workspace = Workspace(Settings.from_env(home=base / "home"))
    return write_report(workspace, base / "out" / "report.html", "staff")


@pytest.fixture(scope="module")
def offline_tab(report_file):
    """A tab on the report with every request but the file itself refused and recorded."""
    if (reason := missing()) is not None:
        pytest.fail(f"{reason}, and QLAB_REQUIRE_BROWSER=1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        seen = {"requests": [], "refused": [], "console": [], "errors": []}

        def route(route):
            url = route.request.url
            seen["requests"].append(url)
            if url.startswith("file:"):
                route.continue_()
            else:
                seen["refused"].append(url)
                route.abort()

        context.route("**/*", route)
        tab.on("console", lambda m: seen["console"].append((m.type, m.text)))
        tab.on("pageerror", lambda e: seen["errors"].append(str(e)))
        tab.goto(report_file.as_uri())
        tab.wait_for_load_state("load")
        yield tab, seen
        browser.close()


def _in_view(tab, element_id: str) -> bool:
    """Is the element's top within the visible window (the browser scrolled to it)? Near the
    end of the page the browser cannot bring it to the top, only into view; sub-pixel
    rounding can leave it a fraction above."""
    top, height = tab.evaluate(
        "id => [document.getElementById(id).getBoundingClientRect().top, window.innerHeight]",
        element_id,
    )
    return -2 <= top < height


def test_the_report_opens_offline_without_errors(offline_tab, report_file):
    tab, seen = offline_tab
    assert seen["requests"] == [report_file.as_uri()]
    assert seen["refused"] == []
    assert [c for c in seen["console"] if c[0] == "error"] == []
    assert seen["errors"] == []
    assert tab.locator("h1").inner_text().startswith("What we heard")
    assert tab.locator("article.theme").count() > 10


def test_links_move_between_contents_areas_themes_and_sources(offline_tab):
    tab, _ = offline_tab
    area = tab.locator("nav#contents > ol > li > a[href^='#area-']").first
    target = area.get_attribute("href")[1:]
    area.click()
    assert tab.evaluate("location.hash") == f"#{target}" and _in_view(tab, target)

    theme = tab.locator(f"#{target} article.theme").first
    theme_id = theme.get_attribute("id")
    tab.locator(f"nav#contents a[href='#{theme_id}']").click()
    assert _in_view(tab, theme_id)

    cite = tab.locator(f"#{theme_id} blockquote a.cite").first
    label = cite.get_attribute("href")[1:]
    cite.click()
    assert _in_view(tab, label)
    assert tab.locator(f"li#{label}").inner_text().startswith(f"{label}.")

    tab.locator(f"li#{label} a.cite").click()  # back to the first theme that quotes it
    back = tab.evaluate("location.hash")[1:]
    assert back.startswith("theme-") and _in_view(tab, back)

    tab.locator("nav#contents a[href='#about']").click()
    bar = tab.locator("svg.overview a").nth(1)
    bar_target = bar.get_attribute("href")[1:]
    bar.locator("rect").click()
    assert _in_view(tab, bar_target)
