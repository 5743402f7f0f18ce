"""Sign-ins that survive a reload: tokens work while used, end on sign-out, idleness, withdrawal."""

from datetime import timedelta

from sqlalchemy import select, update

from lab_app.core.audit import as_utc, now
from lab_app.core.schema import browser_sessions as table
from lab_app.opinions import participation
from lab_app.people import accounts
from lab_app.people import sessions as browser_sessions
from lab_app.people.withdrawal import withdraw


def test_a_token_names_its_account_until_it_ends(workspace):
    engine = workspace.store.engine
    token = browser_sessions.start(engine, "ana")
    assert browser_sessions.resume(engine, token, idle_minutes=60) == "ana"
    assert browser_sessions.resume(engine, token + "x", idle_minutes=60) is None
    assert browser_sessions.resume(engine, None, idle_minutes=60) is None
    browser_sessions.end(engine, token)
    assert browser_sessions.resume(engine, token, idle_minutes=60) is None


def test_only_a_hash_of_the_token_is_stored(workspace):
    engine = workspace.store.engine
    token = browser_sessions.start(engine, "ana")
    with engine.connect() as conn:
        rows = [tuple(map(str, row)) for row in conn.execute(select(table))]
    assert len(rows) == 1 and not any(token in value for row in rows for value in row)


def test_an_idle_token_stops_working_and_is_deleted(workspace):
    engine = workspace.store.engine
    token = browser_sessions.start(engine, "ana")
    with engine.begin() as conn:
        conn.execute(update(table).values(last_seen=now() - timedelta(minutes=62)))
    assert browser_sessions.resume(engine, token, idle_minutes=60) is None
    with engine.connect() as conn:
        assert conn.execute(select(table)).first() is None


def test_a_token_in_use_still_ends_after_a_working_day(workspace):
    engine = workspace.store.engine
    token = browser_sessions.start(engine, "ana")
    with engine.begin() as conn:
        made = now() - browser_sessions.MAX_AGE - timedelta(minutes=1)
        conn.execute(update(table).values(created_at=made))
    assert browser_sessions.resume(engine, token, idle_minutes=60) is None


def test_signing_in_clears_rows_left_by_browsers_long_closed(workspace):
    engine = workspace.store.engine
    browser_sessions.start(engine, "ana")
    with engine.begin() as conn:
        conn.execute(update(table).values(last_seen=now() - browser_sessions.MAX_AGE * 2))
    browser_sessions.start(engine, "bo")
    with engine.connect() as conn:
        assert list(conn.execute(select(table.c.name)).scalars()) == ["bo"]


def test_use_keeps_a_token_alive(workspace):
    engine = workspace.store.engine
    token = browser_sessions.start(engine, "ana")
    with engine.begin() as conn:
        conn.execute(update(table).values(last_seen=now() - timedelta(minutes=50)))
    assert browser_sessions.resume(engine, token, idle_minutes=60) == "ana"  # touched now
    with engine.connect() as conn:
        seen = conn.execute(select(table.c.last_seen)).scalar_one()
    assert as_utc(seen) > now() - timedelta(minutes=1)


def test_withdrawing_a_participant_ends_their_browser_sessions(demo_workspace):
    ws = demo_workspace
    engine = ws.store.engine
    accounts.add_user(engine, "hazel", "participant")
    participation.vote(engine, "hazel", "e1", 1)
    token = browser_sessions.start(engine, "hazel")
    other = browser_sessions.start(engine, "staff-one")
    withdraw(ws, "hazel", who="staff-one", rebuild_themes=False)
    assert browser_sessions.resume(engine, token, idle_minutes=60) is None
    assert browser_sessions.resume(engine, other, idle_minutes=60) == "staff-one"


def test_disabling_an_account_or_giving_it_a_new_password_signs_out_its_browsers(workspace):
    engine = workspace.store.engine
    accounts.add_user(engine, "ana", "staff")
    accounts.add_user(engine, "bo", "participant")
    for change in (
        lambda: accounts.set_active(engine, "ana", False, who="bo"),
        lambda: accounts.set_password(engine, "ana", who="bo"),
    ):
        token = browser_sessions.start(engine, "ana")
        other = browser_sessions.start(engine, "bo")
        change()
        assert browser_sessions.resume(engine, token, idle_minutes=60) is None
        assert browser_sessions.resume(engine, other, idle_minutes=60) == "bo"
