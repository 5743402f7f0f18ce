"""The Essays page's preview: a section drawn as it will read (every word made inert first, so
nothing anyone wrote becomes a link, an image or HTML) and its checks beside it."""

from __future__ import annotations

import streamlit as st

from lab_app.essays.markup import Block, unescape
from lab_app.essays.preview import Check
from lab_app.ui.components import safe_markdown

CHART_NOTE = "A chart of this theme's extracts per month stands here in the downloads."


def _inert(text: str) -> str:
    """Essay Markdown (escaped by our templates, or typed by an author) as inert text."""
    return safe_markdown(unescape(text))


def show_blocks(blocks: list[Block]) -> None:
    """Headings, paragraphs, quotations and lists, as the reader will see them."""
    for block in blocks:
        if block.kind == "heading":
            st.markdown(f"##### {_inert(block.text)}")
        elif block.kind == "paragraph":
            st.markdown(_inert(block.text))
        elif block.kind == "quote":
            lines = [f"> {_inert(p)}" for p in block.text.split("\n\n")]
            st.markdown("\n>\n".join(lines) + f"\n>\n> — {_inert(block.attribution)}")
        elif block.kind == "bullets":
            st.markdown("\n".join(f"- {_inert(item)}" for item in block.items))
        elif block.kind == "numbered":
            st.markdown("\n".join(f"{n}. {_inert(i)}" for n, i in enumerate(block.items, 1)))
        elif block.kind == "chart":
            st.caption(CHART_NOTE)


def show_checks(checks: list[Check]) -> None:
    """One line per check: a tick or a cross, and what it found."""
    st.markdown("**Checks**")
    for check in checks:
        mark = "✅" if check.passed else "❌"
        st.markdown(f"{mark} **{check.name}**: {safe_markdown(check.detail)}")
