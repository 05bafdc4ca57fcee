"""Writing an export's rows to a file as they come, so a worker's memory stays flat whatever
the number of rows: CSV through the csv module, XLSX through openpyxl's write-only workbook
(which streams each row to its own temporary file until the workbook is saved)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from exports.models import ExportFormat

Write = Callable[[Sequence[Any]], None]

CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# A cell starting with one of these is run as a formula by spreadsheet programs (and openpyxl
# stores such a text as one): a child's name or a summary typed as "=HYPERLINK(...)" must stay
# text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return value


@contextmanager
def rows_writer(export_format: str, path: Path) -> Iterator[Write]:
    """A function writing one row to ``path`` in ``export_format``; the file is complete
    when the block ends without an error. The sheet is named in the active language."""
    if export_format == ExportFormat.CSV:
        # The byte order mark makes spreadsheet programs read the file as UTF-8 (Khmer).
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            yield lambda row: writer.writerow([_inert(value) for value in row])
        return
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Cases"))

    def append(row: Sequence[Any]) -> None:
        # XLSX cannot hold control characters: they are dropped rather than fail the export.
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell
                for cell in map(_inert, row)
            ]
        )

    yield append
    workbook.save(path)
