"""Every button or form in lab_app/ui that changes the store runs a checked action (guard.action):
a static scan holds each button to the registry, then every registered action is clicked on its
real page by a session whose account was demoted to participant, and by one signed out, and
each must be refused with the store unchanged."""

from __future__ import annotations

import ast
import json
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lab_app.core.settings import Settings
from lab_app.material.backup import table_rows
from lab_app.people import accounts
from lab_app.ui.auth import SESSION_KEY
from lab_app.ui.guard import NOT_WRITING, REFUSALS, Action
from lab_app.workspace import Workspace
from tests.ui.conftest import APP, TEST_ACCOUNTS, signed_in
from tests.ui.test_map import select_points

UI = APP.parent
BUTTONS = {"button", "form_submit_button", "download_button"}
# The page each action's buttons are on, and the actions clicked there. AppTest runs app.py
# (and so the sidebar's Sign out) on the first run only: Sign out is clicked on the Overview.
PAGES = {
    "overview": {"account.sign_out"},
    "explore": {"explore.vote", "explore.contribute", "curation.move_selected",
                "curation.undo_mine"},
    "explore-index": {"explore.follow", "explore.contribute"},  # Explore's default view
    "map": {"curation.move_selected", "curation.undo_mine"},
    "ideas": {"ideas.back", "ideas.comment", "ideas.status", "ideas.edit", "ideas.merge",
              "ideas.add", "ideas.accept"},
    "timeline": {"timeline.add_event", "timeline.remove_event", "timeline.save_phases"},
    "tensions": {"tensions.recompute", "tensions.decide"},
    "themes": {"themes.rebuild", "themes.curate", "curation.move_selected",
               "curation.exclude_selected"},
    "sources": {"sources.ingest", "sources.remove"},
    "exports": {"exports.prepare", "exports.import_codebook"},
    "people": {"people.add", "people.toggle", "people.password", "people.consent",
               "people.withdraw"},
    "contributions": {"contributions.approve", "contributions.reject"},
    "essays": {"essays.edit"},
    "find_people": {"finder.save", "finder.off"},
    "exchange": {"exchange.propose", "exchange.revise", "exchange.comment", "exchange.vote"},
    "exchange_staff": {"exchange.open", "exchange.move", "exchange.shortlist", "exchange.paper",
                       "exchange.close"},
    "my_words": {"mywords.consent", "mywords.withdraw"},
    "statements": {"statements.vote", "statements.propose", "statements.review",
                   "statements.write"},
}  # fmt: skip


@dataclass(frozen=True)
class ButtonCall:
    where: str
    key: str | None  # the key, or the fixed start of an f-string key; None when a variable
    exact: bool
    on_click: str | None


