"""One sign-in, a role per Lab: accounts live in the default Lab, each Lab keeps its roles.

A person's account (name, password, active) is the default Lab's `users` row; their role in
a Lab is their row in that Lab's own `users` table (for the default Lab, the same row). So
every package check that reads a Lab's `users` (core/roles.py) already holds a person to their
role in that Lab, and withdrawing from one Lab removes their role there and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab_app.network.registry import DEFAULT, Deployment, Lab
from lab_app.people import accounts, withdrawal

ROLES = (*accounts.ROLES, accounts.NO_ROLE)


@dataclass(frozen=True)
class Membership:
    lab: Lab
    role: str  # staff | participant


def account(deployment: Deployment, person: str) -> dict | None:
    """The person's active account on the deployment, or None."""
    found = accounts.get_user(deployment.engine, person)
    return found if found is not None and found["active"] else None


def role_in(deployment: Deployment, slug: str, person: str) -> str | None:
    """The person's role in this Lab ("staff" or "participant"), or None: no active account,
    no row in the Lab, a row with no role, or a row staff disabled there."""
    if account(deployment, person) is None:
        return None
    row = accounts.get_user(deployment.workspace(slug).store.engine, person)
    if row is None or not row["active"] or row["role"] not in accounts.ROLES:
        return None
    return row["role"]


def memberships(deployment: Deployment, person: str) -> list[Membership]:
    """Every Lab where the person has a role, the default Lab first."""
    if account(deployment, person) is None:
        return []
    found = []
    for lab in deployment.labs():
        role = role_in(deployment, lab.slug, person)
        if role is not None:
            found.append(Membership(lab, role))
    return found


def grant(deployment: Deployment, slug: str, person: str, role: str, who: str | None) -> Lab:
    """Give an account a role in a Lab (NO_ROLE takes it away); the trail of that Lab says so."""
    if role not in ROLES:
        raise ValueError(f"role must be staff, participant or none, not {role!r}")
    lab = deployment.lab(slug or DEFAULT)
    require_manager(deployment, lab, who)
    if accounts.get_user(deployment.engine, person) is None:
        raise ValueError(f"no account named {person!r}: add it first with `qlab users add`")
    accounts.set_member_role(deployment.workspace(lab.slug).store.engine, person, role, who=who)
    return lab


def add_person(
    deployment: Deployment, slug: str, name: str, role: str, who: str | None, sso: bool = False
) -> str | None:
    """Staff of a Lab add a person to it: a new account on the deployment when there is none
    (with no role in the default Lab, unless that is the Lab), then their role here. Return
    the new account's password; None when the account existed or signs in through SSO."""
    lab = deployment.lab(slug or DEFAULT)
    secret = None
    if accounts.get_user(deployment.engine, name) is None:
        if sso:
            accounts.add_sso_user(deployment.engine, name, role, who=who)
        else:
            secret = accounts.add_user(deployment.engine, name, role, who=who)
        if not lab.is_default:
            accounts.set_member_role(deployment.engine, name, accounts.NO_ROLE, who=who)
    grant(deployment, lab.slug, name, role, who=who)
    return secret


def staff_labs(deployment: Deployment, person: str) -> list[Lab]:
    """The Labs where the person is staff: the ones a cross-Lab search reads."""
    return [m.lab for m in memberships(deployment, person) if m.role == "staff"]


def require_manager(deployment: Deployment, lab: Lab, who: str | None) -> None:
    """Only staff of the Lab itself or of the default Lab give roles in it. A name with no
    account is the command line run by whoever holds the stores (as core/roles.py)."""
    if not who or accounts.get_user(deployment.engine, who) is None:
        return
    if "staff" in (role_in(deployment, DEFAULT, who), role_in(deployment, lab.slug, who)):
        return
    if lab.is_default:
        raise PermissionError(f"{who} is not staff of the default Lab: ask its staff")
    raise PermissionError(f"{who} is staff neither of {lab.name} nor of the default Lab")


def withdraw_everywhere(deployment: Deployment, person: str, who: str) -> dict[str, int]:
    """Withdraw a person from every Lab, the default one (which holds their account) last;
    return extracts removed per Lab slug, for the Labs that held anything of theirs."""
    removed = {}
    for lab in sorted(deployment.labs(), key=lambda lab: lab.is_default):
        try:
            done = withdrawal.withdraw(deployment.workspace(lab.slug), person, who=who)
        except ValueError:  # this Lab holds nothing of theirs
            continue
        removed[lab.slug] = done.extracts
    return removed
