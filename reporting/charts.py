"""Bar charts drawn on the server as SVG from a statistics answer: no script, no CDN.

A chart is laid out in a box 330 units wide, the width a 360 px phone leaves it, and scales to
its container (``viewBox``, ``width="100%"``): on a phone its text is drawn at its own size, on
a desk it grows.
Colours come from classes (``reporting/static/reporting/statistics.css``): the pages'
Content-Security-Policy allows no ``style`` attribute. The chart is one image for assistive
technology (``role="img"`` named by its ``<title>``); the table beside it gives the numbers.

A suppressed cell is drawn as nothing, and no number is ever written for it, not even in a
tooltip: its table marks it instead.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reporting.statistics import Answer

WIDTH = 330
MARGIN = 8
FONT = 12
# Classes series-0 to series-9 in the style sheet; beyond ten series the colours repeat.
PALETTE = 10
MAX_TICKS = 5
PLOT_HEIGHT = 170
# A horizontal bar: its label on a line above it, then the bar.
ROW_LABEL = 16
BAR = 14
ROW_GAP = 8
LEGEND_LINE = 18
SWATCH = 12
COEN = "\u17d2"  # Khmer sign coeng: the consonant after it is written below, taking no width


# --- An answer as a grid ------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    count: int | None
    suppressed: bool


# A combination the answer does not hold (answers hold the full grid, but a chart need not
# fail on one that does not): nothing to count there.
NOTHING = Cell(count=0, suppressed=False)


@dataclass(frozen=True)
class Grid:
    """An answer laid out for a chart and its table: rows (the categories along an axis) by
    columns (the series stacked in each bar; one unnamed column for an answer of one
    dimension), in the answer's order, each value with its label."""

    row_dimension: str
    column_dimension: str | None
    rows: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], Cell]

    @property
    def stacked(self) -> bool:
        return self.column_dimension is not None

    @property
    def lines(self) -> list[tuple[str, list[Cell]]]:
        """Each row's label and its cells in the columns' order (what a table shows)."""
        return [
            (label, [self.cell(row, column) for column, _label in self.columns])
            for row, label in self.rows
        ]

    @property
    def has_suppressed(self) -> bool:
        return any(cell.suppressed for cell in self.cells.values())

    def cell(self, row: str, column: str = "") -> Cell:
        return self.cells.get((row, column), NOTHING)


def answer_grid(answer: Answer, *, rows: str, columns: str | None = None) -> Grid:
    row_values: dict[str, None] = {}
    column_values: dict[str, None] = {}
    cells: dict[tuple[str, str], Cell] = {}
    for entry in answer.rows:
        row = str(entry[rows])
        column = str(entry[columns]) if columns else ""
        row_values.setdefault(row)
        column_values.setdefault(column)
        cells[(row, column)] = Cell(count=entry["count"], suppressed=entry["suppressed"])
    row_labels = answer.labels.get(rows, {})
    column_labels = answer.labels.get(columns, {}) if columns else {}
    return Grid(
        row_dimension=rows,
        column_dimension=columns,
        rows=[(value, _label(row_labels, value)) for value in row_values],
        columns=[(value, _label(column_labels, value)) for value in column_values],
        cells=cells,
    )


def _label(labels: dict[str, str], value: str) -> str:
    # An empty value (a case with no concern) may come without a label of its own.
    return labels.get(value) or value or _("Not recorded")


# --- Drawing ------------------------------------------------------------------------------


def bar_chart(
    grid: Grid,
    *,
    chart_id: str,
    title: str,
    value_axis: str,
    category_axis: str,
    horizontal: bool = False,
) -> SafeString:
    """A bar chart of a grid of one dimension, stacked bars of a grid of two. ``chart_id``
    must be unique in the page (it names the title and description)."""
    draw = _horizontal if horizontal else _vertical
    height, parts = draw(grid, value_axis=value_axis, category_axis=category_axis)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" '
        'width="100%" role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        _number(height),
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        _("The table with this chart gives each number."),
        _joined(parts),
    )


