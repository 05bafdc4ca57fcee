"""``manage.py import_cases FILE --agency ID --owner ID [--dry-run]``: the import service, run
here and now, for an operator bringing an agency's cases in from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from imports.running import import_run
from imports.services import import_request


class Command(BaseCommand):
    help = "Imports cases from a CSV or XLSX file (the template's columns or a Primero export)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--agency", type=int, required=True, help="The agency's id.")
        parser.add_argument(
            "--owner",
            type=int,
            required=True,
            help="The id of the case worker of that agency who holds rows without an owner; "
            "the import is recorded as theirs.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = User.objects.filter(pk=options["owner"], is_active=True).first()
        if owner is None or owner.agency_id != options["agency"]:
            raise CommandError("--owner must be an active person of the agency --agency.")
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        case_import = import_request(
            actor=owner,
            content=content,
            file_name=path.name,
            dry_run=options["dry_run"],
            queue=False,
        )
        result = import_run(import_id=case_import.pk)
        if result is None:
            raise CommandError("The import was run by another process.")
        for problem in result.errors:
            self.stdout.write(f"row {problem['row']}, {problem['field']}: {problem['message']}")
        if result.error:
            self.stdout.write(result.error)
        self.stdout.write(
            f"{result.status}: {result.rows} rows, {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged, {len(result.errors)} errors"
            + (" (dry run: nothing saved)" if result.dry_run else "")
        )
        if result.errors or result.status != "done":
            raise CommandError("Nothing was saved.")
