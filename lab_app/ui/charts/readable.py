"""What keeps a chart's labels readable at a 1400 px window: the width a chart gets, the width
of a character, and labels wrapped or shortened to fit the room each category has."""

from __future__ import annotations

import html
import math
import textwrap

# A chart's width in the app's wide layout at a 1400 px window (measured in Chromium: the
# sidebar and page padding leave 940 px to a full-width chart, 460 to one of two columns).
FULL_WIDTH = 940
HALF_WIDTH = 460
AXIS_PX = 70  # a numeric axis's tick labels and title, beside the plot
FONT_SIZE = 12
# Measured in the app (Source Sans, Streamlit's chart font) at about 5.6 px a character at
# 12 px; 6.5 leaves room for a wider fallback font such as plotly's own Open Sans.
CHAR_PX = 6.5
MAX_LINES = 3


def plain(text: str) -> str:
    """Text for a plotly label: tags such as <a> and <b> are shown as written (escaped)."""
    return html.escape(" ".join((text or "").split()))


def shorten(text: str, limit: int) -> str:
    """The text cut to `limit` characters with an ellipsis; whitespace collapsed."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def category_px(width: float, categories: int) -> float:
    """The room one category has across a chart `width` wide beside a numeric axis."""
    return (width - AXIS_PX) / max(categories, 1)


def chars_for(width_px: float, size: float = FONT_SIZE) -> int:
    """How many characters fit across width_px (at least 6, so a label never vanishes)."""
    return max(6, math.floor(width_px / char_px(size)))


def char_px(size: float = FONT_SIZE) -> float:
    """The width of a character at a font size."""
    return CHAR_PX * size / FONT_SIZE


def wrap(text: str, chars: int, lines: int = MAX_LINES) -> str:
    """A label in lines of at most `chars` characters, at most `lines` lines (the last one
    shortened), escaped for plotly and joined by <br>."""
    # Words stay whole: a word longer than a line overflows a little rather than split.
    parts = textwrap.wrap(" ".join((text or "").split()), chars, break_long_words=False) or [""]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], shorten(" ".join(parts[lines - 1 :]), chars)]
    return "<br>".join(html.escape(p) for p in parts)


def widest_line(label: str) -> int:
    """The characters in a label's longest line (lines split at <br>, entities counted once)."""
    return max(len(html.unescape(line)) for line in label.split("<br>"))
