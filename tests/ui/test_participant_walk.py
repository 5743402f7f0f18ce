"""A participant's walk through the app in headless Chromium (issue 20, points 2–5): Explore's
index, a theme page and "Show more", search with a filter and matches in bold, following a
theme, voting on statements and seeing where they stand, contributing, and My words (status,
consent, withdrawal opened and cancelled), at 1400×1000; then the same pages on a phone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ui.chromium import launch, missing

pytestmark = pytest.mark.slow

if (_reason := missing()) and os.environ.get("QLAB_REQUIRE_BROWSER") != "1":
    pytest.skip(_reason, allow_module_level=True)

from tests.ui.conftest import TEST_PASSWORD  # noqa: E402
from tests.ui.test_browser import (  # noqa: E402 - after the skip: Playwright may be absent
    _CONTENT_HEIGHT,
    _TO_TOP,
    PAGE_TIMEOUT_MS,
    ROOT,
    SCROLLERS,
    SERVER_START_S,
    _assert_no_exception,
    _drawn,
    _fill_sign_in,
    _free_port,
    _healthy,
    _idle,
    _open,
    _session_cookie,
    _stop,
)
from tests.ui.walk_staff import (  # noqa: E402
    ME,
    NEWS,
    PRIOR_VOTES,
    STAFF,
    approve_proposal,
    news_in_a_theme,
    statements_voted,
)

WIDE = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
MINE = "A peer group for carers that meets online after the children are in bed."
PROPOSAL = "Peer groups should meet in the evening as well as the day."
QUERY = "what stops people finding a peer group"
# A small real Pol.is conversation (26 people, 638 votes): its votes form the opinion groups.
CONVERSATION = ("polis", "london.youth.policing")


@pytest.fixture(scope="module")
def walk(themed_demo_home, tmp_path_factory, eval_path):
    """`qlab serve` on one copy of the themed demo Lab, after the staff steps the walk needs."""
    from lab_app.core.audit import act_as
    from lab_app.core.settings import Settings
    from lab_app.exchange.polis import read_polis
    from lab_app.workspace import Workspace

    base = tmp_path_factory.mktemp("participant-walk")
    home = base / "home"
    shutil.copytree(themed_demo_home, home)
    ws = Workspace(Settings.from_env(home=home))
    act_as(STAFF)  # the audit trail names the staff member, as the pages would
    try:
        facts = news_in_a_theme(ws)
        facts["vote"] = statements_voted(ws.store.engine, read_polis(eval_path(*CONVERSATION)))
    finally:
        act_as(None)
        ws.store.engine.dispose()
    with _serving(home, base) as url:
        yield dict(facts, url=url, home=home)


class _serving:
    """`qlab --home HOME serve` on a free port until the block ends."""

    def __init__(self, home: Path, base: Path):
        self.home, self.base = home, base

    def __enter__(self) -> str:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "QLAB_HOME"}
        env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
        self.log = (self.base / "server.log").open("w")
        command = [sys.executable, "-m", "lab_app.cli", "--home", str(self.home), "serve"]
        self.process = subprocess.Popen(command + ["--port", str(port)], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_S
        while not _healthy(f"{url}/_stcore/health"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                pytest.fail(f"no answer on /_stcore/health within {SERVER_START_S}s")
            time.sleep(0.25)
        return url

    def __exit__(self, *_) -> None:
        _stop(self.process)
        self.log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = launch(p)
        try:
            yield launched
        finally:
            launched.close()


def _signed_in(browser, url: str, viewport: dict):
    """A new browser context on the Overview, signed in as the participant test account."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    tab = context.new_page()
    tab.goto(url)
    expect(tab.locator("h1").first).to_contain_text("Sign in")
    _fill_sign_in(tab, ME, TEST_PASSWORD)
    expect(tab.locator("h1").first).to_contain_text("Q Lab Workspace")
    _session_cookie(context)  # so a typed address keeps the sign-in
    _idle(tab)
    return context, tab


def _main(tab):
    return tab.locator('[data-testid="stMain"]')


def _says(tab, pattern: str) -> None:
    from playwright.sync_api import expect

    expect(_main(tab)).to_contain_text(re.compile(pattern), timeout=PAGE_TIMEOUT_MS)


def _text(tab) -> str:
    return " ".join(_main(tab).inner_text().split())


def _press(tab, locator, then: str) -> None:
    """Click, then wait for what the click should show (a pattern in the main area): quicker
    and surer than guessing whether the rerun it starts has begun."""
    locator.click()
    _says(tab, then)
    _idle(tab)
    _assert_no_exception(tab, then)


def _keyed(tab, key: str):
    """The button Streamlit drew for this widget key (a button with help is drawn twice, with
    and without its tooltip, one of them hidden for the screen's size)."""
    return _main(tab).locator(f".st-key-{key} button").filter(visible=True)


