"""Audit trail (staff): who did what and when — ingest, curation, exports, people, sign-ins."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lab_app.core import audit as audit_log
from lab_app.ui.auth import require_role
from lab_app.ui.components import show_error
from lab_app.ui.resources import workspace

ALL = "(every action)"

require_role("staff")
st.title("Audit trail")
st.caption(
    "Every line says who did what and when. It never holds extract or contribution text; a "
    "withdrawn person appears only as a pseudonym."
)
try:
    engine = workspace().store.engine
    known = audit_log.actions(engine)
except Exception as err:  # the store may be unreachable: one line, never a traceback
    show_error(err)
    st.stop()

groups = sorted({a.split(".")[0] for a in known} | set(known))
left, middle, right = st.columns([3, 3, 2])
action = left.selectbox("Action", [ALL, *groups], key="audit-action")
who = middle.text_input("Who (exact account name)", key="audit-who").strip()
limit = right.number_input("Newest", min_value=10, max_value=5000, value=500, key="audit-limit")
rows = audit_log.read(
    engine, action=None if action == ALL else action, who=who or None, limit=limit
)
if not rows:
    st.info("No line matches.")
else:
    table = pd.DataFrame(
        [
            {
                "when": row["at"].strftime("%Y-%m-%d %H:%M:%S") if row["at"] else "",
                "who": row["who"],
                "action": row["action"],
                "target": row["target"] or "",
                "detail": ", ".join(f"{k}: {v}" for k, v in (row["detail"] or {}).items()),
                "undone": row["undone"],
            }
            for row in rows
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
