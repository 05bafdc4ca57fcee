from __future__ import annotations

import time
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from benchmarks.dataset.generate import DatabaseNotEmptyError, generate_dataset
from benchmarks.progress import Progress


class Command(BaseCommand):
    help = (
        "Fills a freshly migrated database with a synthetic national dataset: the 25 provinces "
        "down to villages, about 500 agencies, their people, and N cases with their whole "
        "history. The same --seed and --as-of give the same data."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--cases", type=int, default=20_000, help="How many cases.")
        parser.add_argument("--seed", default="1", help="Seed of every random choice.")
        parser.add_argument("--users", type=int, default=5_000, help="About how many people.")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="The dataset's today (YYYY-MM-DD; default: today). History ends there.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: date = options["as_of"] or timezone.localdate()
        if options["cases"] < 1 or options["users"] < 100:
            raise CommandError("Give at least one case and a hundred users.")
        progress = Progress(self.stdout, options["cases"], "cases")
        started = time.monotonic()

        def stage(name: str) -> None:
            progress.finish()
            self.stdout.write(f"- {time.monotonic() - started:6.0f}s  {name}")

        try:
            generated = generate_dataset(
                cases=options["cases"],
                seed=options["seed"],
                users=options["users"],
                as_of=as_of,
                on_progress=progress.update,
                on_stage=stage,
            )
        except DatabaseNotEmptyError as error:
            raise CommandError(f"{error} Generate into a freshly migrated database.") from error
        self.stdout.write(
            f"Generated in {generated.seconds:.0f}s, reference moment "
            f"{generated.reference.isoformat()}:"
        )
        for table, count in sorted(generated.rows.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {table:<40} {count:>12,}")
