"""``manage.py benchmark_import [--rows 10000] [--dry-run]``: the bulk import's time and memory.
A real run adds the rows' cases (for a new agency of its own) to the database it runs on."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from benchmarks.imports import measure_import


class Command(BaseCommand):
    help = "Measures the import of a file of new cases (default 10,000 rows): time and memory."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = measure_import(rows=options["rows"], dry_run=options["dry_run"])
        self.stdout.write(
            f"import of {result.rows} rows{' (dry run)' if result.dry_run else ''}: "
            f"{result.seconds:.1f} s, peak resident memory {result.peak_rss_mb:.0f} MB, "
            f"{result.created} created, {result.errors} errors"
        )
