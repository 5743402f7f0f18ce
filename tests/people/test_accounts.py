"""Accounts, sign-in, consent settings and the audit trail, through the library and `qlab`."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from lab_app.cli.qlab import main
from lab_app.core import audit as audit_log
from lab_app.core.schema import users
from lab_app.material import consent
from lab_app.people import accounts


def _engine(workspace):
    return workspace.store.engine


def test_passwords_are_stored_as_argon2_hashes_and_checked(workspace):
    engine = _engine(workspace)
    password = accounts.add_user(engine, "ana", "staff")
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar()
    assert stored.startswith("$argon2") and password not in stored
    assert accounts.authenticate(engine, "ana", password)["role"] == "staff"
    assert accounts.authenticate(engine, "ana", password + "x") is None
    assert accounts.authenticate(engine, "nobody", password) is None


def test_a_disabled_account_cannot_sign_in_and_enabling_restores_it(workspace):
    engine = _engine(workspace)
    password = accounts.add_user(engine, "ben", "participant")
    accounts.set_active(engine, "ben", False, who="ana")
    assert accounts.authenticate(engine, "ben", password) is None
    accounts.set_active(engine, "ben", True, who="ana")
    assert accounts.authenticate(engine, "ben", password)["name"] == "ben"


def test_sign_ins_are_audited_without_passwords_or_names_typed_by_mistake(workspace):
    engine = _engine(workspace)
    password = accounts.add_user(engine, "cai", "staff")
    accounts.authenticate(engine, "cai", password)
    accounts.authenticate(engine, "cai", "wrong-password-1")
    accounts.authenticate(engine, "my secret password", "x")  # a password typed as the name
    rows = audit_log.read(engine, action="sign_in")
    assert [r["action"] for r in rows] == ["sign_in.failed", "sign_in.failed", "sign_in"]
    assert rows[0]["target"] is None and rows[1]["target"] == "cai"
    trail = json.dumps(audit_log.as_json_rows(audit_log.read(engine)))
    assert password not in trail and "my secret password" not in trail


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("", "staff", None, "needs a name"),
        ("dee", "admin", None, "role must be"),
        ("dee", "staff", "short", "shorter than"),
        ("bad\x00name", "staff", None, "control characters"),
    ],
)
def test_bad_accounts_are_refused_with_one_clear_line(workspace, name, role, password, message):
    with pytest.raises(ValueError, match=message):
        accounts.add_user(_engine(workspace), name, role, password)


def test_a_second_account_with_the_same_name_is_refused(workspace):
    accounts.add_user(_engine(workspace), "eve", "staff")
    with pytest.raises(ValueError, match="exists"):
        accounts.add_user(_engine(workspace), "eve", "participant")


def test_identity_provider_accounts_have_no_password_to_guess(workspace):
    engine = _engine(workspace)
    accounts.add_sso_user(engine, "fay@example.org", "participant")
    assert accounts.authenticate(engine, "fay@example.org", accounts.NO_PASSWORD) is None
    assert accounts.sso_account(engine, "fay@example.org")["role"] == "participant"
    assert accounts.sso_account(engine, "stranger@example.org") is None


def test_demo_accounts_are_made_once_with_passwords_in_a_private_file(workspace):
    engine, home = _engine(workspace), workspace.settings.home
    written = accounts.ensure_demo_accounts(engine, home)
    assert written.parent == home and oct(written.stat().st_mode)[-3:] == "600"
    assert accounts.ensure_demo_accounts(engine, home) is None  # idempotent
    for line in written.read_text().splitlines()[1:]:
        name, password = line.split("name:")[1].split("password:")
        assert accounts.authenticate(engine, name.strip(), password.strip())


def test_qlab_users_add_list_disable(tmp_path, capsys):
    home = str(tmp_path / "cli")
    assert main(["--home", home, "users", "add", "gil", "--role", "staff"]) == 0
    password = capsys.readouterr().out.split("password: ")[1].split()[0]
    assert main(["--home", home, "users", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["name"], u["role"], u["active"]) for u in listed] == [("gil", "staff", True)]
    assert "password_hash" not in listed[0]
    assert main(["--home", home, "users", "disable", "gil"]) == 0
    assert main(["--home", home, "users", "add", "gil", "--role", "staff"]) == 1  # exists
    from lab_app.core.settings import Settings
    from lab_app.workspace import Workspace

    engine = Workspace(Settings.from_env(home=home)).store.engine
    assert accounts.authenticate(engine, "gil", password) is None


def test_qlab_people_consent_sets_and_shows_per_person_and_source(tmp_path, capsys):
    home = str(tmp_path / "cli")
    assert main(["--home", home, "people", "consent", "p-1", "--show", "no"]) == 0
    assert "not shown, quotable" in capsys.readouterr().out
    assert main(["--home", home, "people", "consent", "p-1", "--quote", "no"]) == 0
    assert "not shown, not quotable" in capsys.readouterr().out
    args = ["--home", home, "people", "consent", "survey/a.csv", "--source", "--quote", "no"]
    assert main(args) == 0
    assert main(["--home", home, "people", "consent", "p-1", "--show", "maybe"]) == 1
    assert "not yes or no" in capsys.readouterr().err


def test_qlab_audit_json_lists_who_did_what(tmp_path, capsys):
    home = str(tmp_path / "cli")
    main(["--home", home, "users", "add", "hal", "--role", "participant"])
    main(["--home", home, "people", "consent", "p-2", "--show", "no"])
    capsys.readouterr()
    assert main(["--home", home, "audit", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["action"] for r in rows] == ["consent.set", "account.add"]
    assert rows[1]["target"] == "hal" and rows[1]["who"]


def test_two_sessions_changing_consent_at_once_both_keep_their_change(workspace):
    """Lost update: each session sets a different field of the same person at the same time."""
    engine = _engine(workspace)
    rounds, failures = 150, []  # the old read-then-write lost ~5 of 150 here
    barrier = threading.Barrier(2)

    def session(field: str) -> None:
        for i in range(rounds):
            barrier.wait()
            consent.set_consent(engine, "person", "p-3", who=field, **{field: i % 2 == 0})
            barrier.wait()
            if threading.current_thread().name == "show":
                now = consent.consent_of(engine, "person", "p-3")
                expected = {f: i % 2 == 0 for f in consent.FIELDS}
                if now != expected:
                    failures.append((i, now))

    threads = [
        threading.Thread(target=session, args=("show_to_participants",), name="show"),
        threading.Thread(target=session, args=("quote_in_publications",), name="quote"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_attribute_groups_of_fewer_than_five_people_are_suppressed(workspace, tmp_path):
    """Counted in people, not extracts: 3 Londoners answering twice are 6 extracts, 3 people."""
    from lab_app.themes.views import attribute_matrix

    survey = tmp_path / "regions.csv"
    regions = ["Wales"] * 14 + ["London"] * 3 + ["Orkney"]
    lines = ["respondent_id,region,What helps you find a group?,What gets in the way?"]
    lines += [
        f"r{n},{region},A friendly group near home number {n},Buses that stop early {n}"
        for n, region in enumerate(regions)
    ]
    survey.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [o.status for o in workspace.ingest([survey])] == ["ingested"]
    engine = workspace.store.engine
    assert consent.shown_values(engine, "region") == ["Wales"]
    people = consent.people_per_value(engine, ["region"])
    assert people[("region", "London")] == 3
    counts = {"Wales": 28, "London": 6, "Orkney": 2}
    assert consent.suppress_small_counts(counts, {"Wales": 14, "London": 3, "Orkney": 1}) == {
        "Wales": 28, "London": None, "Orkney": None,
    }  # fmt: skip
    workspace.build_themes(k=2)
    matrix = attribute_matrix(engine, "region")
    assert matrix["themes"], "the themes hold answers with a region"
    safe = consent.suppress_matrix(engine, matrix)
    column = {v: i for i, v in enumerate(safe["values"])}
    assert safe["overall"]["counts"][column["London"]] is None
    assert (
        safe["overall"]["counts"][column["Wales"]] == matrix["overall"]["counts"][column["Wales"]]
    )
    for row in safe["themes"]:
        assert row["counts"][column["London"]] is None and row["share"][column["Orkney"]] is None


def test_an_account_with_no_role_is_refused_and_recorded_as_refused(workspace):
    """The right password or identity, but no role anywhere: the trail says refused, never
    that the person signed in, and nothing marks a sign-in on the account."""
    from lab_app.core import audit as audit_log

    engine = _engine(workspace)
    accounts.add_user(engine, "gil", "participant", password="a-long-password")
    accounts.add_sso_user(engine, "hal@example.org", "participant")
    nowhere = lambda account: False  # noqa: E731
    with pytest.raises(accounts.NoRoleError, match="no role in any Lab"):
        accounts.authenticate(engine, "gil", "a-long-password", may_enter=nowhere)
    with pytest.raises(accounts.NoRoleError):
        accounts.sso_account(engine, "hal@example.org", may_enter=nowhere)
    trail = audit_log.read(engine, action="sign_in")
    assert [(r["action"], r["target"]) for r in trail[:2]] == [
        ("sign_in.refused", "hal@example.org"),
        ("sign_in.refused", "gil"),
    ]
    assert accounts.get_user(engine, "gil")["last_sign_in"] is None
    assert accounts.authenticate(engine, "gil", "a-long-password", may_enter=lambda a: True)
