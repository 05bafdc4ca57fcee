"""The load benchmark's run: the personas signed in, gunicorn started with production settings,
then for each number of users a bounded locust run, its statistics read from locust's CSV
files and the CPU the application and PostgreSQL spent on it."""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from benchmarks.dataset.generate import dataset_reference
from benchmarks.load.cpu import CpuMeter, CpuUsage
from benchmarks.load.plan import Plan, build_plan
from benchmarks.load.server import GunicornServer
from benchmarks.run import _dataset, _machine

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Users of the warm-up run: enough to reach every worker and every persona's queries.
WARMUP_USERS = 5
# Time locust may take beyond its run time to start, stop its users and write its files.
LOCUST_GRACE_SECONDS = 60


class LoadError(RuntimeError):
    pass


@dataclass
class LoadOptions:
    users: list[int] = field(default_factory=lambda: [1, 10, 25, 50])
    seconds: int = 30
    workers: int = 3
    warmup_seconds: int = 10
    max_requests: int = 100_000
    seed: str = "1"


@dataclass
class Endpoint:
    name: str
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


@dataclass
class Step:
    users: int
    seconds: int
    requests: int
    failures: int
    requests_per_second: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    cpu: CpuUsage
    load_tool_cpu_s: float
    endpoints: list[Endpoint]
    errors: list[dict[str, str]]

    def per_request_ms(self, seconds: float) -> float | None:
        return round(seconds * 1000 / self.requests, 1) if self.requests else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cpu_ms_per_request"] = {
            "application": self.per_request_ms(self.cpu.application_s),
            "postgresql": self.per_request_ms(self.cpu.database_s),
            "load_tool": self.per_request_ms(self.load_tool_cpu_s),
        }
        total = self.cpu.machine_total_s or 1.0
        data["machine_busy_percent"] = round(100 * self.cpu.machine_busy_s / total, 1)
        # What the rest of the machine took meanwhile (other programs on a shared machine,
        # PostgreSQL's background processes, this process): a run is only as good as this is low.
        measured = self.cpu.application_s + self.cpu.database_s + self.load_tool_cpu_s
        data["others_percent"] = round(
            100 * max(0.0, self.cpu.machine_busy_s - measured) / total, 1
        )
        return data


@dataclass
class LoadReport:
    dataset: dict[str, Any]
    machine: dict[str, Any]
    options: LoadOptions
    personas: list[str]
    steps: list[Step] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "machine": self.machine,
            "options": asdict(self.options),
            "server": f"gunicorn, {self.options.workers} sync workers, production settings, "
            "on 127.0.0.1 (no proxy); load from locust in its own process on the same machine",
            "personas": self.personas,
            "steps": [step.as_dict() for step in self.steps],
        }


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:  # "N/A" when nothing was measured
        return None


