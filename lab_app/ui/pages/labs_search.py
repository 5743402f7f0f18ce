"""Search all Labs (staff): one search over every Lab where you are staff, labelled by Lab."""

from __future__ import annotations

import streamlit as st

from lab_app.network import cross_search
from lab_app.ui.auth import require_role
from lab_app.ui.components import provenance, safe_markdown, show_error, user_text
from lab_app.ui.resources import deployment

user = require_role("staff")
st.title("Search all Labs")
labs = cross_search.searchable_labs(deployment(), user["name"])  # read again on the server
names = ", ".join(lab.name for lab in labs)
st.caption(
    f"Searches the Labs where you are staff ({safe_markdown(names)}). Words whose authors have "
    "not agreed to be shown beyond their Lab's staff, or said No to being quoted, are left out; "
    "withdrawn words are gone everywhere."
)
left, right = st.columns([5, 1])
query = left.text_input("Search by meaning", key="labs-search-query").strip()
k = right.number_input("Results", min_value=1, max_value=50, value=10, key="labs-search-k")
if query:
    try:
        results = cross_search.search(deployment(), query, labs, k=int(k))
    except Exception as err:  # a Lab's store or index may be unreachable: one line
        show_error(err)
        st.stop()
    if not results:
        st.info("Nothing found in these Labs.")
    for hit in results:
        with st.container(border=True):
            where = f"{hit['lab_name']} · {hit['kind']} · {provenance(hit)}"
            st.caption(f"**{safe_markdown(where)}** · score {hit['score']:.2f}")
            user_text(hit["text"], quote=True)