def _vertical(grid: Grid, *, value_axis: str, category_axis: str) -> tuple[float, list[str]]:
    ticks = _ticks(_highest_bar(grid))
    tick_width = max(text_width(str(tick)) for tick in ticks)
    left = MARGIN + FONT + 6 + tick_width + 6
    right = WIDTH - MARGIN
    slot = (right - left) / max(len(grid.rows), 1)
    label_width = max((text_width(label) for _value, label in grid.rows), default=0.0)
    slanted = label_width > slot - 4
    if slanted:
        # A label slanted at 45 degrees reaches left of its bar by 0.7 of its length.
        reach = label_width * 0.71 - slot / 2 + MARGIN
        left = max(left, reach)
        slot = (right - left) / max(len(grid.rows), 1)
    top = MARGIN + FONT / 2
    bottom = top + PLOT_HEIGHT
    scale = PLOT_HEIGHT / ticks[-1]
    parts: list[str] = []
    for tick in ticks:
        y = bottom - tick * scale
        parts.append(_line("grid" if tick else "axis", left, y, right, y))
        parts.append(_text(str(tick), left - 6, y, anchor="end", css="tick", middle=True))
    parts.append(
        format_html(
            '<text class="axis-label" x="{}" y="{}" text-anchor="middle" '
            'transform="rotate(-90 {} {})">{}</text>',
            MARGIN + FONT,
            _number((top + bottom) / 2),
            MARGIN + FONT,
            _number((top + bottom) / 2),
            value_axis,
        )
    )
    bar = min(slot * 0.7, 48)
    for index, (row, label) in enumerate(grid.rows):
        x = left + slot * index + (slot - bar) / 2
        centre = x + bar / 2
        base = bottom
        for series, css in _series(grid, row):
            cell = grid.cell(row, series[0])
            if cell.suppressed or not cell.count:
                continue
            height = cell.count * scale
            base -= height
            tip = _tip(grid, label, series[1], cell)
            parts.append(_bar(x, base, bar, height, css=css, tip=tip))
        if not grid.stacked:
            count = grid.cell(row)
            if not count.suppressed and text_width(str(count.count)) < slot:
                parts.append(_text(str(count.count), centre, base - 4, anchor="middle"))
        if slanted:
            y = bottom + FONT + 2
            parts.append(
                format_html(
                    '<text class="category" x="{}" y="{}" text-anchor="end" '
                    'transform="rotate(-45 {} {})">{}</text>',
                    _number(centre),
                    _number(y),
                    _number(centre),
                    _number(y),
                    label,
                )
            )
        else:
            parts.append(_text(label, centre, bottom + FONT + 4, anchor="middle", css="category"))
    labels_height = label_width * 0.71 + FONT if slanted else FONT + 4
    axis_y = bottom + labels_height + FONT + 8
    parts.append(
        _text(category_axis, (left + right) / 2, axis_y, anchor="middle", css="axis-label")
    )
    height = axis_y + MARGIN
    if grid.stacked:
        legend, legend_height = _legend(grid, top=height)
        parts.extend(legend)
        height += legend_height
    return height, parts


def _horizontal(grid: Grid, *, value_axis: str, category_axis: str) -> tuple[float, list[str]]:
    ticks = _ticks(_highest_bar(grid))
    left = float(MARGIN)
    # Room for the number written after a single bar.
    right = WIDTH - MARGIN - (0 if grid.stacked else text_width(str(ticks[-1])) + 8)
    scale = (right - left) / ticks[-1]
    top = float(MARGIN)
    parts: list[str] = [_text(category_axis, left, top + FONT, css="axis-label")]
    top += FONT + 8
    row_height = ROW_LABEL + BAR + ROW_GAP
    bottom = top + row_height * len(grid.rows)
    for tick in ticks:
        x = left + tick * scale
        parts.append(_line("grid" if tick else "axis", x, top, x, bottom))
        parts.append(_text(str(tick), x, bottom + FONT + 4, anchor="middle", css="tick"))
    for index, (row, label) in enumerate(grid.rows):
        y = top + row_height * index
        parts.append(_text(label, left, y + FONT, css="category"))
        end = left
        for series, css in _series(grid, row):
            cell = grid.cell(row, series[0])
            if cell.suppressed or not cell.count:
                continue
            width = cell.count * scale
            tip = _tip(grid, label, series[1], cell)
            parts.append(_bar(end, y + ROW_LABEL, width, BAR, css=css, tip=tip))
            end += width
        if not grid.stacked:
            count = grid.cell(row)
            if not count.suppressed:
                parts.append(_text(str(count.count), end + 4, y + ROW_LABEL + BAR / 2, middle=True))
    axis_y = bottom + FONT * 2 + 10
    parts.append(_text(value_axis, (left + right) / 2, axis_y, anchor="middle", css="axis-label"))
    height = axis_y + MARGIN
    if grid.stacked:
        legend, legend_height = _legend(grid, top=height)
        parts.extend(legend)
        height += legend_height
    return height, parts