def _endpoint(row: dict[str, str]) -> Endpoint:
    return Endpoint(
        name=row["Name"],
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        p50_ms=_number(row["50%"]),
        p95_ms=_number(row["95%"]),
        p99_ms=_number(row["99%"]),
    )


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class LoadBenchmark:
    def __init__(self, options: LoadOptions, say: Callable[[str], None]) -> None:
        self.options = options
        self.say = say
        reference = dataset_reference()
        if reference is None:
            raise LookupError("No generated dataset in this database (manage.py generate_dataset).")
        self.report = LoadReport(
            dataset=_dataset(reference), machine=_machine(), options=options, personas=[]
        )

    def run(self) -> LoadReport:
        self.say("Signing in the personas")
        plan = build_plan(self.options.seed)
        self.report.personas = [persona.key for persona in plan.personas]
        with tempfile.TemporaryDirectory(prefix="cpims-load-") as workdir:
            folder = Path(workdir)
            self.say(f"Starting gunicorn ({self.options.workers} workers, production settings)")
            with GunicornServer(folder, self.options.workers) as server:
                if self.options.warmup_seconds:
                    self.say(f"Warming up for {self.options.warmup_seconds} s")
                    self._locust(
                        server,
                        folder,
                        "warmup",
                        plan.for_step(None, 1),
                        users=WARMUP_USERS,
                        seconds=self.options.warmup_seconds,
                    )
                steps = len(self.options.users)
                for index, users in enumerate(self.options.users):
                    self.say(f"{users} users for {self.options.seconds} s")
                    self.report.steps.append(
                        self._step(server, folder, plan, index=index, steps=steps, users=users)
                    )
        return self.report

    def _step(
        self,
        server: GunicornServer,
        folder: Path,
        plan: Plan,
        *,
        index: int,
        steps: int,
        users: int,
    ) -> Step:
        before = _children_cpu_seconds()
        with CpuMeter(server.pid) as meter:
            prefix = self._locust(
                server,
                folder,
                f"step{index}",
                plan.for_step(index, steps),
                users=users,
                seconds=self.options.seconds,
            )
        load_tool_cpu = _children_cpu_seconds() - before
        if meter.usage is None:
            raise LoadError("The CPU meter did not finish.")
        rows = self._read_csv(Path(f"{prefix}_stats.csv"))
        total = next((row for row in rows if row["Name"] == "Aggregated"), None)
        if total is None:
            raise LoadError(f"locust wrote no totals:\n{server.log_tail()}")
        errors = self._read_csv(Path(f"{prefix}_failures.csv"))
        return Step(
            users=users,
            seconds=self.options.seconds,
            requests=int(total["Request Count"]),
            failures=int(total["Failure Count"]),
            requests_per_second=round(float(total["Requests/s"]), 1),
            p50_ms=_number(total["50%"]),
            p95_ms=_number(total["95%"]),
            p99_ms=_number(total["99%"]),
            max_ms=_number(total["Max Response Time"]),
            cpu=meter.usage,
            load_tool_cpu_s=load_tool_cpu,
            endpoints=[_endpoint(row) for row in rows if row["Name"] != "Aggregated"],
            errors=[
                {"endpoint": row["Name"], "error": row["Error"], "count": row["Occurrences"]}
                for row in errors
            ],
        )

    @staticmethod
    def _read_csv(path: Path) -> list[dict[str, str]]:
        if not path.exists():
            return []
        with path.open(encoding="utf-8", newline="") as lines:
            return list(csv.DictReader(lines))

    def _locust(
        self,
        server: GunicornServer,
        folder: Path,
        name: str,
        plan: dict[str, Any],
        *,
        users: int,
        seconds: int,
    ) -> str:
        """One headless locust run, bounded in time and in requests; returns its CSV prefix."""
        plan_path = folder / f"{name}-plan.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        prefix = str(folder / name)
        log_path = folder / f"{name}-locust.log"
        with log_path.open("wb") as log:
            # Its own process: locust patches the standard library for gevent.
            finished = subprocess.run(  # noqa: S603 - fixed arguments, our own locustfile
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "--locustfile",
                    str(LOCUSTFILE),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(users),  # all users at once: the step measures a steady load
                    "--run-time",
                    f"{seconds}s",
                    "--host",
                    server.url,
                    "--csv",
                    prefix,
                    "--only-summary",
                    "--exit-code-on-error",
                    "0",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=settings.BASE_DIR,
                env={
                    **_locust_environment(),
                    "CPIMS_LOAD_PLAN": str(plan_path),
                    "CPIMS_LOAD_MAX_REQUESTS": str(self.options.max_requests),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=seconds + LOCUST_GRACE_SECONDS,
                check=False,
            )
        if finished.returncode != 0:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
            raise LoadError(f"locust failed ({finished.returncode}):\n{tail}")
        return prefix


def _locust_environment() -> dict[str, str]:
    """The environment locust runs in: this one, without settings meant for Django."""
    return {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
