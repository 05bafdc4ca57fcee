"""Small-cell suppression with complementary suppression (docs/statistics.md, "Small counts").

A table is a grid of cells (one dimension: a line of cells; two: rows and columns) and its
total. Cells counting 1 to ``min_cell - 1`` are hidden (primary suppression). Then, while any
hidden cell could be worked out exactly from what is known, another cell is hidden
(complementary suppression). What is known is every shown cell, and the sums of lines of cells
that are published elsewhere: the total of this answer, and, for a two-way table, the sums of
its rows and columns, which the one-way answers of the same query publish (as long as they are
not small themselves).

"Worked out exactly" is decided by linear algebra, not by a list of tricks: a hidden cell is
exposed when its unit vector lies in the span of the known sums' rows restricted to the hidden
cells. The sums of rows, columns and the total of a grid form a totally unimodular matrix, so
ranks computed modulo a large prime are the ranks over the rationals, and the test is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

_PRIME = 2_147_483_647  # 2**31 - 1

Cell = tuple[str, ...]


@dataclass(frozen=True)
class Suppressed:
    cells: frozenset[Cell]
    total: bool


def suppress(cells: dict[Cell, int], *, total: int, min_cell: int) -> Suppressed:
    """Which cells (and whether the total) to hide. ``cells`` is the whole grid, zeros
    included, keyed by tuples of one or two dimension values."""
    hidden = {cell for cell, count in cells.items() if 0 < count < min_cell}
    total_hidden = 0 < total < min_cell
    if not hidden:
        return Suppressed(frozenset(), total_hidden)
    lines = _known_lines(cells, min_cell=min_cell, total_known=not total_hidden)
    # Each pass hides one more cell, so this ends; the cap is a guard against a mistake here.
    for _ in range(len(cells) + 2):
        line = _line_to_widen(cells, hidden, lines, min_cell=min_cell)
        if line is None:
            return Suppressed(frozenset(hidden), total_hidden)
        complement = _complement_for(line, cells, hidden, lines, min_cell=min_cell)
        if complement is not None:
            hidden.add(complement)
        elif lines and not total_hidden:
            # Nothing left to hide beside it: hide the total, whose line then drops out.
            total_hidden = True
            lines = lines[1:]
        else:
            break
    # A grid that no pattern protects (a line of one cell whose sum is published elsewhere)
    # shows nothing at all.
    return Suppressed(frozenset(cell for cell, count in cells.items() if count), True)


def _known_lines(
    cells: dict[Cell, int], *, min_cell: int, total_known: bool
) -> list[frozenset[Cell]]:
    """The sets of cells whose sum is known: the total first, then the rows and columns that
    the one-way answers of the same query show."""
    lines: list[frozenset[Cell]] = []
    if total_known:
        lines.append(frozenset(cells))
    width = len(next(iter(cells)))
    if width == 2:
        for axis in (0, 1):
            margin: dict[Cell, int] = {}
            members: dict[Cell, set[Cell]] = {}
            for cell, count in cells.items():
                key = (cell[axis],)
                margin[key] = margin.get(key, 0) + count
                members.setdefault(key, set()).add(cell)
            # A row's sum is known when the one-way answer on that axis shows it.
            one_way = suppress(margin, total=sum(margin.values()), min_cell=min_cell)
            lines.extend(frozenset(members[key]) for key in margin if key not in one_way.cells)
    return lines


def exposed_cells(hidden: set[Cell], lines: Sequence[frozenset[Cell]]) -> list[Cell]:
    """The hidden cells that the known sums determine exactly."""
    order = sorted(hidden, key=repr)
    index = {cell: position for position, cell in enumerate(order)}
    basis: dict[int, list[int]] = {}  # pivot column -> reduced row
    for line in lines:
        row = [0] * len(order)
        for cell in line:
            if cell in index:
                row[index[cell]] = 1
        _insert(basis, row)
    exposed = []
    for cell in order:
        unit = [0] * len(order)
        unit[index[cell]] = 1
        if not any(_reduce(basis, unit)):
            exposed.append(cell)
    return exposed


def _reduce(basis: dict[int, list[int]], row: list[int]) -> list[int]:
    row = row[:]
    for pivot, base in basis.items():
        factor = row[pivot]
        if factor:
            row = [
                (value - factor * other) % _PRIME for value, other in zip(row, base, strict=True)
            ]
    return row


def _insert(basis: dict[int, list[int]], row: list[int]) -> None:
    row = _reduce(basis, row)
    pivot = next((column for column, value in enumerate(row) if value), None)
    if pivot is None:
        return
    inverse = pow(row[pivot], _PRIME - 2, _PRIME)
    row = [value * inverse % _PRIME for value in row]
    for other_pivot, base in basis.items():
        factor = base[pivot]
        if factor:
            basis[other_pivot] = [
                (value - factor * new) % _PRIME for value, new in zip(base, row, strict=True)
            ]
    basis[pivot] = row


def _line_to_widen(
    cells: dict[Cell, int], hidden: set[Cell], lines: Sequence[frozenset[Cell]], *, min_cell: int
) -> frozenset[Cell] | None:
    """A known line that needs one more hidden cell, or None when the pattern is safe.

    First a line whose hidden cells add up to fewer than ``min_cell`` (subtracting its shown
    cells from its sum would tell how few children are among them), then the shortest line
    through a hidden cell that the known sums determine exactly."""
    for line in lines:
        hidden_sum = sum(cells[cell] for cell in line if cell in hidden)
        if 0 < hidden_sum < min_cell:
            return line
    exposed = exposed_cells(hidden, lines)
    if not exposed:
        return None
    through = [line for line in lines if exposed[0] in line]
    widenable = [line for line in through if not line <= hidden]
    return min(widenable or through, key=len)


def _complement_for(
    line: frozenset[Cell],
    cells: dict[Cell, int],
    hidden: set[Cell],
    lines: Sequence[frozenset[Cell]],
    *,
    min_cell: int,
) -> Cell | None:
    """The shown cell of ``line`` to hide. First one whose other lines already hold a hidden
    cell (it closes a cycle of hidden cells, which no sum can open, where another cell would
    only move the problem to its own row or column); then one that brings the line's hidden
    sum to ``min_cell``; then the smallest count (hiding the least)."""
    hidden_sum = sum(cells[cell] for cell in line if cell in hidden)

    def preference(cell: Cell) -> tuple[bool, bool, int, str]:
        closes = any(
            other is not line and cell in other and len(other) < len(cells) and other & hidden
            for other in lines
        )
        return (not closes, hidden_sum + cells[cell] < min_cell, cells[cell], repr(cell))

    shown = [cell for cell in line if cell not in hidden]
    return min(shown, key=preference) if shown else None