def _view(tab, name: str, then: str) -> None:
    """Explore's Themes / Search / One theme switch."""
    options = _main(tab).locator('[data-testid="stRadio"]').first.locator("label")
    _press(tab, options.filter(has_text=re.compile(rf"^{name}$")), then)


def _choose(tab, box: str, option: str) -> None:
    _main(tab).locator('[data-testid="stSelectbox"]').filter(has_text=box).click()
    tab.get_by_role("option", name=option, exact=True).click()
    _idle(tab, rerun=True)


def _tick(tab, label: str) -> None:
    _main(tab).locator('[data-testid="stCheckbox"]').filter(has_text=label).click()
    _idle(tab, rerun=True)
    _assert_no_exception(tab, label)


def _shot(tab, folder: Path, name: str) -> Path:
    """A whole-page screenshot: Streamlit scrolls inside its own containers, so the window is
    made as tall as the content first."""
    size = tab.viewport_size
    height = min(int(tab.evaluate(_CONTENT_HEIGHT, SCROLLERS)), 12_000)
    if height > size["height"]:
        tab.set_viewport_size({"width": size["width"], "height": height})
    tab.evaluate(_TO_TOP, SCROLLERS)
    _drawn(tab)
    path = folder / f"{name}.png"
    try:
        tab.screenshot(path=str(path), full_page=True)
    finally:
        tab.set_viewport_size(size)
    return path


# Elements wider than the window on a phone: a reader would have to scroll sideways. A chart
# counts by its own box: Plotly's SVG layers inside it (clip paths, hover layers) run past it.
_TOO_WIDE = """() => [...document.querySelectorAll('[data-testid="stMain"] *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1
        && e.getBoundingClientRect().width > 0
        && !e.parentElement.closest('[data-testid="stPlotlyChart"]'))
    .map((e) => (e.dataset.testid || e.tagName) + ': ' + (e.innerText || '').slice(0, 40))"""


def _fits(tab, page: str) -> None:
    wide = tab.evaluate(_TOO_WIDE)
    assert not wide, f"{page} is wider than a phone: {wide[:5]}"


def _in_one_row(tab, key_prefix: str) -> None:
    """The first card's Agree, Disagree and Pass side by side, not stacked."""
    buttons = _main(tab).locator(f'[class*="st-key-{key_prefix}"] button').filter(visible=True)
    tops = {round(button.bounding_box()["y"]) for button in buttons.all()[:3]}
    assert buttons.count() >= 3 and len(tops) == 1, f"{key_prefix} buttons stacked: {tops}"


def test_a_participant_walks_explore_statements_and_my_words(browser, walk, tmp_path):
    started = time.monotonic()
    context, tab = _signed_in(browser, walk["url"], WIDE)
    try:
        _explore_and_follow(tab, walk, tmp_path)
        _vote_and_stand(tab, walk, tmp_path)
        _contribute_and_my_words(tab, walk, tmp_path)
        # The same person on a phone-sized window: each page loaded afresh at that size (as a
        # phone would), still signed in through the browser's cookie.
        tab.set_viewport_size(PHONE)
        _on_a_phone(tab, walk, tmp_path)
    finally:
        context.close()
    assert time.monotonic() - started < 180  # about 45 s on a quiet machine


def _explore_and_follow(tab, walk: dict, shots: Path) -> None:
    from playwright.sync_api import expect

    news, other = walk["news"], walk["other"]
    # The Overview after signing in: news in the theme they follow.
    _says(tab, "New in the themes you follow")
    _says(tab, re.escape(walk["news_label"]))
    _says(tab, "1 new since your last visit")
    _shot(tab, shots, "wide-overview")

    _open(tab, walk["url"], "explore")
    _says(tab, r"\d+ themes in \d+ areas")
    _says(tab, r"following · \*?\*?1 new\*?\*? since your last visit")
    _shot(tab, shots, "wide-explore-index")
    _press(tab, _keyed(tab, f"explore-open-{news}"), "1 new since your last visit: marked below")
    assert tab.locator("h3").filter(has_text=walk["news_label"]).count()
    # The new quote comes first, marked, whatever its kind.
    assert _main(tab).locator("blockquote").first.inner_text().strip() == NEWS
    assert "new since your last visit" in _text(tab).split(NEWS, 1)[1][:300]
    _says(tab, r"Showing 10 of \d+ quotes")
    more = _main(tab).get_by_role("button", name="Show more", exact=True)
    _press(tab, more, r"Showing 20 of \d+ quotes")
    _shot(tab, shots, "wide-explore-theme")

    _view(tab, "Search", "Search by meaning")
    _choose(tab, "Kind", "Survey")
    box = _main(tab).get_by_role("textbox", name="Search by meaning")
    box.fill(QUERY)
    box.press("Enter")
    _says(tab, "Showing 10 results, closest first")
    _idle(tab)
    captions = _main(tab).locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    captions = [c for c in captions if "theme:" in c or " · Survey" in c]
    assert len(captions) >= 10 and all("Survey" in c for c in captions), captions
    bold = _main(tab).locator("blockquote strong").all_inner_texts()
    assert bold and all(re.match(r"(peer|group|stop|people|finding)", w, re.I) for w in bold), bold
    _press(tab, _keyed(tab, "explore-more-results"), "Showing 20 results, closest first")
    _shot(tab, shots, "wide-explore-search")

    _view(tab, "Themes", r"\d+ themes in \d+ areas")
    follow = _keyed(tab, f"explore-follow-{other}")
    follow.click()
    expect(follow).to_have_text("Unfollow")
    _idle(tab)
    _open(tab, walk["url"], "")
    _says(tab, "New in the themes you follow")
    followed = _main(tab).locator(f".st-key-overview-theme-new-{other}")
    assert followed.inner_text().strip() == walk["other_label"]
    _says(tab, "Nothing new since your last visit")