def _name(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _key(node) -> tuple[str | None, bool]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, True
    if isinstance(node, ast.JoinedStr):
        start = ""
        for part in node.values:
            if not isinstance(part, ast.Constant):
                break
            start += part.value
        return start, False
    return None, False


def _scan() -> tuple[dict[str, Action], dict[str, str], list[ButtonCall]]:
    """The registry as written in lab_app/ui (action name -> Action), checked callbacks
    (function name -> action name), and every button call with its key and callback."""
    actions: dict[str, Action] = {}
    checked: dict[str, str] = {}
    calls: list[ButtonCall] = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    if isinstance(deco, ast.Call) and _name(deco.func) == "action":
                        name, role, *keys = [arg.value for arg in deco.args]
                        assert node.name not in checked, f"two checked callbacks {node.name}"
                        actions[name] = Action(name, role, tuple(keys))
                        checked[node.name] = name
            if isinstance(node, ast.Call) and _name(node.func) in BUTTONS:
                kwargs = {k.arg: k.value for k in node.keywords}
                key, exact = _key(kwargs["key"]) if "key" in kwargs else (None, False)
                on_click = _name(kwargs["on_click"]) if "on_click" in kwargs else None
                where = f"{path.relative_to(UI.parent.parent)}:{node.lineno}"
                calls.append(ButtonCall(where, key, exact, on_click))
    return actions, checked, calls


ACTIONS, CHECKED, CALLS = _scan()


def _action_for(key: str) -> Action | None:
    found = [(len(k), a) for a in ACTIONS.values() for k in a.keys if a.runs_from(key)]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def _not_writing(key: str | None) -> bool:
    return key is not None and any(
        key == k or (k.endswith("-") and key.startswith(k)) for k in NOT_WRITING
    )


def test_every_button_runs_a_checked_action_or_is_listed_as_changing_nothing():
    assert len(CALLS) > 40 and len(ACTIONS) > 25  # the scan sees the whole app
    for call in CALLS:
        if call.on_click is None:
            # A button acted on inline (`if st.button(...)`) may only navigate or download.
            assert _not_writing(call.key), (
                f"{call.where}: button {call.key!r} has no checked callback; give it "
                "on_click=<a guard.action function>, or list it in guard.NOT_WRITING"
            )
            continue
        assert call.on_click in CHECKED, (
            f"{call.where}: on_click={call.on_click} is not a guard.action callback"
        )
        if call.key is not None:
            action = ACTIONS[CHECKED[call.on_click]]
            assert action.runs_from(call.key) or any(k.startswith(call.key) for k in action.keys), (
                f"{call.where}: key {call.key!r} is not among {action.name}'s keys"
            )


def test_every_action_is_clicked_on_some_page():
    assert set().union(*PAGES.values()) == set(ACTIONS)
    assert {a.role for a in ACTIONS.values()} == {"staff", "participant"}
    participants = {a.name for a in ACTIONS.values() if a.role == "participant"}
    assert participants == {"explore.vote", "explore.contribute", "explore.follow", "ideas.back",
                            "ideas.comment", "account.sign_out", "finder.save",
                            "finder.off", "exchange.propose", "exchange.revise",
                            "exchange.comment", "exchange.vote", "mywords.consent",
                            "mywords.withdraw", "statements.vote",
                            "statements.propose"}  # fmt: skip


@pytest.fixture(scope="module")
def guard_home(themed_demo_home, tmp_path_factory):
    """The themed demo Lab with something behind every button: ideas, tensions, a waiting
    contribution and an essay draft."""
    from lab_app.essays.draft import draft_essay
    from lab_app.essays.material import active_themes
    from lab_app.opinions import participation, statements, tensions
    from lab_app.year import ideas

    home = tmp_path_factory.mktemp("guard") / "home"
    shutil.copytree(themed_demo_home, home)
    ws = Workspace(Settings.from_env(home=home))
    engine, staff = ws.store.engine, TEST_ACCOUNTS["staff"]
    ideas.create_idea(engine, "A directory of local peer groups", staff, "Kept up to date")
    ideas.create_idea(engine, "Peer groups in the evening", staff, "For people who work")
    tensions.refresh(ws, staff)
    participation.submit_contribution(engine, TEST_ACCOUNTS["participant"], "Evening groups.")
    statements.write(engine, "Peer groups should meet in the evening too.", staff)
    statements.propose(engine, "Training for peer workers should be paid.", staff)
    themes = [t["id"] for t in active_themes(engine)[:1]]
    draft_essay(ws, staff, theme_ids=themes, length="short")
    _running_rounds(ws, staff)
    ws.store.engine.dispose()
    return home


def _running_rounds(ws, staff: str) -> None:
    """Three Q Exchange rounds, one per running state, each with a proposal of staff's own
    (so Revise shows) and one of a member's (so there is something to choose)."""
    from lab_app.rounds import ballots, proposals, rounds

    engine, member = ws.store.engine, TEST_ACCOUNTS["participant"]
    for state in ("open", "shortlisting", "voting"):
        made = rounds.open_round(engine, f"Q {state}?", "2026-03-01", "2026-04-01", "2026-05-01",
                                 2, 1, staff)  # fmt: skip
        mine = proposals.propose(ws, made, staff, "Staff's idea", "A problem.", "An idea.")
        theirs = proposals.propose(ws, made, member, "A member's idea", "A need.", "A plan.")
        if state != "open":
            rounds.move(engine, made, "shortlisting", staff)
        if state == "voting":
            ballots.set_shortlist(engine, made, [mine, theirs], staff)
            rounds.move(engine, made, "voting", staff)


def _staff_page(page: str, home: Path) -> AppTest:
    """The page as staff see it, with every button enabled that can be."""
    ws = Workspace(Settings.from_env(home=home))
    at = signed_in(AppTest.from_file(str(APP), default_timeout=180), "staff")
    if page == "themes":  # a theme open, with two of its extracts ticked
        at.session_state["selected_theme"] = ws.list_themes()[0]["id"]
        ticked = {"selection": {"rows": [0, 1], "columns": []}}
        at.session_state[f"themes-pick-{ws.list_themes()[0]['id']}-0"] = ticked
    if page == "explore":  # a search, whose results staff may tick and move
        at.session_state["explore-view"] = "Search"
        at.session_state["explore-query"] = "finding a peer group"
    if page == "ideas":
        at.session_state["ideas-merge-from"] = [ws_ideas(ws)[-1]]
    if page == "my_words":  # the withdrawal confirmed, so its button is enabled
        at.session_state["mywords-withdraw-open"] = True
        at.session_state["mywords-withdraw-confirm"] = True
        at.session_state["mywords-withdraw-name"] = TEST_ACCOUNTS["staff"]
    if page == "sources":
        at.session_state["sources-remove-choice"] = ws.store.list_sources()[0].path
        at.session_state["sources-remove-confirm"] = True
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page.removesuffix('-index')}.py")
        at.run()
    if page == "explore":
        next(c for c in at.checkbox if c.key.startswith("explore-pick-")).check().run()
    if page == "map":  # a point selected, as the browser sends it
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        first = spec["data"][0]["customdata"][0]
        select_points(at, [{"curve_number": 0, "point_index": 0, "customdata": first}])
    uploads = {"sources": "sources-upload", "exports": "exports-codebook-upload"}
    if page in uploads:  # an uploaded file enables the Ingest and Seed buttons
        data = ("note.txt", b"Date: 2026-05-01\nA note.", "text/plain")
        if page == "exports":
            data = ("mine.qdc", b"<CodeBook/>", "application/xml")
        at.file_uploader(key=uploads[page]).set_value(data)
        at.run()
    assert not at.exception, at.exception
    return at


