"""Small pieces every page uses: safe text, errors as one line, provenance captions."""

from __future__ import annotations

import re

import streamlit as st

from lab_app.material.source_names import shown_name
from lab_app.opinions.participation import CONTRIBUTIONS_FILE

# Everything Markdown could turn into a link, image, heading, list, table, quote, rule, emphasis,
# HTML, maths, emoji or colour: "=" too, since a line of them under another makes a heading.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:=@])")
# Leading spaces or tabs: four make a code block, so they become no-break spaces (kept visible).
_INDENT = re.compile(r"^[ \t]+", re.M)


def safe_markdown(text: str) -> str:
    """User text made inert for st.markdown and every widget label: no links, images, HTML,
    headings (a line over === or ---), lists, tables, code blocks or formatting; it reads as
    typed. The one function for showing anything a person or a document wrote."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text or "")
    return _INDENT.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), escaped)


def user_markdown(text: str, *, quote: bool = False) -> str:
    """The Markdown user_text shows: the text inert, its line breaks kept."""
    lines = safe_markdown(text).splitlines() or [""]
    if quote:  # every line inside the quote, blank lines included, so paragraphs stay quoted
        return "\n".join(f"> {line}  " if line.strip() else ">" for line in lines)
    return "  \n".join(lines)


def user_text(text: str, *, quote: bool = False) -> None:
    """Show text a participant or document wrote, as text and nothing else."""
    st.markdown(user_markdown(text, quote=quote))


def provenance(row: dict, titles: dict[str, str] | None = None) -> str:
    """'Peer support outcomes: a rapid evidence review · page 3' or 'survey.csv · row 12 ·
    2026-03-09': where an extract came from, a document named by its title (`titles`, from
    source_names.titled_sources) rather than its file."""
    source = row.get("source") or ""
    if source == CONTRIBUTIONS_FILE.as_posix():  # the app's own file: its path tells nobody
        source = "sent in the app"
    source = shown_name(source, titles or {})
    parts = [source]
    if row.get("page"):
        parts.append(f"page {row['page']}")
    if row.get("row"):
        parts.append(f"row {row['row']}")
    if row.get("date"):
        parts.append(str(row["date"]))
    return " · ".join(p for p in parts if p)


def show_error(err: Exception) -> None:
    """A clear one-line message in the page, never a traceback (messages can quote a name or a
    file a person typed, so they are shown as text)."""
    st.error(safe_markdown(str(err) or type(err).__name__), icon="⚠️")


def open_theme_page(theme_id: str, staff: bool) -> None:
    """Go to the theme: the Themes page for staff; Explore for participants, who have no Themes
    page (Explore opens the theme on its next run)."""
    if staff:
        st.session_state["selected_theme"] = theme_id
        st.switch_page("pages/themes.py")
    st.session_state["explore-open-theme"] = theme_id
    st.switch_page("pages/explore.py")
