"""The real app in headless Chromium: every page, an upload on Sources, a search on Explore."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ui.chromium import launch, missing

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# url path -> what the page's title (its h1) says; loose, so pages can grow.
PAGES = {
    "": r"Q Lab|Overview",
    "explore": r"Explore",
    "map": r"Map",
    "timeline": r"Timeline",
    "ideas": r"Ideas",
    "tensions": r"Tensions",
    "statements": r"Statements",
    "my_words": r"My words",
    "sources": r"Sources",
    "themes": r"Themes",
    "contributions": r"Contributions",
    "essays": r"Essays",
    "exports": r"Exports",
    "people": r"People",
    "audit": r"Audit",
    "exchange": r"Q Exchange",
    "exchange_staff": r"Q Exchange \(staff\)",
}
# url path -> its link in the sidebar: pages are opened by clicking, as a person does, since a
# full page load starts a new session (signed out).
NAV = {
    "": "Overview", "explore": "Explore", "map": "Map", "timeline": "Timeline",
    "ideas": "Ideas", "tensions": "Tensions", "statements": "Statements", "my_words": "My words",
    "sources": "Sources (staff)",
    "themes": "Themes (staff)", "contributions": "Contributions (staff)",
    "essays": "Essays (staff)", "exports": "Exports (staff)", "people": "People (staff)",
    "audit": "Audit trail (staff)", "exchange": "Q Exchange",
    "exchange_staff": "Q Exchange (staff)",
}  # fmt: skip
STAFF_PATHS = ["sources", "themes", "contributions", "essays", "exports", "people", "audit",
               "exchange_staff"]  # fmt: skip
SERVER_START_S = 60
PAGE_TIMEOUT_MS = 60_000
MAX_SHOT_HEIGHT = 12_000
DRAW_TIMEOUT_MS = 30_000
QUERY = "what stops people finding a peer group"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    """End the server and the Streamlit process it started (its own process group)."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _skip_or_fail() -> None:
    if (reason := missing()) is None:
        return
    if os.environ.get("QLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and QLAB_REQUIRE_BROWSER=1")
    pytest.skip(reason)


# Skip at collection, before the session's demo Lab is built for nothing; CI fails instead.
if (_reason := missing()) and os.environ.get("QLAB_REQUIRE_BROWSER") != "1":
    pytest.skip(_reason, allow_module_level=True)


