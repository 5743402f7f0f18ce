"""Entry point: sign-in first, then one st.navigation built for the account's role."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lab_app.core.audit import act_as
from lab_app.ui import auth, guard, lab_switch
from lab_app.ui.components import safe_markdown

PAGES = Path(__file__).parent / "pages"


@guard.action("account.sign_out", "participant", "auth-sign-out")
def sign_out() -> None:
    auth.sign_out()


st.set_page_config(page_title="Q Lab Workspace", page_icon="🧭", layout="wide")

user = auth.current_account()
auth.write_cookie()
if user is None:
    st.navigation([st.Page(PAGES / "sign_in.py", title="Sign in", icon="🔑")]).run()
    st.stop()

# Who the audit trail names for this run's actions (per thread: sessions run side by side).
act_as(user["name"])

everyone = [
    st.Page(PAGES / "overview.py", title="Overview", icon="🏠", default=True),
    st.Page(PAGES / "explore.py", title="Explore", icon="🔎"),
    st.Page(PAGES / "map.py", title="Map", icon="🗺️"),
    st.Page(PAGES / "timeline.py", title="Timeline", icon="📅"),
    st.Page(PAGES / "ideas.py", title="Ideas", icon="💡"),
    st.Page(PAGES / "tensions.py", title="Tensions", icon="⚖️"),
    st.Page(PAGES / "statements.py", title="Statements", icon="🙋"),
    st.Page(PAGES / "find_people.py", title="Find people", icon="🤝"),
    st.Page(PAGES / "exchange.py", title="Q Exchange", icon="🗳️"),
    st.Page(PAGES / "my_words.py", title="My words", icon="🪪"),
]
staff = [
    st.Page(PAGES / "sources.py", title="Sources (staff)", icon="📥"),
    st.Page(PAGES / "themes.py", title="Themes (staff)", icon="🧩"),
    st.Page(PAGES / "contributions.py", title="Contributions (staff)", icon="✉️"),
    st.Page(PAGES / "essays.py", title="Essays (staff)", icon="📝"),
    st.Page(PAGES / "exchange_staff.py", title="Q Exchange (staff)", icon="🗳️"),
]
if (PAGES / "exports.py").exists():  # written by its own piece of work
    staff.append(st.Page(PAGES / "exports.py", title="Exports (staff)", icon="📤"))
staff += [
    st.Page(PAGES / "people.py", title="People (staff)", icon="👥"),
    st.Page(PAGES / "audit.py", title="Audit trail (staff)", icon="🧾"),
]
if lab_switch.several_labs():  # a deployment of one Lab has nothing to search across
    staff.append(st.Page(PAGES / "labs_search.py", title="Search all Labs (staff)", icon="🌐"))
STAFF_PAGES = {page.url_path for page in staff}

sections = {"The Lab": everyone}
if auth.is_staff(user):
    sections["Staff"] = staff
page = st.navigation(sections, expanded=True)  # every page listed, none behind "more"

with st.sidebar:
    lab_switch.sidebar(user)
    st.caption(f"Signed in as **{safe_markdown(user['name'])}** ({user['role']})")
    st.button("Sign out", key="auth-sign-out", on_click=sign_out)

# A participant's navigation holds no staff page, so Streamlit cannot route to one; this check
# refuses one anyway, on the server, should a staff page ever be reached another way.
if page.url_path in STAFF_PAGES and not auth.is_staff(user):
    st.error("This page is for Lab staff.")
    st.stop()
page.run()
