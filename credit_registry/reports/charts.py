"""Charts for the PDF reports, drawn on the server as SVG (no JavaScript, no image library).

Each function returns a small, self-contained ``<svg>`` element (safe markup) that WeasyPrint
draws as vector graphics. Labels are escaped; numbers are laid out with plain arithmetic.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Registry Sans"
INK = "#1f2933"
GRID = "#d9dee4"
# Grade colours: A green, B blue, C amber, D red — the same in every chart and table.
GRADE_COLOURS = {"A": "#2f7d4f", "B": "#3b6ea8", "C": "#c9962b", "D": "#b03a2e"}
CURRENT = "#9b1c1c"
PREVIOUS = "#b8c2cc"


@dataclass(frozen=True)
class Series:
    name: str
    colour: str


def _text(x: float, y: float, text: str, *, size: float = 9, anchor: str = "start", fill=INK):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )


def _legend(series: Sequence[Series], *, x: float, y: float) -> list[str]:
    parts = []
    for s in series:
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="10" height="10" fill="{s.colour}"/>'
        )
        parts.append(_text(x + 14, y, s.name))
        x += 14 + 10 * len(s.name) + 18
    return parts


def _svg(width: float, height: float, parts: list[str], title: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title)}">'
        + "".join(parts)
        + "</svg>"
    )


def stacked_percent_bars(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[Series],
    *,
    title: str,
    width: float = 640,
    label_width: float = 120,
    unit: str = "人",
) -> SafeString:
    """One horizontal bar per row, split by series into shares of 100 %; the row's total at
    the end. Used for grade distributions by school kind, above the table of their counts and
    shares: the shares are not printed in the bars again (each label is a line of text the
    typesetter shapes on its own, the dearest part of a chart)."""
    bar_h, gap, top = 16, 8, 26
    plot_w = width - label_width - 60
    height = top + len(rows) * (bar_h + gap) + 24
    parts = _legend(series, x=label_width, y=14)
    for n, (label, values) in enumerate(rows):
        y = top + n * (bar_h + gap)
        total = sum(values)
        parts.append(_text(label_width - 6, y + bar_h - 4, label, anchor="end"))
        x = label_width
        if total == 0:
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{plot_w:.1f}" height="{bar_h}" '
                f'fill="none" stroke="{GRID}"/>'
            )
        for value, s in zip(values, series, strict=True):
            if not total or not value:
                continue
            w = plot_w * value / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" fill="{s.colour}"/>'
            )
            x += w
        parts.append(_text(label_width + plot_w + 6, y + bar_h - 4, f"{total:,}{unit}"))
    axis_y = top + len(rows) * (bar_h + gap)
    for pct in (0, 50, 100):
        gx = label_width + plot_w * pct / 100
        parts.append(_text(gx, axis_y + 10, f"{pct}%", size=8, anchor="middle", fill="#616e7c"))
    return _svg(width, height, parts, title)


def paired_bars(
    rows: Sequence[tuple[str, int, int]],
    *,
    title: str,
    current_label: str,
    previous_label: str,
    width: float = 640,
    label_width: float = 190,
) -> SafeString:
    """Two horizontal bars per row: this year (dark) over last year (light), with values.
    Used for the most frequent violations and for year-on-year figures."""
    bar_h, inner, gap, top = 9, 2, 9, 26
    plot_w = width - label_width - 50
    biggest = max([max(cur, prev) for _, cur, prev in rows] + [1])
    row_h = 2 * bar_h + inner + gap
    height = top + len(rows) * row_h + 6
    parts = _legend(
        [Series(current_label, CURRENT), Series(previous_label, PREVIOUS)], x=label_width, y=14
    )
    for n, (label, current, previous) in enumerate(rows):
        y = top + n * row_h
        parts.append(_text(label_width - 6, y + bar_h + 3, label, anchor="end"))
        for k, (value, colour) in enumerate(((current, CURRENT), (previous, PREVIOUS))):
            by = y + k * (bar_h + inner)
            w = max(plot_w * value / biggest, 0.8 if value else 0)
            parts.append(
                f'<rect x="{label_width:.1f}" y="{by:.1f}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{colour}"/>'
            )
            parts.append(_text(label_width + w + 4, by + bar_h - 1, f"{value:,}", size=8))
    return _svg(width, height, parts, title)


def column_pairs(
    groups: Sequence[tuple[str, int, int]],
    *,
    title: str,
    current_label: str,
    previous_label: str,
    width: float = 640,
    height: float = 190,
) -> SafeString:
    """Vertical columns in pairs (this year, last year) per group, e.g. teachers per grade."""
    left, bottom, top = 36, 22, 28
    plot_h = height - top - bottom
    plot_w = width - left - 10
    biggest = max([max(cur, prev) for _, cur, prev in groups] + [1])
    step = _nice_step(biggest)
    ceiling = step * -(-biggest // step)
    parts = _legend(
        [Series(current_label, CURRENT), Series(previous_label, PREVIOUS)], x=left, y=14
    )
    for tick in range(0, ceiling + 1, step):
        ty = top + plot_h - plot_h * tick / ceiling
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w:.1f}" y2="{ty:.1f}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
        )
        parts.append(_text(left - 4, ty + 3, f"{tick:,}", size=8, anchor="end", fill="#616e7c"))
    slot = plot_w / max(len(groups), 1)
    col_w = min(28, slot / 3)
    for n, (label, current, previous) in enumerate(groups):
        cx = left + slot * n + slot / 2
        for k, (value, colour) in enumerate(((current, CURRENT), (previous, PREVIOUS))):
            h = plot_h * value / ceiling
            x = cx - col_w + k * col_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{col_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{colour}"/>'
            )
            parts.append(
                _text(x + col_w / 2, top + plot_h - h - 3, f"{value:,}", size=7, anchor="middle")
            )
        parts.append(_text(cx, height - 6, label, anchor="middle"))
    return _svg(width, height, parts, title)


def _nice_step(biggest: int) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving at most six grid lines."""
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            if biggest <= 6 * multiple * magnitude:
                return multiple * magnitude
        magnitude *= 10