@pytest.fixture(scope="module")
def chromium():
    """Headless Debian Chromium under Playwright; skipped when absent (failed in CI)."""
    _skip_or_fail()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(chromium, themed_demo_home, tmp_path_factory):
    """`qlab --home HOME serve --port PORT` on a private copy of the themed demo Lab, after
    what `qlab demo`'s first start adds (ideas accepted, tensions found), as `make run` does."""
    from lab_app.core.settings import Settings
    from lab_app.demo import first_look
    from lab_app.workspace import Workspace

    base = tmp_path_factory.mktemp("browser")
    home = base / "home"
    shutil.copytree(themed_demo_home, home)
    first_look(Workspace(Settings.from_env(home=home)))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "QLAB_HOME"}
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    log = (base / "server.log").open("w")
    command = [sys.executable, "-m", "lab_app.cli", "--home", str(home), "serve"]
    process = subprocess.Popen(
        command + ["--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so the Streamlit child ends with it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while not _healthy(f"{url}/_stcore/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (base / "server.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"no answer on /_stcore/health within {SERVER_START_S}s:\n{tail}")
            time.sleep(0.25)
        yield url
    finally:
        _stop(process)
        log.close()


def _new_tab(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context, context.new_page()


def _sign_in(tab, server: str, role: str) -> None:
    """Open the app and sign in as the test account for this role (made by the fixtures)."""
    from playwright.sync_api import expect

    from tests.ui.conftest import TEST_ACCOUNTS, TEST_PASSWORD

    tab.goto(server)
    expect(tab.locator("h1").first).to_contain_text("Sign in", timeout=PAGE_TIMEOUT_MS)
    _fill_sign_in(tab, TEST_ACCOUNTS[role], TEST_PASSWORD)
    expect(tab.locator("h1").first).not_to_contain_text("Sign in", timeout=PAGE_TIMEOUT_MS)
    _idle(tab)


def _fill_sign_in(tab, name: str, password: str) -> None:
    main = tab.locator('[data-testid="stMain"]')
    main.get_by_role("textbox", name="Name", exact=True).fill(name)
    main.get_by_role("textbox", name="Password", exact=True).fill(password)
    main.get_by_role("button", name="Sign in", exact=True).click()


@pytest.fixture
def page(chromium, server):
    """A browser tab signed in as staff."""
    context, tab = _new_tab(chromium)
    try:
        _sign_in(tab, server, "staff")
        yield tab
    finally:
        context.close()


def _idle(page, rerun: bool = False) -> None:
    """Wait until the script has run to the end and nothing is running; after a widget
    action (rerun=True), first give the rerun it triggers a moment to start."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if rerun:
        with contextlib.suppress(PlaywrightTimeout):  # the rerun may be over before we look
            page.wait_for_selector(
                '[data-testid="stApp"][data-test-script-state="running"]', timeout=2_000
            )
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")
    _drawn(page)


# Charts and other lazily loaded elements show a skeleton until their code has loaded and drawn.
_DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every((chart) => chart.querySelector('.main-svg'))"""


def _drawn(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(_DRAWN, timeout=DRAW_TIMEOUT_MS, polling=100)
    except PlaywrightTimeout:
        pytest.fail(f"{page.url}: a chart or element still not drawn after {DRAW_TIMEOUT_MS} ms")


def _open(page, server: str, path: str) -> None:
    from playwright.sync_api import expect

    nav = page.locator('[data-testid="stSidebarNav"] a')
    name = re.compile(rf"^\W*{re.escape(NAV[path])}\s*$")
    nav.filter(has_text=name).first.click()
    title = re.compile(PAGES[path], re.I)
    expect(page.locator("h1").first).to_contain_text(title, timeout=PAGE_TIMEOUT_MS)
    _idle(page)
    _assert_no_exception(page, path or "overview")


def _assert_no_exception(page, name: str) -> None:
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        pytest.fail(f"{name}: Streamlit exception on the page:\n{boxes.first.inner_text()}")


# Streamlit scrolls inside its own containers, so a full-page shot needs a window that tall.
SCROLLERS = (
    '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stSidebarContent"]'
)
_CONTENT_HEIGHT = """(scrollers) => Math.max(document.documentElement.scrollHeight,
    ...[...document.querySelectorAll(scrollers)].map((e) => e.scrollHeight))"""
_TO_TOP = """(scrollers) => { window.scrollTo(0, 0);
    document.querySelectorAll(scrollers).forEach((e) => e.scrollTo(0, 0)); }"""


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = min(int(page.evaluate(_CONTENT_HEIGHT, SCROLLERS)), MAX_SHOT_HEIGHT)
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
    page.evaluate(_TO_TOP, SCROLLERS)
    _drawn(page)  # a taller window can redraw charts
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        page.set_viewport_size(size)


def _main_text(page) -> str:
    return " ".join(page.locator('[data-testid="stMain"]').inner_text().split())


def _search_box(page):
    """The main area's text box labelled for searching (its aria name is the widget label)."""
    main = page.locator('[data-testid="stMain"]')
    return main.get_by_role("textbox", name=re.compile(r"search|query|find|look for", re.I))


def _show_search_view(page) -> bool:
    """Click a 'Search' tab, radio option or button if the page hides search behind one."""
    main = page.locator('[data-testid="stMain"]')
    name = re.compile(r"^\W*search\W*$", re.I)
    for choice in (
        main.get_by_role("tab", name=name),
        main.locator('[data-testid="stRadio"] label').filter(has_text=name),
        main.get_by_role("radio", name=name),
        main.get_by_role("button", name=name),
    ):
        if choice.count():
            choice.first.click()
            _idle(page, rerun=True)
            return True
    return False


def test_every_page_renders_in_chromium(page, server):
    for path in PAGES:
        _open(page, server, path)
        _screenshot(page, path or "overview")


def test_upload_a_survey_on_sources(page, server, tmp_path):
    survey = tmp_path / "browser-test-survey.csv"
    survey.write_text(
        "respondent_id,date,region,What would help you find a peer group?\n"
        "r1,2026-03-02,Wales,A list of groups near me that meet in the evening\n"
        "r2,2026-03-03,North East,Someone to go with me the first time\n"
        "r3,2026-03-04,London,Online groups for people who work shifts\n",
        encoding="utf-8",
    )
    _open(page, server, "sources")
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    if not uploader.count():
        pytest.skip("the Sources page has no file uploader yet")
    uploader.first.set_input_files(str(survey))
    from playwright.sync_api import expect

    # Streamlit shortens long names on screen and keeps the whole name in the chip's title.
    chip = page.locator(f'[data-testid="stFileChipName"][title="{survey.name}"]')
    expect(chip.first).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    _idle(page, rerun=True)
    _assert_no_exception(page, "sources after upload")
    _screenshot(page, "sources-upload")


def test_search_on_explore(page, server, themed_demo_home):
    from lab_app.core.settings import Settings
    from lab_app.workspace import Workspace

    _open(page, server, "explore")
    box = _search_box(page)
    if not box.count() and _show_search_view(page):
        box = _search_box(page)
    if not box.count():
        pytest.skip("the Explore page has no search box yet")
    hits = Workspace(Settings.from_env(home=themed_demo_home)).search(QUERY, k=20)
    assert hits, "the demo Lab should answer the query"
    # A result counts as shown when its first words are on the page (pages may trim text).
    openings = [" ".join(hit["text"].split()[:6]) for hit in hits]
    shown_before = {opening for opening in openings if opening in _main_text(page)}
    openings = [opening for opening in openings if opening not in shown_before]
    box.first.fill(QUERY)
    box.first.press("Enter")
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while not any(opening in _main_text(page) for opening in openings):
        _assert_no_exception(page, "explore after search")
        if time.monotonic() > deadline:
            pytest.fail(f"no search result shown; expected one of {openings}")
        time.sleep(0.25)
    _idle(page)
    _assert_no_exception(page, "explore after search")
    _screenshot(page, "explore-search")


def _dismiss_dialogs(tab) -> str:
    """Close Streamlit's modal dialogs (such as "Page not found"); return what they said."""
    said = []
    dialogs = tab.get_by_role("dialog")
    for _ in range(3):
        if not dialogs.count() or not dialogs.first.is_visible():
            break
        said.append(" ".join(dialogs.first.inner_text().split()))
        tab.keyboard.press("Escape")
        tab.wait_for_timeout(300)
    return " ".join(said)


def test_a_participant_reaches_no_staff_page_by_link_or_address(chromium, server):
    context, tab = _new_tab(chromium)
    try:
        _sign_in(tab, server, "participant")
        _session_cookie(context)
        nav = " ".join(tab.locator('[data-testid="stSidebarNav"]').inner_text().split())
        assert "(staff)" not in nav and "Explore" in nav
        for path in STAFF_PATHS:
            # A typed address loads the app afresh: a new session, still signed in through the
            # browser's cookie. The account's navigation has no such page, so Streamlit opens
            # none of it.
            tab.goto(f"{server}/{path}")
            tab.locator("h1").first.wait_for()
            _idle(tab)
            _dismiss_dialogs(tab)
            heading = tab.locator("h1").first.inner_text()
            assert "Sign in" not in heading, f"{path}: the reload signed the participant out"
            assert not re.search(r"Sources|Themes|Contributions|Essays|Exports|People|Audit",
                                 heading), f"{path}: a participant saw {heading!r}"  # fmt: skip
            _assert_no_exception(tab, path)
    finally:
        context.close()


def _session_cookie(context) -> dict:
    """The sign-in cookie, once the page has traded its one-time code for it."""
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == "qlab_session"]
        if found:
            return found[0]
        time.sleep(0.2)
    pytest.fail("the browser got no qlab_session cookie after signing in")


def _no_session_cookie(context) -> None:
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while any(c["name"] == "qlab_session" for c in context.cookies()):
        if time.monotonic() > deadline:
            pytest.fail("signing out left the qlab_session cookie in the browser")
        time.sleep(0.2)


def test_a_reload_keeps_the_sign_in_until_signing_out(chromium, server):
    from playwright.sync_api import expect

    context, tab = _new_tab(chromium)
    other_context, other_tab = _new_tab(chromium)
    try:
        _sign_in(tab, server, "participant")
        cookie = _session_cookie(context)
        # Set by the server: HttpOnly (no script on the page can read it), SameSite=Strict.
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert cookie["expires"] == -1  # a session cookie: gone when the browser closes
        assert "qlab_session" not in tab.evaluate("() => document.cookie")
        tab.reload()
        tab.locator("h1").first.wait_for()
        _idle(tab)
        assert "Sign in" not in tab.locator("h1").first.inner_text()
        sidebar = tab.locator('[data-testid="stSidebar"]')
        assert "Signed in as" in sidebar.inner_text()
        # Another browser holds no token: it meets the sign-in page.
        other_tab.goto(server)
        expect(other_tab.locator("h1").first).to_contain_text("Sign in")
        sidebar.get_by_role("button", name="Sign out").click()
        expect(tab.locator("h1").first).to_contain_text("Sign in")
        _no_session_cookie(context)
        # The old token is dead on the server too: putting the cookie back signs nobody in.
        context.add_cookies([cookie])
        tab.reload()
        tab.locator("h1").first.wait_for()
        _idle(tab)
        assert "Sign in" in tab.locator("h1").first.inner_text()
    finally:
        context.close()
        other_context.close()
