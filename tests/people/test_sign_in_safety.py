"""Sign-in safety in the people package: throttling kept in the store per name and per address,
look-alike account names refused, one-time codes for the cookie, participants by default."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lab_app.cli.qlab import main
from lab_app.core import audit as audit_log
from lab_app.core.audit import now
from lab_app.core.forgetting import Gone
from lab_app.core.schema import session_handoffs, sign_in_failures
from lab_app.people import accounts, throttle
from lab_app.people import sessions as browser_sessions
from lab_app.people.names import look_key

PASSWORD = "a-long-enough-password"


@pytest.fixture
def engine(workspace):
    engine = workspace.store.engine
    accounts.add_user(engine, "ana", "participant", password=PASSWORD)
    return engine


def _checked(engine) -> int:
    """How many passwords were checked and failed (each failed check is an audit line)."""
    return len(audit_log.read(engine, action="sign_in.failed", limit=5000))


def test_two_hundred_wrong_passwords_from_fresh_sessions_meet_a_pause(engine):
    # Each attempt is what a new browser session sends: nothing is carried between them.
    attempts = [throttle.sign_in(engine, "ana", f"guess-{n}", "203.0.113.9") for n in range(200)]
    free = throttle.FREE_FAILURES["name"]
    assert _checked(engine) == free  # only the first five passwords were even checked
    assert all(a.account is None and a.wait_seconds == 0 for a in attempts[: free - 1])
    paused = attempts[free - 1 :]
    assert all(a.scope == "name" and 0 < a.wait_seconds <= 30 for a in paused)
    assert "Too many failed sign-ins for this account name: wait" in paused[-1].message()
    # The right password waits too: the pause is not a hint that a guess was right.
    assert throttle.sign_in(engine, "ana", PASSWORD, "198.51.100.7").account is None


def test_pauses_grow_and_a_success_clears_the_name(engine, time_machine):
    time_machine.move_to(now(), tick=False)  # still inside the Lab's year; waits exact
    for n in range(throttle.FREE_FAILURES["name"]):
        throttle.sign_in(engine, "ana", f"guess-{n}", None)
    waits = []
    for _ in range(3):  # after each pause, one more failure: the next pause doubles
        time_machine.shift(timedelta(minutes=20))
        waits.append(throttle.sign_in(engine, "ana", "wrong again", None).wait_seconds)
    assert waits == [60, 120, 240]
    time_machine.shift(timedelta(minutes=20))
    assert throttle.sign_in(engine, "ana", PASSWORD, None).account["name"] == "ana"
    with engine.connect() as conn:
        scopes = set(conn.execute(select(sign_in_failures.c.scope)).scalars())
    assert scopes == {"address"}  # the name starts afresh; the address's count stays


def test_the_longest_pause_is_a_quarter_of_an_hour():
    assert throttle.pause_for(4, "name") == timedelta(0)
    assert throttle.pause_for(5, "name") == timedelta(seconds=30)
    assert throttle.pause_for(40, "name") == throttle.LONGEST_PAUSE == timedelta(minutes=15)


def test_one_address_trying_many_names_is_paused_for_every_name(engine):
    accounts.add_user(engine, "bo", "participant", password=PASSWORD)
    for n in range(throttle.FREE_FAILURES["address"]):
        throttle.sign_in(engine, f"someone-{n}", "guess", "203.0.113.9")
    refused = throttle.sign_in(engine, "bo", PASSWORD, "203.0.113.9")
    assert refused.account is None and refused.scope == "address"
    assert "from this address" not in refused.message()  # says "for this address"
    assert "for this address" in refused.message()
    assert throttle.sign_in(engine, "bo", PASSWORD, "198.51.100.7").account["name"] == "bo"


def test_look_alike_names_share_one_count(engine):
    for name in ("ANA", "Ana", "аna", "ana\u200b", "ＡＮＡ"):  # Cyrillic а, zero width, full width
        throttle.sign_in(engine, name, "guess", None)
    assert throttle.sign_in(engine, "ana", PASSWORD, None).scope == "name"


def test_withdrawal_forgets_the_name_count(engine):
    throttle.sign_in(engine, "Ana", "guess", "203.0.113.9")
    gone = Gone.of("ana", "withdrawn-x", [], [], by="staff")
    with engine.begin() as conn:
        throttle.forget(conn, gone)
    with engine.connect() as conn:
        left = list(conn.execute(select(sign_in_failures.c.scope, sign_in_failures.c.subject)))
    assert left == [("address", "203.0.113.9")]


@pytest.mark.parametrize(
    "look_alike",
    ["Demo-Staff", "DEMO-STAFF", "dеmo-staff", "demο-staff", "ｄｅｍｏ-staff", "demo‐staff"],
)
def test_an_account_name_that_looks_like_another_is_refused(workspace, look_alike):
    engine = workspace.store.engine
    accounts.add_user(engine, "demo-staff", "staff")
    with pytest.raises(ValueError, match="looks like the existing account 'demo-staff'"):
        accounts.add_user(engine, look_alike, "participant")
    with pytest.raises(ValueError, match="looks like"):
        accounts.add_sso_user(engine, look_alike, "participant")


def test_names_that_read_differently_are_kept_apart(workspace):
    engine = workspace.store.engine
    for name in ("zoe", "zoë", "anna", "ana", "ana@example.org"):
        accounts.add_user(engine, name, "participant")
    assert look_key("Zoë") != look_key("Zoe") and look_key("ANNA") == look_key("anna")


def test_a_one_time_code_gives_the_token_once_and_the_store_keeps_neither(workspace):
    engine = workspace.store.engine
    token = browser_sessions.start(engine, "ana")
    code = browser_sessions.hand_off(engine, token)
    with engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(select(session_handoffs)) for v in row)
    assert token not in stored and code not in stored
    assert browser_sessions.redeem(engine, code) == token
    assert browser_sessions.redeem(engine, code) is None  # spent
    assert browser_sessions.redeem(engine, code + "x") is None


def test_a_code_not_redeemed_within_a_minute_is_useless(workspace, time_machine):
    engine = workspace.store.engine
    code = browser_sessions.hand_off(engine, browser_sessions.start(engine, "ana"))
    time_machine.move_to(now() + browser_sessions.HANDOFF_AGE + timedelta(seconds=1))
    assert browser_sessions.redeem(engine, code) is None


def test_qlab_users_add_makes_a_participant_unless_told(tmp_path, capsys):
    home = str(tmp_path / "cli")
    assert main(["--home", home, "users", "add", "hal"]) == 0
    assert "added participant hal" in capsys.readouterr().out
    assert main(["--home", home, "users", "add", "HAL", "--role", "staff"]) == 1
    assert "looks like the existing account 'hal'" in capsys.readouterr().err
