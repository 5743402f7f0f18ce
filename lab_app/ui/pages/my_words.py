"""My words: what happened to the signed-in person's contributions, votes and statements; their
consent; and withdrawing from the Lab, with a plain statement of what would be removed."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.people import my_words
from lab_app.ui import auth, guard
from lab_app.ui.auth import require_role
from lab_app.ui.components import safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace

SHOWN_VOTES = 50  # the latest votes listed; the count covers them all

# Only ever the signed-in account's words: the name comes from the session the server checked,
# never from the URL or a widget, and the callbacks read it again (guard, current_user).
user = require_role("participant")
me = user["name"]
ws = workspace()

if flash := st.session_state.pop("mywords-flash", None):
    kind, message = flash
    if kind == "ok":
        st.success(safe_markdown(message))
    else:
        show_error(ValueError(message))


@guard.action("mywords.consent", "participant", "mywords-consent-save")
def save_my_consent() -> None:
    show = bool(st.session_state.get("mywords-show", True))
    quote = bool(st.session_state.get("mywords-quote", True))
    try:
        my_words.change_consent(ws, current_user(), show=show, quote=quote)
    except ValueError as err:
        st.session_state["mywords-flash"] = ("error", str(err))
    else:
        st.session_state["mywords-flash"] = ("ok", "Your choices are saved.")


@guard.action("mywords.withdraw", "participant", "mywords-withdraw")
def withdraw_me() -> None:
    who = current_user()
    typed = (st.session_state.get("mywords-withdraw-name") or "").strip()
    if not st.session_state.get("mywords-withdraw-confirm") or typed != who:
        message = "Tick the box and type your account name exactly to confirm: nothing was removed."
        st.session_state["mywords-flash"] = ("error", message)
        return
    try:
        with st.spinner("Removing your words…"):
            my_words.withdraw_myself(ws, who)
    except ValueError as err:
        st.session_state["mywords-flash"] = ("error", str(err))
        return
    auth.end_session("You have withdrawn from the Lab: your words, votes and account are removed.")


st.title("My words")
st.caption("What the Lab holds of yours and what became of it. Only you see this page's lists.")
mine = my_words.my_words(ws, me, with_removal=False)
sent, themes = len(mine.contributions), mine.themes()
with st.container(horizontal=True, gap="medium"):  # side by side on a phone too, not stacked
    st.metric("Contributions", sent, width="content")
    st.metric("Votes", len(mine.votes), width="content")
    st.metric("Themes your words joined", len(themes), width="content")
    st.metric("Drafts quoting you", mine.drafts(), width="content")

st.subheader("Your contributions")
if not mine.contributions:
    st.info("You have not contributed yet: Explore has a form for your words.")
for item in mine.contributions:
    with st.container(border=True):
        facts = [item.status_words] + [item.date] * bool(item.date)
        if item.theme:
            facts.append(f"in the theme “{item.theme}”")
        if item.drafts:
            facts.append(f"quoted in {len(item.drafts)} essay draft(s)")
        st.caption(safe_markdown(" · ".join(facts)))
        user_text(item.text, quote=True)

st.subheader("Themes and quotations")
if themes:
    st.markdown("Your words joined: " + ", ".join(f"“{safe_markdown(t)}”" for t in themes))
quoted = mine.quoted()
if quoted:
    st.markdown(
        f"{len(quoted)} of your contributions are quoted in {mine.drafts()} essay draft(s) staff "
        "are writing. Drafts are not shown here; staff check every quotation against your consent."
    )
elif mine.contributions:
    st.markdown("No essay draft quotes your words.")
report = len(mine.may_be_in_report())
if report:
    st.markdown(
        f"The Lab's report is made from the themes when staff download it: {report} of your "
        "contributions are in a theme and may be quoted in it."
    )

st.subheader("Your votes")
if not mine.votes:
    st.caption("No votes yet.")
for vote in mine.votes[:SHOWN_VOTES]:
    words = vote["text"] or "(words no longer shown)"
    st.markdown(f"**{vote['vote'].capitalize()}** · {safe_markdown(words)}")
if len(mine.votes) > SHOWN_VOTES:
    st.caption(f"and {len(mine.votes) - SHOWN_VOTES} earlier votes")

if mine.proposed:
    st.subheader("Statements you proposed")
    for row in mine.proposed:
        status = {"pending": "waiting for staff", "approved": "open for votes"}
        st.markdown(
            f"**{status.get(row['status'], 'not taken up')}** · {safe_markdown(row['text'])}"
        )

st.subheader("Your consent")
st.caption("The same choices staff record for you; they apply to everything you contributed.")
st.checkbox(
    "Other participants may read my words in the app",
    value=bool(mine.consent["show_to_participants"]),
    key="mywords-show",
)
st.checkbox(
    "My words may be quoted in what the Lab publishes (essays, the report)",
    value=bool(mine.consent["quote_in_publications"]),
    key="mywords-quote",
)
st.button("Save my choices", key="mywords-consent-save", on_click=save_my_consent)

st.subheader("Withdraw from the Lab")
# The count of what would go is worked out only when asked for: it briefly holds the store's
# write lock, which a workshop's worth of people opening this page should not all take.
if st.checkbox("I want to withdraw: show me what would be removed", key="mywords-withdraw-open"):
    removal = my_words.removal_preview(ws, me)
    st.warning(safe_markdown(my_words.removal_sentence(removal)))
    st.checkbox("I understand that this removes my words for good", key="mywords-withdraw-confirm")
    st.text_input("Type your account name to confirm", key="mywords-withdraw-name")
    ready = bool(st.session_state.get("mywords-withdraw-confirm")) and (
        (st.session_state.get("mywords-withdraw-name") or "").strip() == me
    )
    st.button(
        "Withdraw and remove my words",
        key="mywords-withdraw",
        on_click=withdraw_me,
        type="primary",
        disabled=not ready,
    )
