from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.gazetteer import COLUMNS, gazetteer_import

# "utf-8-sig" drops the byte order mark that spreadsheet programs put before UTF-8 text.
ENCODING = "utf-8-sig"


class Command(BaseCommand):
    help = (
        "Imports the national gazetteer from a UTF-8 CSV file whose header row is "
        f"{','.join(COLUMNS)}. New codes are created and known ones renamed; importing the same "
        "file again changes nothing. Any bad row stops the import with nothing saved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file, or '-' to read standard input.")

    def handle(self, *args: Any, **options: Any) -> None:
        file: str = options["file"]
        try:
            if file == "-":
                rows = self._rows(io.StringIO(sys.stdin.buffer.read().decode(ENCODING), newline=""))
            else:
                with Path(file).open(encoding=ENCODING, newline="") as stream:
                    rows = self._rows(stream)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text ({error.reason}).") from error
        except csv.Error as error:
            raise CommandError(f"{file} is not a readable CSV file: {error}.") from error
        try:
            result = gazetteer_import(rows=rows, actor=None)
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                f"Gazetteer not imported: {len(error.messages)} problem(s), nothing was saved."
            ) from error
        self.stdout.write(
            f"Gazetteer imported: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )

    def _rows(self, stream: TextIO) -> list[dict[str, str]]:
        reader = csv.DictReader(stream)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise CommandError(
                f"The first row must be the header {','.join(COLUMNS)}; "
                f"missing: {', '.join(missing)}."
            )
        return list(reader)
