"""A standard report as a file: CSV (the tables one after another) or XLSX (a sheet a table).

Both are written from the report as the API sends it in JSON (reporting.api.reports), in the
active language. A suppressed count is never a number: its cell holds SUPPRESSED_MARK, and the
table is followed by the footnote that says what the mark means, in the dashboard's words
(reporting/_footnote.html; docs/reports.md).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# An en dash: a hyphen would start a formula in a spreadsheet program, and every zero is
# written as 0, so the dash can only mean "suppressed".
SUPPRESSED_MARK = "\u2013"
CSV_CONTENT_TYPE = "text/csv"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text starting with one of these is run as a formula by spreadsheet programs: a place or a
# concern named "=..." by an administrator must stay text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a sheet name may not hold, and its length (Excel's rules).
_SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_LENGTH = 31
_WIDEST_COLUMN = 60
_HEADER_ROW = 4  # the title, the report's line, a blank line, then the header
_RIGHT = Alignment(horizontal="right")  # the mark where a number would be


def _inert(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return value


def _cell(value: Any) -> Any:
    """A count as a number, a suppressed one as the mark, a label as inert text."""
    if value is None:
        return SUPPRESSED_MARK
    return _inert(value)


def _as_of(value: str | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _heading(report: Mapping[str, Any]) -> list[list[str]]:
    """The lines that say what the report is: its title, period, coverage and freshness."""
    return [
        [report["title"]],
        [_("Period"), report["period"]["from"], report["period"]["to"]],
        [_("Covers"), report["covers"]],
        [_("Counted as of"), _as_of(report["as_of"])],
    ]


def _footnotes(report: Mapping[str, Any], table: Mapping[str, Any]) -> Iterator[str]:
    if any(value is None for row in table["rows"] for value in row[1:]):
        yield f"{SUPPRESSED_MARK} {_('suppressed')}: {report['suppressed_note']}"
    yield from table["notes"]


def report_csv(report: Mapping[str, Any]) -> bytes:
    """The report's heading, then each table: its title line, its header row, its rows, its
    footnotes, and a blank line. UTF-8 with a byte order mark, so spreadsheet programs read
    Khmer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _heading(report):
        writer.writerow([_inert(value) for value in line])
    writer.writerow([])
    for table in report["tables"]:
        writer.writerow([_inert(table["title"])])
        writer.writerow([_inert(column) for column in table["columns"]])
        for row in table["rows"]:
            writer.writerow([_cell(value) for value in row])
        for note in _footnotes(report, table):
            writer.writerow([_inert(note)])
        writer.writerow([])
    return buffer.getvalue().encode("utf-8-sig")


def sheet_names(titles: Sequence[str]) -> list[str]:
    """A distinct, valid sheet name for each table: its number and the start of its title."""
    names = []
    for number, title in enumerate(titles, start=1):
        words = " ".join(_SHEET_NAME_REFUSED.sub(" ", title).split())
        name = f"{number} {words}"[:_SHEET_NAME_LENGTH]
        names.append(name.rstrip().rstrip("'"))
    return names


def _text(value: Any) -> Any:
    """XLSX cannot hold control characters: they are dropped rather than fail the file."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def report_xlsx(report: Mapping[str, Any]) -> bytes:
    """A sheet a table: the table's title in bold, the report's title, period and coverage on
    the line below, the header row (bold, frozen) on the fourth line, then the rows and the
    footnotes."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    tables = report["tables"]
    about = " \u00b7 ".join(
        [
            report["title"],
            f"{report['period']['from']} \u2013 {report['period']['to']}",
            report["covers"],
            f"{_('Counted as of')} {_as_of(report['as_of'])}",
        ]
    )
    for name, table in zip(sheet_names([table["title"] for table in tables]), tables, strict=True):
        sheet = workbook.create_sheet(name)
        sheet.append([_text(_inert(table["title"]))])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        sheet.append([_text(_inert(about))])
        sheet.append([])
        sheet.append([_text(_inert(column)) for column in table["columns"]])
        for cell in sheet[_HEADER_ROW]:
            cell.font = bold
        for row in table["rows"]:
            sheet.append([_text(_cell(value)) for value in row])
            for cell in sheet[sheet.max_row][1:]:
                if cell.value == SUPPRESSED_MARK:
                    cell.alignment = _RIGHT
        # The total row, in bold as the header.
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.append([])
        for note in _footnotes(report, table):
            sheet.append([_text(_inert(note))])
        sheet.freeze_panes = sheet.cell(row=_HEADER_ROW + 1, column=2)
        _fit_columns(sheet, [table["columns"], *table["rows"]])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _fit_columns(sheet: Any, rows: Sequence[Sequence[Any]]) -> None:
    """Each column as wide as its longest label or count (the titles and notes spill over)."""
    widths: dict[int, int] = {}
    for row in rows:
        for position, value in enumerate(row, start=1):
            length = len(str(SUPPRESSED_MARK if value is None else value))
            widths[position] = max(widths.get(position, 0), length)
    for position, width in widths.items():
        sheet.column_dimensions[get_column_letter(position)].width = min(
            _WIDEST_COLUMN, max(10, width + 2)
        )


def report_file(report: Mapping[str, Any], file_format: str) -> tuple[bytes, str]:
    """The report as a ``csv`` or ``xlsx`` file, and its content type."""
    if file_format == "csv":
        return report_csv(report), f"{CSV_CONTENT_TYPE}; charset=utf-8"
    return report_xlsx(report), XLSX_CONTENT_TYPE
