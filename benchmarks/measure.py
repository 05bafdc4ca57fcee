"""Timing a request (or any call) and counting the SQL it runs."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import connection
from django.http.response import HttpResponseBase


class SqlCounter:
    """A ``connection.execute_wrapper`` that counts statements, and keeps them if asked."""

    def __init__(self, *, keep: bool = False) -> None:
        self.count = 0
        self.keep = keep
        self.statements: list[tuple[str, Any]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        if self.keep:
            self.statements.append((sql, params))
        return execute(sql, params, many, context)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 100 samples is the 95th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Measurement:
    metric: str
    persona: str
    durations_ms: list[float] = field(default_factory=list)
    # The CPU this process spent on each call: the application's share, PostgreSQL's being
    # spent in its own processes.
    cpu_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    note: str = ""

    def add(self, milliseconds: float, statements: int, status: int, cpu: float = 0.0) -> None:
        self.durations_ms.append(milliseconds)
        self.cpu_ms.append(cpu)
        self.queries.append(statements)
        self.statuses.append(status)

    @property
    def p50(self) -> float:
        return percentile(self.durations_ms, 0.5)

    @property
    def p95(self) -> float:
        return percentile(self.durations_ms, 0.95)

    @property
    def cpu_p50(self) -> float:
        return percentile(self.cpu_ms, 0.5)

    def as_dict(self) -> dict[str, Any]:
        taken = bool(self.durations_ms)
        return {
            "metric": self.metric,
            "persona": self.persona,
            "n": len(self.durations_ms),
            "p50_ms": round(self.p50, 2) if taken else None,
            "p95_ms": round(self.p95, 2) if taken else None,
            "max_ms": round(max(self.durations_ms), 2) if taken else None,
            "cpu_p50_ms": round(self.cpu_p50, 2) if taken else None,
            "queries": sorted(set(self.queries)),
            "statuses": sorted(set(self.statuses)),
            "note": self.note,
        }


def timed(call: Callable[[], Any]) -> tuple[float, int, Any, float]:
    """Milliseconds, SQL statements, the result of ``call()`` and this process's CPU
    milliseconds."""
    counter = SqlCounter()
    with connection.execute_wrapper(counter):
        cpu_started = time.process_time()
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    return elapsed * 1000, counter.count, result, cpu * 1000


def run(
    measurement: Measurement,
    request: Callable[[int], HttpResponseBase],
    *,
    repeat: int,
    warmup: int,
    budget_seconds: float,
) -> Measurement:
    """Calls ``request(i)`` ``warmup`` times untimed, then up to ``repeat`` times timed, or
    fewer (at least five) when the budget is spent; slow endpoints still get a p95."""
    for number in range(warmup):
        request(number)
    started = time.monotonic()
    for number in range(repeat):
        elapsed, statements, response, cpu = timed(partial(request, warmup + number))
        measurement.add(elapsed, statements, response.status_code, cpu)
        if number >= 4 and time.monotonic() - started > budget_seconds:
            break
    return measurement


def python_speed_ms() -> float:
    """This process's CPU milliseconds for a fixed piece of Python (arithmetic and a dict of
    strings, the stuff of a request): the same on the same machine at the same speed. A shared
    machine's speed varies by up to twice over an hour, so runs are compared by it."""
    started = time.process_time()
    total = 0
    for number in range(1_000_000):
        total += number * number % 7
    keyed = {str(number): number for number in range(100_000)}
    total += len(keyed)
    return round((time.process_time() - started) * 1000, 1)
