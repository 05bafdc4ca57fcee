from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.facts import facts_refresh


class Command(BaseCommand):
    help = (
        "Brings the statistics store up to date: the cases changed since the last refresh, or "
        "with --full every case (what beat does every few minutes and each night)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Rewrite the facts of every case.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = facts_refresh(full=options["full"])
        if result is None:
            raise CommandError("Another refresh is running; try again when it has finished.")
        kind = "full" if result.full else "incremental"
        self.stdout.write(f"{kind} refresh: {result.cases} cases, as of {result.as_of.isoformat()}")
