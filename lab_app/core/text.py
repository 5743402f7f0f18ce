"""Text for plotly labels and hovers: tags shown as written, never interpreted."""

from __future__ import annotations


def html_safe(text: str) -> str:
    """Text for a plotly label or hover: tags in it are shown as written, never interpreted."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
