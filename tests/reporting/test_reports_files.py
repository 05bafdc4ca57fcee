"""Writing a report as CSV and XLSX (reporting.renderers): what a spreadsheet program must not
misread, whatever the titles and labels hold."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook

from reporting.renderers import SUPPRESSED_MARK, report_csv, report_xlsx, sheet_names


def _report(*, title: str, label: str) -> dict[str, Any]:
    return {
        "code": "quarterly_cases",
        "title": "Quarterly case report",
        "period": {"from": "2026-07-01", "to": "2026-09-30"},
        "location": None,
        "covers": "Cambodia",
        "as_of": "2026-10-01T08:00:00+07:00",
        "min_cell": 5,
        "suppressed_note": "Fewer than 5 children.",
        "tables": [
            {
                "code": "opened_by_place",
                "title": title,
                "columns": ["Province", "Female", "Total"],
                "rows": [[label, None, 9], ["Total", 12, 21]],
                "notes": [],
            }
        ],
    }


def test_sheet_names_are_valid_and_distinct_however_long_or_odd_the_titles() -> None:
    titles = [
        "Cases opened, by concern and sex: [draft] a/b\\c*d?",
        "Cases opened, by concern and sex: [draft] a/b\\c*d?",
        "ការជួញដូរផ្លូវភេទ: ជនរងគ្រោះដែលបានកំណត់អត្តសញ្ញាណ តាមក្រុមអាយុ និងភេទ",
    ]
    names = sheet_names(titles)
    assert len(set(names)) == len(names)
    for name in names:
        assert len(name) <= 31
        assert not re.search(r"[\[\]:*?/\\]", name)
        assert "  " not in name
    assert names[2].startswith("3 ការជួញដូរ")
    workbook = load_workbook(io.BytesIO(report_xlsx(_report(title=titles[0], label="Kandal"))))
    assert workbook.sheetnames == [names[0]]


def test_a_label_that_looks_like_a_formula_stays_text() -> None:
    report = _report(title='=HYPERLINK("http://x")', label="=1+1")
    lines = list(csv.reader(io.StringIO(report_csv(report).decode("utf-8-sig"))))
    assert ['\'=HYPERLINK("http://x")'] in lines
    assert ["'=1+1", SUPPRESSED_MARK, "9"] in lines
    sheet = load_workbook(io.BytesIO(report_xlsx(report))).worksheets[0]
    assert sheet["A1"].value == '\'=HYPERLINK("http://x")'
    assert sheet["A5"].value == "'=1+1"
    assert sheet["A5"].data_type == "s"


def test_an_xlsx_sheet_has_its_title_a_bold_frozen_header_and_the_footnote() -> None:
    sheet = load_workbook(io.BytesIO(report_xlsx(_report(title="By place", label="Kandal"))))[
        "1 By place"
    ]
    assert sheet["A1"].value == "By place"
    assert sheet["A2"].value.startswith("Quarterly case report")
    assert [cell.value for cell in sheet[4]] == ["Province", "Female", "Total"]
    assert all(cell.font.b for cell in sheet[4])
    assert sheet.freeze_panes == "B5"
    assert [cell.value for cell in sheet[5]] == ["Kandal", SUPPRESSED_MARK, 9]
    assert [cell.value for cell in sheet[6]] == ["Total", 12, 21]
    assert sheet["A8"].value == f"{SUPPRESSED_MARK} suppressed: Fewer than 5 children."
    assert sheet.column_dimensions["A"].width >= len("Province")
