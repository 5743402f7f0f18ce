"""People (staff): accounts and roles, consent per person or source, and withdrawal."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lab_app.material import consent
from lab_app.people import accounts, withdrawal
from lab_app.ui.auth import require_role
from lab_app.ui.components import safe_markdown, show_error
from lab_app.ui.resources import workspace

user = require_role("staff")
st.title("People")
ws = workspace()
engine = ws.store.engine

if done := st.session_state.pop("people-done", None):
    st.success(done)
if error := st.session_state.pop("people-error", None):
    show_error(ValueError(error))

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
        name = st.text_input(
            "Name (an e-mail address for identity-provider sign-in)", key="people-add-name"
        )
        role = st.selectbox("Role", accounts.ROLES, key="people-add-role")
        sso = st.checkbox(
            "Signs in through the identity provider (no password)", key="people-add-sso"
        )
        if st.form_submit_button("Add", key="people-add-submit"):
            try:
                if sso:
                    accounts.add_sso_user(engine, name, role, who=user["name"])
                else:
                    secret = accounts.add_user(engine, name, role, who=user["name"])
                    st.session_state["people-new-password"] = (name.strip(), secret)
                st.session_state["people-done"] = f"Added {name.strip()} as {role}."
            except ValueError as err:
                st.session_state["people-error"] = str(err)
            st.rerun()
    names = [row["name"] for row in rows]
    if names:
        left, middle, right = st.columns([3, 2, 2])
        chosen = left.selectbox("Account", names, key="people-account")
        account = next(row for row in rows if row["name"] == chosen)
        is_me = chosen == user["name"]
        label = "Enable" if not account["active"] else "Disable"
        if middle.button(label, key="people-toggle", disabled=is_me, width="stretch"):
            accounts.set_active(engine, chosen, not account["active"], who=user["name"])
            st.session_state["people-done"] = f"{label}d {chosen}."
            st.rerun()
        if right.button(
            "New password",
            key="people-password",
            disabled=account["sso_only"],
            width="stretch",
        ):
            secret = accounts.set_password(engine, chosen, who=user["name"])
            st.session_state["people-new-password"] = (chosen, secret)
            st.rerun()
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
            show = st.checkbox(
                "May be shown to participants",
                value=current["show_to_participants"],
                key=f"consent-show-{kind}-{subject}",
            )
            quote = st.checkbox(
                "May be quoted in publications",
                value=current["quote_in_publications"],
                key=f"consent-quote-{kind}-{subject}",
            )
            if st.form_submit_button("Save consent", key="consent-save"):
                try:
                    consent.set_consent(
                        engine,
                        kind,
                        subject,
                        who=user["name"],
                        show_to_participants=show,
                        quote_in_publications=quote,
                    )
                    st.session_state["people-done"] = f"Consent saved for {subject}."
                except ValueError as err:
                    st.session_state["people-error"] = str(err)
                st.rerun()
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
        person = st.text_input(
            "Person (as in the person column of the extracts export, or a participant's name)",
            key="withdraw-person",
        )
        sure = st.checkbox("I understand this cannot be undone", key="withdraw-confirm")
        if st.form_submit_button("Withdraw", key="withdraw-submit", type="primary"):
            if not sure:
                st.session_state["people-error"] = "Tick the box to confirm first."
            else:
                try:
                    with st.spinner("Removing their words and rebuilding themes…"):
                        done = withdrawal.withdraw(ws, person, who=user["name"])
                except ValueError as err:
                    st.session_state["people-error"] = str(err)
                else:
                    flagged = len(done.essays_flagged)
                    st.session_state["people-done"] = (
                        f"Withdrawn: {done.extracts} extracts, {done.pending_contributions} "
                        f"waiting contributions, {done.votes} votes removed; "
                        f"{len(done.themes)} themes rebuilt; {flagged} essay drafts flagged."
                    )
            st.rerun()
