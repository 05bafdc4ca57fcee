from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks.report import markdown, write_report
from benchmarks.run import PARTS, Benchmark, Options


class Command(BaseCommand):
    help = (
        "Measures the system against the generated dataset (manage.py generate_dataset): "
        "latency (p50, p95) and SQL per request of the main reads and writes for each persona, "
        "the reminder sweep, the case list's raw SQL floor and a naive baseline, and a "
        "worker's memory. Prints a Markdown table and writes it with a JSON file. Writes: it "
        "registers cases, accepts referrals and records visits, as people would."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--repeat", type=int, default=100, help="Timed requests per measure.")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests first.")
        parser.add_argument(
            "--budget",
            type=float,
            default=60.0,
            help="Seconds a measure may take before it stops (after at least five requests).",
        )
        parser.add_argument(
            "--memory-requests",
            type=int,
            default=10_000,
            help="Requests of the memory check.",
        )
        parser.add_argument("--seed", default="1", help="Seed of the samples of cases and names.")
        parser.add_argument(
            "--only",
            default=",".join(PARTS),
            help=f"Comma-separated parts to run, of {', '.join(PARTS)} (default: all).",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.VAR_DIR) / "benchmark",
            help="Path prefix of the .md and .json files written.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["repeat"] < 5:
            raise CommandError("--repeat must be at least 5, for a p95 to mean something.")
        parts = frozenset(part.strip() for part in options["only"].split(",") if part.strip())
        if not parts or parts - set(PARTS):
            raise CommandError(f"--only takes parts among {', '.join(PARTS)}.")
        benchmark_options = Options(
            repeat=options["repeat"],
            warmup=options["warmup"],
            budget_seconds=options["budget"],
            memory_requests=options["memory_requests"],
            seed=options["seed"],
            parts=parts,
        )
        try:
            report = Benchmark(benchmark_options, say=self.stdout.write).run()
        except LookupError as error:
            raise CommandError(str(error)) from error
        write_report(options["output"], markdown(report), report.as_dict(), self.stdout.write)
