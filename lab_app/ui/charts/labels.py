"""Labels placed on a scatter so they do not cover each other: each at its point if free, else
nudged to the nearest free spot around it (pixels estimated from the plot's size)."""

from __future__ import annotations

from lab_app.ui.charts.readable import char_px, widest_line

LINE_PX = 15  # one line of 11 px text with its padding
# Candidate offsets from the point, in label heights (dy) and widths (dx): here, above,
# below, then further out and to the sides.
TRIES = [(0, 0), (0, -1), (0, 1), (0, -2), (0, 2), (0.6, 0), (-0.6, 0), (0.6, -1), (-0.6, -1),
         (0.6, 1), (-0.6, 1), (0, -3), (0, 3)]  # fmt: skip


def box(label: str, size: float) -> tuple[float, float]:
    """A label's width and height in pixels."""
    lines = label.count("<br>") + 1
    return widest_line(label) * char_px(size) + 8, lines * LINE_PX + 4


def overlap(a: tuple, b: tuple) -> float:
    """The area two boxes (centre x, centre y, width, height) share."""
    dx = min(a[0] + a[2] / 2, b[0] + b[2] / 2) - max(a[0] - a[2] / 2, b[0] - b[2] / 2)
    dy = min(a[1] + a[3] / 2, b[1] + b[3] / 2) - max(a[1] - a[3] / 2, b[1] - b[3] / 2)
    return max(dx, 0) * max(dy, 0)


def place(
    points: list[tuple[float, float]], labels: list[str], span: tuple, plot: tuple, size: float = 11
) -> list[tuple[float, float]]:
    """Pixel offsets (dx, dy; dy down) for each label, in the order given (most important
    first): the first free spot of TRIES, else the one overlapping least. `span` is the data's
    (x0, x1, y0, y1) and `plot` the plot's (width, height) in pixels; axes share a scale."""
    x0, x1, y0, y1 = span
    scale = min(plot[0] / max(x1 - x0, 1e-9), plot[1] / max(y1 - y0, 1e-9))
    placed: list[tuple] = []
    offsets = []
    for (x, y), label in zip(points, labels, strict=True):
        width, height = box(label, size)
        px, py = (x - x0) * scale, (y1 - y) * scale
        spots = [(dx * width, dy * height) for dx, dy in TRIES]
        best = min(
            spots,
            key=lambda s: (sum(overlap((px + s[0], py + s[1], width, height), b) for b in placed),
                           abs(s[0]) + abs(s[1])),
        )  # fmt: skip
        placed.append((px + best[0], py + best[1], width, height))
        offsets.append(best)
    return offsets
