"""The suppression rule on its own (docs/statistics.md, "Small counts"): tables are attacked
with what an answer and its one-way neighbours publish, and no hidden count may come out.

The attacks are written here independently of the rule's own check: subtraction repeated
until nothing more comes out, and exact linear algebra over the rationals."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from reporting.suppression import Cell, suppress

MIN_CELL = 5


def _one_way(cells: dict[Cell, int], axis: int) -> tuple[dict[Cell, int], set[Cell]]:
    """The sums of a two-way table along one axis, as the one-way answer publishes them."""
    margin: dict[Cell, int] = {}
    for cell, count in cells.items():
        margin[(cell[axis],)] = margin.get((cell[axis],), 0) + count
    hidden = suppress(margin, total=sum(margin.values()), min_cell=MIN_CELL).cells
    return margin, set(hidden)


def _published_sums(cells: dict[Cell, int]) -> list[tuple[set[Cell], int]]:
    """Every sum of cells an attacker holds: the total (unless hidden) and, for a two-way
    table, each row and column sum its one-way answers show."""
    total = sum(cells.values())
    sums: list[tuple[set[Cell], int]] = []
    if not suppress(cells, total=total, min_cell=MIN_CELL).total:
        sums.append((set(cells), total))
    if len(next(iter(cells))) == 2:
        for axis in (0, 1):
            margin, hidden = _one_way(cells, axis)
            sums.extend(
                ({cell for cell in cells if cell[axis] == key[0]}, count)
                for key, count in margin.items()
                if key not in hidden
            )
    return sums


def _peeled(shown: dict[Cell, int], sums: list[tuple[set[Cell], int]]) -> dict[Cell, int]:
    known = dict(shown)
    progress = True
    while progress:
        progress = False
        for members, total in sums:
            unknown = [cell for cell in members if cell not in known]
            if len(unknown) == 1:
                known[unknown[0]] = total - sum(known[cell] for cell in members if cell in known)
                progress = True
    return known


def _solved_by_algebra(hidden: list[Cell], sums: list[tuple[set[Cell], int]]) -> set[Cell]:
    """Hidden cells fixed by the sums: reduce the system over the rationals and keep the
    unknowns that a row pins alone."""
    rows = [[Fraction(int(cell in members)) for cell in hidden] for members, _ in sums]
    pivots: list[int] = []
    rank = 0
    for column in range(len(hidden)):
        found = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if found is None:
            continue
        rows[rank], rows[found] = rows[found], rows[rank]
        lead = rows[rank][column]
        rows[rank] = [value / lead for value in rows[rank]]
        for other in range(len(rows)):
            if other != rank and rows[other][column] != 0:
                factor = rows[other][column]
                rows[other] = [a - factor * b for a, b in zip(rows[other], rows[rank], strict=True)]
        pivots.append(column)
        rank += 1
    return {
        hidden[pivot]
        for row, pivot in zip(rows[:rank], pivots, strict=True)
        if sum(1 for value in row if value != 0) == 1
    }


def _attack(cells: dict[Cell, int]) -> set[Cell]:
    result = suppress(cells, total=sum(cells.values()), min_cell=MIN_CELL)
    shown = {cell: count for cell, count in cells.items() if cell not in result.cells}
    sums = _published_sums(cells)
    hidden = sorted(result.cells, key=repr)
    restricted = [(members & set(hidden), total) for members, total in sums]
    recovered = set(_peeled(shown, sums)) & set(hidden)
    return recovered | _solved_by_algebra(hidden, [(m, t) for m, t in restricted if m])


def test_small_counts_are_hidden_and_zeros_are_not() -> None:
    result = suppress({("a",): 0, ("b",): 3, ("c",): 40, ("d",): 12}, total=55, min_cell=5)
    assert ("b",) in result.cells
    assert ("a",) not in result.cells or len(result.cells) > 2


def test_a_lone_hidden_count_gets_a_partner_so_the_total_does_not_give_it_away() -> None:
    result = suppress({("a",): 3, ("b",): 40, ("c",): 12}, total=55, min_cell=5)
    assert result.cells == {("a",), ("c",)}, "the smallest count that protects it"
    assert not result.total


def test_hidden_counts_together_reach_min_cell() -> None:
    # 1 and 2 hidden together would still tell "three children, between them".
    cells: dict[Cell, int] = {("a",): 1, ("b",): 2, ("c",): 40, ("d",): 9}
    result = suppress(cells, total=52, min_cell=5)
    assert sum(cells[cell] for cell in result.cells) >= 5


def test_a_small_total_is_hidden() -> None:
    result = suppress({("a",): 1, ("b",): 2}, total=3, min_cell=5)
    assert result.total
    assert result.cells == {("a",), ("b",)}


def test_nothing_small_hides_nothing() -> None:
    result = suppress(
        {("a", "x"): 0, ("a", "y"): 7, ("b", "x"): 9, ("b", "y"): 5}, total=21, min_cell=5
    )
    assert result.cells == frozenset()
    assert not result.total


def test_the_documented_example() -> None:
    """The table of docs/statistics.md: the hidden cells it shows are the rule's."""
    cells: dict[Cell, int] = {
        ("female", "0-5"): 12,
        ("female", "6-11"): 3,
        ("female", "12-14"): 20,
        ("male", "0-5"): 15,
        ("male", "6-11"): 9,
        ("male", "12-14"): 2,
    }
    result = suppress(cells, total=61, min_cell=5)
    assert result.cells == {
        ("female", "6-11"),
        ("female", "12-14"),
        ("male", "6-11"),
        ("male", "12-14"),
    }
    assert not _attack(cells)


@pytest.mark.parametrize("seed", range(12))
def test_no_hidden_count_comes_out_of_random_tables(seed: int) -> None:
    rng = random.Random(seed)
    counts = [0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 14, 30, 120]
    for _ in range(40):
        rows, columns = rng.randint(1, 6), rng.randint(1, 5)
        cells: dict[Cell, int]
        if rng.random() < 0.3:
            cells = {(str(r),): rng.choice(counts) for r in range(rows * columns)}
        else:
            cells = {
                (str(r), str(c)): rng.choice(counts) for r in range(rows) for c in range(columns)
            }
        if not sum(cells.values()):
            continue
        result = suppress(cells, total=sum(cells.values()), min_cell=MIN_CELL)
        assert all(cell in result.cells for cell, n in cells.items() if 0 < n < MIN_CELL)
        assert not _attack(cells), cells