def _vote_and_stand(tab, walk: dict, shots: Path) -> None:
    from playwright.sync_api import expect

    vote = walk["vote"]
    _open(tab, walk["url"], "statements")
    _says(tab, "You are not in a group yet")
    _says(tab, re.escape(vote["text"]))
    waiting = int(re.search(r"Waiting for your vote \((\d+)\)", _text(tab)).group(1))
    _press(tab, _keyed(tab, f"statements-vote-{vote['statement']}-{vote['value']}"), "Vote saved")
    _says(tab, r"You are in group [A-Z] \(\d+ people\), which mostly (agrees|disagrees) that")
    _says(tab, rf"Waiting for your vote \({waiting - 1}\)")
    _says(tab, rf"{waiting - 1 - 10} more come up as you vote on these")  # ten cards at a time
    _says(tab, rf"Your votes \({PRIOR_VOTES + 1}\)")
    box = _main(tab).get_by_role("textbox", name="One idea people can agree or disagree with")
    box.fill(PROPOSAL)
    send = _main(tab).get_by_role("button", name="Send for approval")
    _press(tab, send, "staff read each proposal before it is open for votes")
    expect(box).to_have_value("")  # sent: the box is ready for another
    approve_proposal(walk["home"], PROPOSAL)
    _shot(tab, shots, "wide-statements")


def _contribute_and_my_words(tab, walk: dict, shots: Path) -> None:
    from playwright.sync_api import expect

    _open(tab, walk["url"], "explore")
    box = _main(tab).get_by_role("textbox", name="Your contribution")
    box.fill(MINE)
    send = _main(tab).get_by_role("button", name="Send for approval")
    _press(tab, send, "your contribution waits for staff approval")
    expect(box).to_have_value("")

    _open(tab, walk["url"], "my_words")
    _says(tab, re.escape(MINE))
    before = _text(tab).split(MINE, 1)[0]  # its card: the status line, then the words
    assert "waiting for staff to read it" in before[-120:], before[-120:]
    _says(tab, rf"Votes\s*{PRIOR_VOTES + 1}")
    _says(tab, "Statements you proposed")
    _says(tab, r"open for votes · " + re.escape(PROPOSAL))  # staff approved it meanwhile
    _tick(tab, "Other participants may read my words in the app")
    _press(tab, _keyed(tab, "mywords-consent-save"), "Your choices are saved")
    box = _main(tab).locator('[data-testid="stCheckbox"]').filter(has_text="Other participants")
    assert not box.locator("input").is_checked()

    _tick(tab, "I want to withdraw: show me what would be removed")
    _says(tab, rf"Withdrawing will remove .*{PRIOR_VOTES + 1} votes.*and your account\. "
               r"This cannot be undone\.")  # fmt: skip
    assert _keyed(tab, "mywords-withdraw").is_disabled()
    _shot(tab, shots, "wide-my-words")
    _tick(tab, "I want to withdraw: show me what would be removed")  # changed their mind
    assert "Withdrawing will remove" not in _text(tab)
    _says(tab, "Your contributions")


def _on_a_phone(tab, walk: dict, shots: Path) -> None:
    from playwright.sync_api import expect

    pages = []
    for path, heading in (("", "Q Lab Workspace"), ("explore", "Explore"),
                          ("statements", "Statements"), ("my_words", "My words")):  # fmt: skip
        name = path or "overview"
        tab.goto(f"{walk['url']}/{path}")
        expect(tab.locator("h1").first).to_contain_text(heading)
        _idle(tab)
        _assert_no_exception(tab, name)
        _fits(tab, name)
        pages.append((name, _shot(tab, shots, f"phone-{name}")))
        if name == "overview":
            _says(tab, "New in the themes you follow")
        if path == "statements":
            _in_one_row(tab, "statements-vote-")
        if path == "explore":
            _press(tab, _keyed(tab, f"explore-open-{walk['news']}"), r"Showing 10 of \d+ quotes")
            _fits(tab, "a theme page")
            _in_one_row(tab, "vote-")
            pages.append(("theme", _shot(tab, shots, "phone-explore-theme")))
    assert all(path.stat().st_size for _, path in pages)