def ws_ideas(ws) -> list[str]:
    from lab_app.year import ideas

    return [row["id"] for row in ideas.list_ideas(ws.store.engine)]


# A participant is refused the staff actions; nobody is refused every action.
CASES = [(page, "nobody") for page in PAGES] + [
    (page, "participant")
    for page, names in PAGES.items()
    if any(ACTIONS[name].role == "staff" for name in names)
]


@pytest.mark.parametrize(("page", "who"), CASES)
def test_every_action_is_refused_on_the_server_and_changes_nothing(
    page, who, guard_home, monkeypatch
):
    monkeypatch.setenv("QLAB_HOME", str(guard_home))
    engine = Workspace(Settings.from_env(home=guard_home)).store.engine
    at = _staff_page(page, guard_home)
    clicked: Counter = Counter()
    for button in at.button:
        action = _action_for(button.key or "")
        if action is None or button.disabled:
            continue  # Streamlit runs no callback of a disabled widget, forged click or not
        if who == "participant" and action.role != "staff":
            continue  # participants may vote, contribute, back, comment and sign out
        button.click()
        clicked[action.name] += 1
    expected = {a for a in PAGES[page] if who == "nobody" or ACTIONS[a].role == "staff"}
    assert expected <= set(clicked), f"{page}: no enabled button for {expected - set(clicked)}"
    try:
        if who == "participant":  # the page was drawn for staff; the account is demoted since
            accounts.set_role(engine, TEST_ACCOUNTS["staff"], "participant", who="test")
        else:  # the session was signed out since the page was drawn
            del at.session_state[SESSION_KEY]
        before = table_rows(engine)
        at.run()
        after = table_rows(engine)
    finally:
        accounts.set_role(engine, TEST_ACCOUNTS["staff"], "staff", who="test")
    assert not at.exception, at.exception
    changed = [t for t in before if before[t] != after[t]]
    assert changed == [], f"{page} as {who}: a refused action changed {changed}"
    # AppTest's session state has no .get
    refused = at.session_state[REFUSALS] if REFUSALS in at.session_state else []  # noqa: SIM401
    assert Counter(refused) == clicked
    message = "Only Lab staff can do that" if who == "participant" else "Sign in to do that"
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