def _series(grid: Grid, row: str) -> list[tuple[tuple[str, str], str]]:
    """The cells of a bar, bottom (or left) first, each with its colour's classes: the
    series' place in the palette, and its value (``risk_level-high``) for colours that
    mean something."""
    if not grid.stacked:
        return [(("", ""), f"series-0 {_class(grid.row_dimension, row)}")]
    dimension = grid.column_dimension or ""
    return [
        (column, f"series-{index % PALETTE} {_class(dimension, column[0])}")
        for index, column in enumerate(grid.columns)
    ]


def _legend(grid: Grid, *, top: float) -> tuple[list[str], float]:
    """The series' swatches and labels, flowing onto as many lines as they need."""
    parts: list[str] = []
    x, line = float(MARGIN), 0
    for index, (value, label) in enumerate(grid.columns):
        width = SWATCH + 4 + text_width(label)
        if x > MARGIN and x + width > WIDTH - MARGIN:
            x, line = float(MARGIN), line + 1
        y = top + line * LEGEND_LINE
        css = f"series-{index % PALETTE} {_class(grid.column_dimension or '', value)}"
        parts.append(
            format_html(
                '<rect class="swatch {}" x="{}" y="{}" width="{}" height="{}"/>',
                css,
                _number(x),
                _number(y),
                SWATCH,
                SWATCH,
            )
        )
        parts.append(_text(label, x + SWATCH + 4, y + SWATCH / 2, css="legend", middle=True))
        x += width + 14
    return parts, (line + 1) * LEGEND_LINE + MARGIN


def _highest_bar(grid: Grid) -> int:
    """The longest bar: the sum of the shown cells of a row (a hidden one adds nothing)."""
    return max(
        (
            sum(cell.count or 0 for cell in cells if not cell.suppressed)
            for _label, cells in grid.lines
        ),
        default=0,
    )


def _ticks(highest: int) -> list[int]:
    """Whole numbers from zero, by a step of 1, 2 or 5 times a power of ten, past ``highest``
    in at most MAX_TICKS steps."""
    highest = max(highest, 1)
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = power * factor
            steps = math.ceil(highest / step)
            if steps <= MAX_TICKS:
                return [step * number for number in range(steps + 1)]
        power *= 10


def text_width(text: str, size: float = FONT) -> float:
    """About how wide ``text`` is drawn: enough to lay labels out without a browser. Marks
    written above or below a letter (and a Khmer consonant written below another) take no
    width."""
    width = 0.0
    below = False
    for char in text:
        if below:
            below = False
            continue
        if char == COEN:
            below = True
            continue
        category = unicodedata.category(char)
        if category in {"Mn", "Me", "Cf"}:
            continue
        if "\u1780" <= char <= "\u17ff":
            width += 0.8
        elif char == " ":
            width += 0.3
        elif char.isupper() or char in "mw":
            width += 0.72
        else:
            width += 0.56
    return width * size


def _class(dimension: str, value: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", f"{dimension}-{value}".lower())


def _tip(grid: Grid, row: str, column: str, cell: Cell) -> str:
    return f"{row} · {column}: {cell.count}" if grid.stacked else f"{row}: {cell.count}"


def _bar(x: float, y: float, width: float, height: float, *, css: str, tip: str) -> str:
    return format_html(
        '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        css,
        _number(x),
        _number(y),
        _number(width),
        _number(height),
        tip,
    )


def _line(css: str, x1: float, y1: float, x2: float, y2: float) -> str:
    return format_html(
        '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/>',
        css,
        _number(x1),
        _number(y1),
        _number(x2),
        _number(y2),
    )


def _text(
    text: str,
    x: float,
    y: float,
    *,
    anchor: str = "start",
    css: str = "value",
    middle: bool = False,
) -> str:
    return format_html(
        '<text class="{}" x="{}" y="{}" text-anchor="{}"{}>{}</text>',
        css,
        _number(x),
        _number(y),
        anchor,
        mark_safe(' dy="0.35em"') if middle else "",
        text,
    )


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _joined(parts: Iterable[str]) -> SafeString:
    # Every part was built by format_html, which escaped what it was given.
    return mark_safe("".join(parts))  # noqa: S308
