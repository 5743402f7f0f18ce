"""Small pieces every page uses: safe text, errors as one line, provenance captions."""

from __future__ import annotations

import re

import streamlit as st

# Everything Markdown could turn into a link, image, heading, emphasis or HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:])")


def safe_markdown(text: str) -> str:
    """User text made inert for st.markdown: no links, images, HTML or formatting."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text or "")


def user_text(text: str, *, quote: bool = False) -> None:
    """Show text a participant or document wrote, as text and nothing else."""
    lines = safe_markdown(text).splitlines() or [""]
    if quote:  # every line inside the quote, blank lines included, so paragraphs stay quoted
        st.markdown("\n".join(f"> {line}  " if line.strip() else ">" for line in lines))
    else:
        st.markdown("  \n".join(lines))


def provenance(row: dict) -> str:
    """'source · page 3 · 2026-03-09 · peer worker, Wales' — where an extract came from."""
    parts = [row.get("source") or ""]
    if row.get("page"):
        parts.append(f"page {row['page']}")
    if row.get("row"):
        parts.append(f"row {row['row']}")
    if row.get("date"):
        parts.append(str(row["date"]))
    return " · ".join(p for p in parts if p)


def show_error(err: Exception) -> None:
    """A clear one-line message in the page, never a traceback."""
    st.error(str(err) or type(err).__name__, icon="⚠️")


def open_theme_page(theme_id: str, staff: bool) -> None:
    """Go to the theme: the Themes page for staff; Explore for participants, who have no Themes
    page (Explore opens the theme on its next run)."""
    if staff:
        st.session_state["selected_theme"] = theme_id
        st.switch_page("pages/themes.py")
    st.session_state["explore-open-theme"] = theme_id
    st.switch_page("pages/explore.py")
