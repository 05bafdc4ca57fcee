"""CPU seconds spent by the application (the gunicorn master and its workers) and by the
PostgreSQL backends serving this database, over one step of the load, read from /proc (Linux).

The backends are found through pg_stat_activity, restricted to this database's client backends:
the PostgreSQL server is shared with other databases, and its background processes
(checkpointer, WAL writer, autovacuum) serve all of them, so counting every process named
postgres would charge other people's work to this benchmark. Connections come and go (they
are closed after DATABASE_CONN_MAX_AGE), so both sets of processes are polled during the step:
a process first seen during the step counts from zero, and what a process spends between its
last poll and its exit is lost (a few milliseconds at most)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

POLL_SECONDS = 0.25
# pg_stat_activity is asked once every this many polls; /proc is read at every poll.
BACKEND_LOOKUP_EVERY = 4
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of one process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: the fields after it start after its ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    try:
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except OSError:
        return []


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    total = sum(values[:8])  # up to steal; guest time is already counted in user time
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


class _Group:
    """CPU of a changing set of processes since ``start``."""

    def __init__(self) -> None:
        self.baseline: dict[int, float] = {}
        self.latest: dict[int, float] = {}

    def observe(self, pids: list[int], *, at_start: bool = False) -> None:
        for pid in pids:
            seconds = cpu_seconds(pid)
            if seconds is None:
                continue
            if pid not in self.baseline:
                self.baseline[pid] = seconds if at_start else 0.0
            self.latest[pid] = seconds

    def refresh(self) -> None:
        for pid in list(self.latest):
            seconds = cpu_seconds(pid)
            if seconds is not None:
                self.latest[pid] = seconds

    @property
    def seconds(self) -> float:
        return sum(self.latest[pid] - self.baseline[pid] for pid in self.latest)


@dataclass
class CpuUsage:
    application_s: float
    database_s: float
    machine_busy_s: float
    machine_total_s: float
    backends_seen: int
    workers_seen: int


class CpuMeter:
    """``with CpuMeter(server_pid) as meter:`` ... ``meter.usage``."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.application = _Group()
        self.database = _Group()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._machine_start = (0.0, 0.0)
        self._own_backends: set[int] = set()
        self.usage: CpuUsage | None = None

    def _server_pids(self) -> list[int]:
        return [self.server_pid, *children_of(self.server_pid)]

    def _backend_pids(self) -> list[int]:
        """The backends of this database but those of this process: the poller's own
        connection and the idle one of the thread that runs the benchmark."""
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
                "AND pid <> ALL(%s)",
                [list(self._own_backends)],
            )
            return [pid for (pid,) in cursor.fetchall()]

    def _poll(self) -> None:
        try:
            polls = 0
            while not self._stop.wait(POLL_SECONDS):
                polls += 1
                self.application.observe(self._server_pids())
                if polls % BACKEND_LOOKUP_EVERY == 0:
                    self.database.observe(self._backend_pids())
                self.database.refresh()
        finally:
            connections["default"].close()

    def __enter__(self) -> CpuMeter:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self._own_backends.add(cursor.fetchone()[0])
        self.application.observe(self._server_pids(), at_start=True)
        self.database.observe(self._backend_pids(), at_start=True)
        self._machine_start = machine_busy_seconds()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.application.observe(self._server_pids())
        self.database.observe(self._backend_pids())
        self.database.refresh()
        busy, total = machine_busy_seconds()
        self.usage = CpuUsage(
            application_s=self.application.seconds,
            database_s=self.database.seconds,
            machine_busy_s=busy - self._machine_start[0],
            machine_total_s=total - self._machine_start[1],
            backends_seen=len(self.database.latest),
            workers_seen=len(self.application.latest) - 1,
        )
