"""A whole Q Exchange round in headless Chromium: staff open it, two members propose (seeing
"others working on this") and comment on phone-sized screens, staff shortlist and open the
vote, both members vote on their phones, staff close it, and members read the results."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from tests.ui.chromium import launch, missing

pytestmark = pytest.mark.slow

if (_reason := missing()) and os.environ.get("QLAB_REQUIRE_BROWSER") != "1":
    pytest.skip(_reason, allow_module_level=True)

from tests.ui.test_browser import (  # noqa: E402 - after the skip: Playwright may be absent
    PAGE_TIMEOUT_MS,
    ROOT,
    SCREENSHOTS,
    SERVER_START_S,
    _assert_no_exception,
    _fill_sign_in,
    _free_port,
    _healthy,
    _idle,
    _session_cookie,
    _stop,
)

PHONE = {"width": 390, "height": 844}
SECOND = "test-member-2"
QUESTION = "How could peer support reach people who work shifts?"
IDEAS = {
    "participant": (
        "Evening peer groups",
        "Most peer groups meet on weekday mornings, so people who work cannot come.",
        "Run groups in the evening and one online.",
    ),
    SECOND: (
        "A directory of local groups",
        "Nobody can tell people which peer groups meet near them.",
        "One shared list of local groups, searchable by town.",
    ),
}


@pytest.fixture(scope="module")
def server(themed_demo_home, tmp_path_factory):
    """`qlab serve` on a copy of the themed demo Lab with a second member account."""
    from lab_app.core.settings import Settings
    from lab_app.people import accounts
    from lab_app.workspace import Workspace
    from tests.ui.conftest import TEST_PASSWORD

    base = tmp_path_factory.mktemp("exchange-browser")
    home = base / "home"
    shutil.copytree(themed_demo_home, home)
    engine = Workspace(Settings.from_env(home=home)).store.engine
    accounts.add_user(engine, SECOND, "participant", password=TEST_PASSWORD)
    engine.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "QLAB_HOME"}
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    log = (base / "server.log").open("w")
    command = [sys.executable, "-m", "lab_app.cli", "--home", str(home), "serve"]
    process = subprocess.Popen(command + ["--port", str(port)], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while not _healthy(f"{url}/_stcore/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"no answer on /_stcore/health within {SERVER_START_S}s")
            time.sleep(0.25)
        yield url
    finally:
        _stop(process)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = launch(p)
        try:
            yield launched
        finally:
            launched.close()


def _person(browser, server: str, name: str, viewport: dict):
    """A browser context signed in as `name`, on its own tab."""
    from playwright.sync_api import expect

    from tests.ui.conftest import TEST_PASSWORD

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    tab = context.new_page()
    tab.goto(server)
    expect(tab.locator("h1").first).to_contain_text("Sign in")
    _fill_sign_in(tab, name, TEST_PASSWORD)
    expect(tab.locator("h1").first).not_to_contain_text("Sign in")
    _session_cookie(context)  # so a typed address keeps the sign-in
    return context, tab


def _go(tab, server: str, path: str, heading: str) -> None:
    from playwright.sync_api import expect

    tab.goto(f"{server}/{path}")
    expect(tab.locator("h1").first).to_contain_text(heading)
    _idle(tab)
    _assert_no_exception(tab, path)


def _main(tab):
    return tab.locator('[data-testid="stMain"]')


def _type(tab, label: str, text: str) -> None:
    box = _main(tab).get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Tab")  # Streamlit takes a value when the box loses focus
    _idle(tab, rerun=True)


def _click(tab, name: str) -> None:
    _main(tab).get_by_role("button", name=name, exact=True).first.click()
    _idle(tab, rerun=True)
    _assert_no_exception(tab, name)


def _says(tab, pattern: str) -> None:
    from playwright.sync_api import expect

    expect(_main(tab)).to_contain_text(re.compile(pattern), timeout=PAGE_TIMEOUT_MS)


def _expand(tab, title: str) -> None:
    _main(tab).locator('[data-testid="stExpander"] summary').filter(has_text=title).first.click()


def _shot(tab, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _propose(tab, member: str) -> None:
    title, problem, idea = IDEAS[member]
    _expand(tab, "Propose an idea")
    _type(tab, "Title", title)
    _type(tab, "The problem", problem)
    _click(tab, "Check for similar")
    _says(tab, "Others working on this")
    _type(tab, "Your idea", idea)
    _click(tab, "Submit proposal")
    _says(tab, "Your proposal is in")


def _vote(tab, server: str, choice: str) -> None:
    _go(tab, server, "exchange", "Q Exchange")
    _says(tab, "Your ballot: choose up to 2")
    _main(tab).locator('[data-testid="stCheckbox"]').filter(has_text=choice).click()
    _idle(tab, rerun=True)
    _click(tab, "Cast my ballot")
    _says(tab, "Your ballot is cast")


def _pick(tab, box_label: str, option: str) -> None:
    _main(tab).locator('[data-testid="stMultiSelect"]').filter(has_text=box_label).click()
    tab.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    tab.keyboard.press("Escape")
    _idle(tab, rerun=True)


def test_a_full_round_in_the_browser(browser, server):
    started = time.monotonic()
    staff_context, staff = _person(browser, server, "test-staff", {"width": 1400, "height": 900})
    one_context, one = _person(browser, server, "test-participant", PHONE)
    two_context, two = _person(browser, server, SECOND, PHONE)
    try:
        _go(staff, server, "exchange_staff", "Q Exchange (staff)")
        _type(staff, "The question", QUESTION)
        for label, value in (("Number to shortlist", "2"), ("Number to select", "2")):
            number = _main(staff).get_by_role("spinbutton", name=label)
            number.fill(value)
            number.press("Tab")
            _idle(staff, rerun=True)
        _click(staff, "Open round")
        _says(staff, "Round opened")

        for member, tab in (("participant", one), (SECOND, two)):
            _go(tab, server, "exchange", "Q Exchange")
            _says(tab, re.escape(QUESTION))
            _propose(tab, member)
        _shot(two, "exchange-phone-propose")
        _expand(two, IDEAS["participant"][0])
        _type(two, "Comment", "Evening groups would fill my directory.")
        _click(two, "Comment")
        _says(two, "Comment added")

        _go(staff, server, "exchange_staff", "Q Exchange (staff)")
        _click(staff, "Move to shortlisting")
        for title, _, _ in IDEAS.values():
            _pick(staff, "Shortlist", title)
        _click(staff, "Save shortlist")
        _says(staff, "Shortlist saved: 2 proposals")
        _click(staff, "Move to voting")
        _says(staff, "is now voting")

        # Each member chooses the other's proposal: their own is not theirs to choose.
        _vote(one, server, IDEAS[SECOND][0])
        _shot(one, "exchange-phone-ballot")
        _vote(two, server, IDEAS["participant"][0])

        _go(staff, server, "exchange_staff", "Q Exchange (staff)")
        _says(staff, "2 ballots")
        _click(staff, "Close the round and count")
        _says(staff, "is closed: the winners are ideas now")
        _go(one, server, "exchange", "Q Exchange")
        _says(one, "Past rounds")
        _says(one, "2 ballots")
        _shot(one, "exchange-phone-results")
    finally:
        for context in (staff_context, one_context, two_context):
            context.close()
    assert time.monotonic() - started < 180  # about 60 s on a quiet machine
