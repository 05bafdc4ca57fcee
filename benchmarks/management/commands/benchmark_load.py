from __future__ import annotations

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks.load.report import markdown
from benchmarks.load.run import LoadBenchmark, LoadError, LoadOptions
from benchmarks.load.server import ServerError
from benchmarks.report import write_report


def _user_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise ValueError(text)
    return counts


class Command(BaseCommand):
    help = (
        "Measures the system through a real server: starts gunicorn with production settings "
        "on this database (a generated dataset, manage.py generate_dataset), then drives the "
        "mixed workload of the personas with locust, headless, for each number of users. "
        "Reports requests per second, p50, p95, p99 and errors, and the CPU per request of the "
        "application and of PostgreSQL. Prints a Markdown table and writes it with a JSON "
        "file. Writes: it records case notes and follow-up visits, as people would."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--users",
            type=_user_counts,
            default=[1, 10, 25, 50],
            help="Comma-separated numbers of simultaneous users, one step each (default: "
            "1,10,25,50).",
        )
        parser.add_argument("--seconds", type=int, default=30, help="Seconds of each step.")
        parser.add_argument(
            "--max-requests",
            type=int,
            default=100_000,
            help="A step stops after this many requests, if its time has not run out first.",
        )
        parser.add_argument(
            "--warmup", type=int, default=10, help="Seconds of untimed load first (0: none)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            # What gunicorn itself reads in production (docker-compose.yml).
            default=int(os.environ.get("WEB_CONCURRENCY", "3")),
            help="gunicorn worker processes (default: WEB_CONCURRENCY, else 3).",
        )
        parser.add_argument("--seed", default="1", help="Seed of the samples of cases and names.")
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.VAR_DIR) / "benchmark-load",
            help="Path prefix of the .md and .json files written.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seconds"] < 1 or options["workers"] < 1 or options["max_requests"] < 1:
            raise CommandError("--seconds, --workers and --max-requests must be at least 1.")
        load_options = LoadOptions(
            users=options["users"],
            seconds=options["seconds"],
            workers=options["workers"],
            warmup_seconds=max(0, options["warmup"]),
            max_requests=options["max_requests"],
            seed=options["seed"],
        )
        try:
            report = LoadBenchmark(load_options, say=self.stdout.write).run()
        except (LookupError, LoadError, ServerError) as error:
            raise CommandError(str(error)) from error
        write_report(options["output"], markdown(report), report.as_dict(), self.stdout.write)
