"""Accounts: staff and participants, passwords hashed with argon2, sign-in recorded in the audit."""

from __future__ import annotations

import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update

from lab_app.core.audit import now, record_audit
from lab_app.core.schema import browser_sessions as browser_session_table
from lab_app.core.schema import users
from lab_app.people import names
from lab_app.people import sessions as browser_sessions

NO_ROLE_MESSAGE = "This account has no role in any Lab: ask Lab staff."
ROLES = ("staff", "participant")
MIN_PASSWORD_CHARS = 10
MAX_NAME_CHARS = 255
# An account that signs in only through the organisation's identity provider has no password.
NO_PASSWORD = "!sso-only"
DEMO_ACCOUNTS_FILE = "demo-accounts.txt"  # in the workspace home, never in the repository
DEMO_ACCOUNTS = (("demo-staff", "staff"), ("demo-participant", "participant"))

# A person's row in a Lab of a deployment of several Labs (docs/labs.md): NO_ROLE means no role
# there; MEMBER_ONLY marks a row that only holds their role (they sign in with the account the
# default Lab keeps, so this row has no password anyone could match).
NO_ROLE = "none"
MEMBER_ONLY = "!lab-member"

_hasher = PasswordHasher()
# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def new_password() -> str:
    """A random password of 16 URL-safe characters."""
    return secrets.token_urlsafe(12)


def add_user(
    engine, name: str, role: str, password: str | None = None, who: str | None = None
) -> str:
    """Create an account; return its password (a random one when none is given)."""
    name = _clean_name(name)
    _check_role(role)
    _refuse_look_alike(engine, name)
    password = new_password() if password is None else password
    with engine.begin() as conn:
        conn.execute(
            insert(users).values(
                name=name,
                role=role,
                password_hash=_hash(password),
                active=True,
                created_at=now(),
            )
        )
        record_audit(conn, "account.add", name, {"role": role}, who=who)
    return password


def add_sso_user(engine, email: str, role: str, who: str | None = None) -> None:
    """An account for someone who signs in through the identity provider (no password)."""
    email = _clean_name(email)
    _check_role(role)
    _refuse_look_alike(engine, email)
    with engine.begin() as conn:
        conn.execute(
            insert(users).values(
                name=email, role=role, password_hash=NO_PASSWORD, active=True, created_at=now()
            )
        )
        record_audit(conn, "account.add", email, {"role": role, "sign_in": "sso"}, who=who)


