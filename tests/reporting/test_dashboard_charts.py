"""The dashboard's SVG charts (reporting.charts), read as the XML they are: an accessible image
that scales to its box, coloured by classes, bars as long as their counts, and nothing drawn
or written for a suppressed cell."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from reporting.charts import answer_grid, bar_chart, text_width
from reporting.statistics import Answer

SVG = "{http://www.w3.org/2000/svg}"


def answer(
    group_by: tuple[str, ...],
    cells: list[tuple[Any, ...]],
    labels: dict[str, dict[str, str]] | None = None,
) -> Answer:
    """An answer whose rows are ``(value, ..., count)``; a count of None is suppressed."""
    rows = [
        {
            **dict(zip(group_by, cell[:-1], strict=True)),
            "count": cell[-1],
            "suppressed": cell[-1] is None,
        }
        for cell in cells
    ]
    return Answer(
        topic="cases",
        group_by=group_by,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 12, 31),
        min_cell=5,
        rows=rows,
        total=None,
        as_of=None,
        labels=labels or {},
    )


def chart(
    group_by: tuple[str, ...],
    cells: list[tuple[Any, ...]],
    labels: dict[str, dict[str, str]] | None = None,
    *,
    horizontal: bool = False,
) -> ET.Element:
    grid = answer_grid(
        answer(group_by, cells, labels),
        rows=group_by[0],
        columns=group_by[1] if len(group_by) > 1 else None,
    )
    svg = bar_chart(
        grid,
        chart_id="test",
        title="Open caseload",
        value_axis="Cases",
        category_axis="Risk level",
        horizontal=horizontal,
    )
    return ET.fromstring(str(svg))  # noqa: S314 - the chart just drawn, not outside input


def bars(svg: ET.Element) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if "bar" in rect.get("class", "").split()]


def top(rect: ET.Element) -> float:
    return float(rect.get("y", "nan"))


def height(rect: ET.Element) -> float:
    return float(rect.get("height", "nan"))


def texts(svg: ET.Element, css: str | None = None) -> list[str]:
    return [
        "".join(text.itertext())
        for text in svg.iter(f"{SVG}text")
        if css is None or text.get("class") == css
    ]


RISK = {"risk_level": {"low": "Low", "high": "High", "critical": "Critical"}}


def test_a_chart_is_an_image_named_by_its_title_that_scales_to_its_box() -> None:
    svg = chart(("risk_level",), [("low", 6), ("high", 7)], RISK, horizontal=True)

    assert svg.get("role") == "img"
    assert svg.get("width") == "100%"
    assert svg.get("viewBox", "").startswith("0 0 330 ")
    assert svg.get("height") is None  # the box's width sets it, through the view box
    title_id, desc_id = svg.get("aria-labelledby", "").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert (title.get("id"), title.text) == (title_id, "Open caseload")
    assert desc.get("id") == desc_id


def test_colours_are_classes_and_nothing_carries_a_style_attribute() -> None:
    svg = chart(("risk_level",), [("low", 6), ("high", 7)], RISK, horizontal=True)

    assert all(element.get("style") is None for element in svg.iter())
    assert all(rect.get("fill") is None for rect in svg.iter(f"{SVG}rect"))
    assert [rect.get("class") for rect in bars(svg)] == [
        "bar series-0 risk_level-low",
        "bar series-0 risk_level-high",
    ]


def test_a_suppressed_cell_is_drawn_as_nothing_and_never_numbered() -> None:
    svg = chart(
        ("risk_level",), [("low", 6), ("high", 7), ("critical", None)], RISK, horizontal=True
    )

    assert len(bars(svg)) == 2
    assert "Critical" in texts(svg, "category")  # its place is named, and left empty
    assert texts(svg, "value") == ["6", "7"]
    assert not any("Critical" in (title.text or "") for title in svg.iter(f"{SVG}title"))


def test_a_suppressed_segment_leaves_a_gap_in_its_stack_and_its_number_nowhere() -> None:
    svg = chart(
        ("month", "sex"),
        [("2026-01", "female", 7), ("2026-01", "male", None), ("2026-02", "female", 9)],
        {"sex": {"female": "Girls", "male": "Boys"}},
    )

    assert [rect.findtext(f"{SVG}title") for rect in bars(svg)] == [
        "2026-01 · Girls: 7",
        "2026-02 · Girls: 9",
    ]
    assert "Boys:" not in ET.tostring(svg, encoding="unicode")
    assert "Boys" in texts(svg, "legend")


def test_bars_are_as_long_as_their_counts_and_a_zero_is_written_without_a_bar() -> None:
    svg = chart(("risk_level",), [("low", 10), ("high", 5), ("critical", 0)], RISK, horizontal=True)

    low, high = (float(rect.get("width", "0")) for rect in bars(svg))
    assert abs(low - 2 * high) < 0.2
    assert texts(svg, "value") == ["10", "5", "0"]


def test_stacked_bars_pile_their_series_in_order_with_a_legend() -> None:
    svg = chart(
        ("month", "sex"),
        [
            ("2026-01", "female", 6),
            ("2026-01", "male", 3),
            ("2026-02", "female", 2),
            ("2026-02", "male", 4),
        ],
        {"sex": {"female": "Girls", "male": "Boys"}},
    )

    assert texts(svg, "legend") == ["Girls", "Boys"]
    january = [rect for rect in bars(svg) if "2026-01" in (rect.findtext(f"{SVG}title") or "")]
    girls, boys = january
    assert "series-0" in girls.get("class", "")
    assert "series-1" in boys.get("class", "")
    # Girls at the bottom, boys on top of them, each as tall as its count.
    assert abs(top(boys) + height(boys) - top(girls)) < 0.2
    assert abs(height(girls) - 2 * height(boys)) < 0.2


def test_the_value_axis_counts_in_round_steps_past_the_longest_bar() -> None:
    longest = chart(("risk_level",), [("low", 23), ("high", 1)], RISK)
    empty = chart(("risk_level",), [("low", 0)], RISK)

    assert texts(longest, "tick") == ["0", "5", "10", "15", "20", "25"]
    assert texts(empty, "tick") == ["0", "1"]


def test_month_labels_too_wide_for_their_bars_are_slanted() -> None:
    months = [(f"2026-{month:02d}", 5) for month in range(1, 13)]
    slanted = chart(("month",), months)
    upright = chart(("month",), months[:3])

    assert all(
        "rotate(-45" in text.get("transform", "")
        for text in slanted.iter(f"{SVG}text")
        if text.get("class") == "category"
    )
    categories = [text for text in upright.iter(f"{SVG}text") if text.get("class") == "category"]
    assert not any(text.get("transform") for text in categories)


def test_labels_are_escaped_and_khmer_is_written_as_it_is() -> None:
    svg = chart(
        ("concern",),
        [("a", 6), ("b", 7)],
        {"concern": {"a": "<b>Tom & Jerry</b>", "b": "ការជួញដូរផ្លូវភេទ"}},
    )

    assert texts(svg, "category") == ["<b>Tom & Jerry</b>", "ការជួញដូរផ្លូវភេទ"]


def test_a_value_without_a_label_is_not_recorded() -> None:
    grid = answer_grid(answer(("concern",), [("", 6)], {"concern": {"": ""}}), rows="concern")

    assert grid.rows == [("", "Not recorded")]


def test_a_grid_keeps_the_answers_order_and_gives_each_row_its_cells() -> None:
    grid = answer_grid(
        answer(
            ("urgency", "response"),
            [
                ("urgent", "on_time", 6),
                ("urgent", "late", None),
                ("routine", "on_time", 0),
                ("routine", "late", 5),
            ],
            {"urgency": {"urgent": "Urgent", "routine": "Routine"}},
        ),
        rows="urgency",
        columns="response",
    )

    assert grid.rows == [("urgent", "Urgent"), ("routine", "Routine")]
    assert [value for value, _label in grid.columns] == ["on_time", "late"]
    assert [(label, [cell.count for cell in cells]) for label, cells in grid.lines] == [
        ("Urgent", [6, None]),
        ("Routine", [0, 5]),
    ]
    assert grid.has_suppressed


def test_text_width_counts_no_width_for_marks_and_consonants_written_below() -> None:
    # "ស្រី": a consonant, a subscript consonant (coeng + ro) and a vowel sign above.
    assert text_width("ស្រី") == text_width("ស")
    assert text_width("2026-01") < text_width("WWWWWWW")
