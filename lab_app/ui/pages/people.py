"""People (staff): accounts and roles, consent per person or source, and withdrawal."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lab_app.core.audit import current_user
from lab_app.material import consent
from lab_app.network import members
from lab_app.network.registry import DEFAULT
from lab_app.people import accounts, withdrawal
from lab_app.ui import guard
from lab_app.ui.auth import require_role
from lab_app.ui.components import safe_markdown, show_error
from lab_app.ui.resources import current_lab, deployment, workspace

user = require_role("staff")
st.title("People")
ws = workspace()
engine = ws.store.engine

if done := st.session_state.pop("people-done", None):
    st.success(safe_markdown(done))
if error := st.session_state.pop("people-error", None):
    show_error(ValueError(error))


def _outcome(change) -> None:
    """Run a change; its line (or its error) shows once on the next run."""
    try:
        st.session_state["people-done"] = change()
    except ValueError as err:
        st.session_state["people-error"] = str(err)


@guard.action("people.add", "staff", "people-add-submit")
def add_account() -> None:
    state = st.session_state
    name, role = (state.get("people-add-name") or "").strip(), state.get("people-add-role")

    def change() -> str:
        if current_lab() != DEFAULT:  # accounts are the deployment's; the role is this Lab's
            secret = members.add_person(
                deployment(), current_lab(), name, role, current_user(), state.get("people-add-sso")
            )
            if secret:
                state["people-new-password"] = (name, secret)
            return f"{name} is {role} in this Lab."
        if state.get("people-add-sso"):
            accounts.add_sso_user(engine, name, role, who=current_user())
        else:
            secret = accounts.add_user(engine, name, role, who=current_user())
            state["people-new-password"] = (name, secret)
        return f"Added {name} as {role}."

    _outcome(change)


@guard.action("people.toggle", "staff", "people-toggle")
def toggle(name: str, active: bool) -> None:
    if name == current_user():
        st.session_state["people-error"] = "You cannot disable the account you are signed in with."
        return
    accounts.set_active(engine, name, not active, who=current_user())
    st.session_state["people-done"] = f"{'Disabled' if active else 'Enabled'} {name}."


@guard.action("people.password", "staff", "people-password")
def new_password(name: str) -> None:
    secret = accounts.set_password(engine, name, who=current_user())
    st.session_state["people-new-password"] = (name, secret)


@guard.action("people.consent", "staff", "consent-save")
def save_consent(kind: str, subject: str) -> None:
    state = st.session_state
    show = state.get(f"consent-show-{kind}-{subject}")
    quote = state.get(f"consent-quote-{kind}-{subject}")

    def change() -> str:
        consent.set_consent(
            engine, kind, subject, who=current_user(),
            show_to_participants=show, quote_in_publications=quote,
        )  # fmt: skip
        return f"Consent saved for {subject}."

    _outcome(change)


@guard.action("people.withdraw", "staff", "withdraw-submit")
def withdraw() -> None:
    if not st.session_state.get("withdraw-confirm"):
        st.session_state["people-error"] = "Tick the box to confirm first."
        return
    person = st.session_state.get("withdraw-person", "")

    def change() -> str:
        with st.spinner("Removing their words and rebuilding themes…"):
            done = withdrawal.withdraw(ws, person, who=current_user())
        rounds = done.round_proposals + done.round_comments + done.round_ballots
        return (
            f"Withdrawn: {done.extracts} extracts, {done.pending_contributions} waiting "
            f"contributions, {done.votes} votes removed; {len(done.themes)} themes rebuilt; "
            f"{len(done.essays_flagged)} essay drafts flagged."
        ) + (
            f" Q Exchange: {done.round_proposals} proposals, {done.round_comments} comments "
            f"and {done.round_ballots} ballots removed."
            if rounds
            else ""
        )

    _outcome(change)


accounts_tab, consent_tab, withdraw_tab = st.tabs(["Accounts", "Consent", "Withdraw"])

with accounts_tab:
    rows = accounts.list_users(engine)
    table = pd.DataFrame(
        [
            {
                "name": row["name"],
                "role": row["role"],
                "active": row["active"],
                "sign-in": "identity provider" if row["sso_only"] else "password",
                "last sign-in": (
                    row["last_sign_in"].strftime("%Y-%m-%d %H:%M") if row["last_sign_in"] else ""
                ),
            }
            for row in rows
        ],
        columns=["name", "role", "active", "sign-in", "last sign-in"],
    )
    st.dataframe(table, hide_index=True, width="stretch")
    if password := st.session_state.pop("people-new-password", None):
        name, secret = password
        st.info(
            f"Password for {safe_markdown(name)}: `{secret}` — shown once; give it to them "
            "privately."
        )
    with st.form("people-add"):
        st.markdown("**Add an account**")
        st.text_input(
            "Name (an e-mail address for identity-provider sign-in)", key="people-add-name"
        )
        # A new account is a participant unless staff choose otherwise: the safer mistake.
        roles = list(accounts.ROLES)
        st.selectbox("Role", roles, index=roles.index("participant"), key="people-add-role")
        st.checkbox("Signs in through the identity provider (no password)", key="people-add-sso")
        st.form_submit_button("Add", key="people-add-submit", on_click=add_account)
    names = [row["name"] for row in rows]
    if names:
        left, middle, right = st.columns([3, 2, 2])
        chosen = left.selectbox("Account", names, key="people-account")
        account = next(row for row in rows if row["name"] == chosen)
        is_me = chosen == user["name"]
        label = "Enable" if not account["active"] else "Disable"
        middle.button(
            label, key="people-toggle", disabled=is_me, width="stretch",
            on_click=toggle, args=(chosen, account["active"]),
        )  # fmt: skip
        # In a Lab other than the default, rows hold roles; passwords are the deployment's.
        right.button(
            "New password", key="people-password",
            disabled=account["sso_only"] or current_lab() != DEFAULT,
            width="stretch", on_click=new_password, args=(chosen,),
        )  # fmt: skip
        if is_me:
            st.caption("You cannot disable the account you are signed in with.")

with consent_tab:
    st.write(
        "What each person, or a whole source, agreed to. Participants see only extracts that may "
        "be shown; publications quote only extracts that may be quoted. A person's choice "
        "overrides their source's; a survey answer of No to quoting always stands."
    )
    kind = st.radio("For", ["person", "source"], key="consent-kind", horizontal=True)
    if kind == "person":
        choices = [row["person"] for row in consent.people_with_extracts(engine)]
    else:
        choices = [row.path for row in ws.store.list_sources()]
    if not choices:
        st.info("Nobody to set consent for yet.")
    else:
        subject = st.selectbox(kind.capitalize(), choices, key="consent-subject")
        current = consent.consent_of(engine, kind, subject)
        with st.form("consent-form"):
            st.checkbox(
                "May be shown to participants",
                value=current["show_to_participants"],
                key=f"consent-show-{kind}-{subject}",
            )
            st.checkbox(
                "May be quoted in publications",
                value=current["quote_in_publications"],
                key=f"consent-quote-{kind}-{subject}",
            )
            st.form_submit_button(
                "Save consent", key="consent-save", on_click=save_consent, args=(kind, subject)
            )
    recorded = consent.recorded(engine)
    if recorded:
        st.markdown("**Recorded consent**")
        st.dataframe(
            pd.DataFrame(recorded)[
                [
                    "subject_type",
                    "subject_id",
                    "show_to_participants",
                    "quote_in_publications",
                    "updated_by",
                    "updated_at",
                ]
            ],  # fmt: skip
            hide_index=True,
            width="stretch",
        )

with withdraw_tab:
    st.write(
        "Withdrawing a person removes their extracts, contributions (waiting ones too), votes "
        "and idea backing and comments from the store and the search index, rebuilds the "
        "themes they were in, removes quotations of them from essay drafts and flags those "
        "drafts. A later ingest of their files leaves them out. This cannot be undone."
    )
    with st.form("withdraw-form"):
        st.text_input(
            "Person (as in the person column of the extracts export, or a participant's name)",
            key="withdraw-person",
        )
        st.checkbox("I understand this cannot be undone", key="withdraw-confirm")
        st.form_submit_button("Withdraw", key="withdraw-submit", type="primary", on_click=withdraw)
