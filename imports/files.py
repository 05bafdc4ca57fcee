"""Reading an import file (CSV in UTF-8 with or without a byte-order mark, or XLSX) into rows of
text keyed by the header's machine names, and writing the empty template."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from imports.columns import COLUMNS, header_name, template_header
from imports.models import ImportFormat

CONTENT_TYPES: dict[str, str] = {
    ImportFormat.CSV: "text/csv; charset=utf-8",
    ImportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# An XLSX file is a zip archive: it starts with these bytes.
_ZIP_MAGIC = b"PK\x03\x04"


class UnreadableFileError(Exception):
    """Why the file cannot be read at all (told to the person who sent it)."""


@dataclass(frozen=True)
class Sheet:
    header: list[str]  # machine names, in the file's order
    rows: list[tuple[int, dict[str, str]]]  # (the row's number in the file, its cells)


def format_of(content: bytes) -> str:
    return ImportFormat.XLSX if content.startswith(_ZIP_MAGIC) else ImportFormat.CSV


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(content: bytes) -> Iterator[list[str]]:
    if format_of(content) == ImportFormat.XLSX:
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged archive
            raise UnreadableFileError(_("The XLSX file could not be opened.")) from error
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_text(value) for value in values]
        workbook.close()
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            _('The CSV file is not in UTF-8: save it as "CSV UTF-8" and send it again.')
        ) from error
    yield from csv.reader(io.StringIO(text, newline=""))


def read_sheet(content: bytes) -> Sheet:
    """The file's rows under its header; rows with nothing in them are left out."""
    raw = _raw_rows(content)
    first = next(raw, None)
    if first is None:
        raise UnreadableFileError(_("The file is empty."))
    header = [header_name(cell) for cell in first]
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(raw, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        rows.append(
            (
                number,
                {
                    name: (cells[i].strip() if i < len(cells) else "")
                    for i, name in enumerate(header)
                    if name
                },
            )
        )
    return Sheet(header=header, rows=rows)


def template(template_format: str) -> bytes:
    """The empty template: one header row, each cell "machine_name (Khmer label)"."""
    header = template_header()
    if template_format == ImportFormat.XLSX:
        workbook = Workbook()
        sheet = workbook.create_sheet("cases", 0)
        workbook.remove(workbook.worksheets[1])  # the default empty sheet
        sheet.append(header)
        for index in range(1, len(COLUMNS) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 24
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    buffer_text = io.StringIO()
    csv.writer(buffer_text).writerow(header)
    # With a byte-order mark: spreadsheet programs then read the Khmer as UTF-8.
    return ("\ufeff" + buffer_text.getvalue()).encode("utf-8")