def get_user(engine, name: str) -> dict | None:
    """The account (without its password hash), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == (name or "").strip())).first()
    return _public(row) if row else None


def list_users(engine) -> list[dict]:
    with engine.connect() as conn:
        return [_public(row) for row in conn.execute(select(users).order_by(users.c.name))]


def set_active(engine, name: str, active: bool, who: str | None = None) -> None:
    """Disable an account (it can no longer sign in) or enable it again."""
    _require(engine, name)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.name == name).values(active=bool(active)))
        if not active:
            browser_sessions.end_all(conn, name)  # signed out everywhere at once
        record_audit(conn, "account.enable" if active else "account.disable", name, {}, who=who)


def set_role(engine, name: str, role: str, who: str | None = None) -> None:
    _check_role(role)
    _require(engine, name)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.name == name).values(role=role))
        record_audit(conn, "account.role", name, {"role": role}, who=who)


def set_member_role(engine, name: str, role: str, who: str | None = None) -> None:
    """Set a person's role in this Lab (staff, participant or NO_ROLE): on their account row
    when this store has one, else on a new member row without a password."""
    name = _clean_name(name)
    if role != NO_ROLE:
        _check_role(role)
    with engine.begin() as conn:
        found = conn.execute(select(users.c.name).where(users.c.name == name)).first()
        if found is None:
            conn.execute(
                insert(users).values(
                    name=name, role=role, password_hash=MEMBER_ONLY, active=True, created_at=now()
                )
            )
        else:
            conn.execute(update(users).where(users.c.name == name).values(role=role))
        record_audit(conn, "account.role", name, {"role": role}, who=who)


def set_password(engine, name: str, password: str | None = None, who: str | None = None) -> str:
    """Give an account a new password (random when none is given); return it."""
    _require(engine, name)
    password = new_password() if password is None else password
    with engine.begin() as conn:
        conn.execute(
            update(users).where(users.c.name == name).values(password_hash=_hash(password))
        )
        # A new password is often a response to a leaked one: every browser signs in afresh.
        browser_sessions.end_all(conn, name)
        record_audit(conn, "account.password", name, {}, who=who)
    return password


class NoRoleError(ValueError):
    """The name and password are right, but the account has no role in any Lab."""


def authenticate(engine, name: str, password: str, may_enter=None) -> dict | None:
    """The account when the name and password match an active account, else None.

    Every attempt is in the audit trail; a failed one names the account only if it exists,
    so a password typed into the name box is never recorded. `may_enter(account)` says whether
    the account has a role anywhere: if not, the trail says the sign-in was refused (not that
    it succeeded) and NoRoleError is raised.
    """
    name = (name or "").strip()
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password or "")
        valid = row is not None and row.active
    except (VerificationError, InvalidHashError):
        valid = False
    refused = valid and may_enter is not None and not may_enter(_public(row))
    with engine.begin() as conn:
        if not valid:
            target = name if row is not None else None
            record_audit(conn, "sign_in.failed", target, {"method": "password"}, who="(unknown)")
            return None
        rehash = not refused and _hasher.check_needs_rehash(row.password_hash)
        _record_entry(
            conn, name, "password", refused, {"password_hash": _hash(password)} if rehash else {}
        )
    if refused:  # raised once the refusal is written (inside, it would be rolled back)
        raise NoRoleError(NO_ROLE_MESSAGE)
    return _public(row)


def sso_account(engine, email: str, may_enter=None) -> dict | None:
    """The active account for an identity-provider sign-in (by e-mail), recorded; or None.
    `may_enter` as for authenticate: NoRoleError when the account has no role anywhere."""
    user = get_user(engine, email)
    known = user is not None and user["active"]
    refused = known and may_enter is not None and not may_enter(user)
    with engine.begin() as conn:
        if not known:
            record_audit(conn, "sign_in.failed", None, {"method": "sso"}, who="(unknown)")
            return None
        _record_entry(conn, user["name"], "sso", refused)
    if refused:
        raise NoRoleError(NO_ROLE_MESSAGE)
    return user


def _record_entry(conn, name: str, method: str, refused: bool, values: dict | None = None):
    """A right password or identity: the refusal (no role anywhere), or the sign-in with its
    time (and any other column `values` set) on the account."""
    if refused:
        details = {"method": method, "reason": "no role in any Lab"}
        record_audit(conn, "sign_in.refused", name, details, who=name)
        return
    changes = {"last_sign_in": now(), **(values or {})}
    conn.execute(update(users).where(users.c.name == name).values(**changes))
    record_audit(conn, "sign_in", name, {"method": method}, who=name)


def record_sign_out(engine, name: str) -> None:
    with engine.begin() as conn:
        record_audit(conn, "sign_out", name, {}, who=name)


def ensure_demo_accounts(engine, home: Path) -> Path | None:
    """Create the demo staff and participant accounts once, with random passwords written to
    a file in the workspace home; return that file when it was written now, else None."""
    if any(get_user(engine, name) for name, _ in DEMO_ACCOUNTS):
        return None
    lines = ["# Demo accounts for this workspace (random passwords; not in the repository)"]
    for name, role in DEMO_ACCOUNTS:
        lines.append(f"{role:12} name: {name:18} password: {add_user(engine, name, role)}")
    path = Path(home) / DEMO_ACCOUNTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)  # the passwords are for this machine's user only
    return path


def _hash(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password is shorter than {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValueError("the account needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"the account name is over {MAX_NAME_CHARS} characters")
    if any(not char.isprintable() for char in name):
        raise ValueError("the account name holds control characters: use letters and digits")
    return name


def _refuse_look_alike(engine, name: str) -> None:
    """No second account whose name is the same, or looks the same (case, Unicode look-alikes):
    a participant named "Demo-Staff" or "dеmo-staff" (Cyrillic е) could pass for staff."""
    with engine.connect() as conn:
        existing = list(conn.execute(select(users.c.name)).scalars())
    other = names.look_alike(name, existing)
    if other == name:
        raise ValueError(f"an account named {name!r} exists: choose another name")
    if other is not None:
        raise ValueError(
            f"the name {name!r} looks like the existing account {other!r}: choose a name "
            "that reads differently"
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be staff or participant, not {role!r}")


def _require(engine, name: str) -> None:
    if get_user(engine, name) is None:
        raise ValueError(f"no account named {name!r}: see `qlab users list`")


def _public(row) -> dict:
    data = dict(row._mapping)
    data["sso_only"] = data.pop("password_hash") == NO_PASSWORD
    return data


# --- withdrawal ------------------------------------------------------------------------------

FORGETS = (users.c.name, browser_session_table.c.name)


def forget(conn, gone) -> dict:
    """Their account goes, and with it every browser signed in as them."""
    conn.execute(delete(users).where(users.c.name == gone.person))
    browser_sessions.end_all(conn, gone.person)
    return {}
