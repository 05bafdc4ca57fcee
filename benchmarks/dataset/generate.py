"""Generating the national dataset: places, agencies and people through the ORM (some
twenty thousand rows), then the cases and everything about them streamed with COPY, all in one
transaction. A forked child process generates the cases while this one hashes the audit chain
and writes, so the two cores both work."""

from __future__ import annotations

import multiprocessing
import random
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from multiprocessing.queues import Queue
from typing import Any

from django.db import connection, transaction
from psycopg import Cursor, sql

from accounts.models import User
from audit import services as audit
from audit.chain import GENESIS
from audit.models import AuditEvent
from benchmarks.dataset.gazetteer import build_gazetteer
from benchmarks.dataset.history import CaseHistories
from benchmarks.dataset.organisations import build_directory
from benchmarks.dataset.rows import Instrument, make_tables
from benchmarks.dataset.spreads import HISTORY_YEARS
from benchmarks.dataset.tables import (
    Table,
    constraints_lifted,
    copy_rows,
    raw_cursor,
    reset_sequences,
    start_ids,
)
from benchmarks.dataset.trail import Chain, Event, Trail
from cases.models import Case, CaseNumberSequence
from notifications.timing import start_of

# The action of the audit event that records a generation; the benchmark reads the dataset's
# reference moment from it.
GENERATED = "dataset.generate"
AUDIT_FIELDS = [
    "id",
    "created_at",
    "actor_id",
    "actor_username",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "changes",
    "request_id",
    "ip",
    "prev_hash",
    "hash",
]
Rows = dict[str, list[tuple[Any, ...]]]


class DatabaseNotEmptyError(Exception):
    """The dataset is generated into a freshly migrated database only: ids, numbers and the
    audit trail must start from a known state for the same seed to give the same data."""


class GenerationFailedError(Exception):
    """The generating process failed; the message is its traceback."""


@dataclass(frozen=True)
class Generated:
    reference: datetime
    rows: dict[str, int]
    seconds: float


def generate_dataset(
    *,
    cases: int,
    seed: str,
    users: int,
    as_of: date,
    on_progress: Callable[[int], None],
    on_stage: Callable[[str], None],
) -> Generated:
    if User.objects.exists() or Case.objects.exists():
        raise DatabaseNotEmptyError("The database already has users or cases.")
    started = time.monotonic()
    reference = start_of(as_of)
    founded = reference - timedelta(days=365.25 * HISTORY_YEARS + 30)
    with transaction.atomic():
        cursor = raw_cursor()
        # Index builds at the end are much faster with room to sort in (this session only).
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        on_stage("places")
        gazetteer = build_gazetteer(random.Random(f"{seed}:places"))  # noqa: S311 - synthetic
        on_stage("agencies and people")
        people_rng = random.Random(f"{seed}:people")  # noqa: S311 - synthetic data
        directory = build_directory(
            rng=people_rng, gazetteer=gazetteer, users=users, founded=founded
        )
        tables = make_tables()
        audit_table = Table(AuditEvent, AUDIT_FIELDS)
        everything = [*tables.values(), audit_table]
        start_ids(cursor, everything)
        last_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        chain = Chain(audit_table, prev_hash=last_hash or GENESIS, seed=seed)
        trail = Trail()
        trail.add(founded, None, "gazetteer.import", changes={"created": gazetteer.created})
        for org in directory.agencies:
            trail.add(
                founded,
                None,
                "agency.create",
                object_type="accounts.agency",
                object_id=org.id,
                changes={"name": org.name, "type": org.type},
            )
        for person in directory.people:
            trail.add(
                founded + timedelta(hours=1),
                None,
                "user.create",
                object_type="accounts.user",
                object_id=person.id,
                changes={"username": person.username, "role": person.role},
            )
        histories = CaseHistories(
            tables=tables,
            trail=trail,
            gazetteer=gazetteer,
            directory=directory,
            instrument=Instrument.current(),
            reference=reference,
            total=cases,
            seed=seed,
        )
        on_stage("cases")
        rows = dict.fromkeys((table.name for table in everything), 0)
        statement_of = {table.name: table.copy_statement() for table in everything}
        with constraints_lifted(cursor, [table.name for table in everything], on_stage):
            done = 0
            for batch, events in _generated(histories, trail):
                chain.append(events)
                batch[audit_table.name] = audit_table.take()
                copy_rows(cursor, [(statement_of[name], batch[name]) for name in batch])
                for name, written in batch.items():
                    rows[name] += len(written)
                done = min(done + CaseHistories.BLOCK, cases)
                on_progress(done)
            on_stage("indexes and constraints")
        reset_sequences(cursor, everything)
        _continue_case_numbers(cursor)
        audit.record(
            actor=None,
            action=GENERATED,
            changes={
                "cases": cases,
                "seed": seed,
                "users": users,
                "as_of": as_of.isoformat(),
                "reference": reference.isoformat(),
            },
        )
    on_stage("statistics")
    _analyze()
    return Generated(reference=reference, rows=rows, seconds=time.monotonic() - started)


def _generated(histories: CaseHistories, trail: Trail) -> Iterator[tuple[Rows, list[Event]]]:
    """The rows of each block and the audit events let out with it, generated in a forked
    child process (it touches no database connection)."""
    context = multiprocessing.get_context("fork")
    queue: Queue[Any] = context.Queue(maxsize=3)
    producer = context.Process(target=_produce, args=(histories, trail, queue), daemon=True)
    producer.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, str):
                raise GenerationFailedError(item)
            yield item
    finally:
        if producer.is_alive():
            producer.kill()
        producer.join()


def _produce(histories: CaseHistories, trail: Trail, queue: Queue[Any]) -> None:
    """In the child process: every block in order, its rows and the audit events it lets out;
    then None, or the traceback of what failed."""
    try:
        blocks = -(-histories.total // CaseHistories.BLOCK)
        for block in range(blocks):
            watermark = histories.generate(block)
            queue.put((histories.take_rows(), trail.release(watermark)))
        queue.put((histories.take_rows(), trail.release(None)))
        queue.put(None)
    except Exception:  # every failure goes to the parent, which raises it
        queue.put(traceback.format_exc())


def _continue_case_numbers(cursor: Cursor[Any]) -> None:
    """New registrations continue each province's yearly numbering after the generated cases
    (numbers are "<province>-<year>-<sequence>")."""
    cursor.execute(
        sql.SQL(
            "INSERT INTO {sequences} (prefix, last) "
            "SELECT split_part(case_number, '-', 1) || '-' || split_part(case_number, '-', 2), "
            "max(split_part(case_number, '-', 3)::int) FROM {cases} GROUP BY 1 "
            "ON CONFLICT (prefix) DO UPDATE SET last = greatest({sequences}.last, excluded.last)"
        ).format(
            sequences=sql.Identifier(CaseNumberSequence._meta.db_table),
            cases=sql.Identifier(Case._meta.db_table),
        )
    )


def _analyze() -> None:
    """Fresh planner statistics for every table, the people and agencies written through the
    ORM included (without them the planner guesses at the size of a team and may choose a
    plan that reads every case), and (outside a transaction) the visibility map that lets
    index-only scans skip the table, as autovacuum would leave them after a while."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(command)


def dataset_reference() -> datetime | None:
    """The reference moment of the dataset in this database, from its generation event."""
    event = AuditEvent.objects.filter(action=GENERATED).order_by("-id").first()
    if event is None:
        return None
    return datetime.fromisoformat(event.changes["reference"])
