"""Statistics, reports and exports read from a replica; case work and every write stay on the
primary; a person who has just written reads the primary until the replica has their write.

A second PostgreSQL database stands in for the replica, for this module only: a copy of the
test database's schema (a replica receives its schema by replication), named
``DATABASES["replica"]`` while these tests run, with the router installed. The rest of the suite
never sees it. The two databases are given different rows, and the answer tells which one was
read. A stand-in that is not a standby replays no WAL, so it never counts as holding a
person's recent write: that is the lagging replica of read-your-writes.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from accounts.choices import Role
from accounts.models import User
from audit import services as audit
from cases.models import Case
from cases.services.case import case_record_list_read, case_record_view
from core.replica import REPLICA, reading_from_replica, scope_alias
from cpims.db_router import ReplicaRouter
from exports.build import export_build
from exports.models import CaseExport, ExportStatus
from exports.selectors import cases_to_export
from reporting.facts import facts_refresh
from reporting.models import CaseFact, FactsRefresh
from reporting.reports import Report, report_build
from reporting.statistics import question_from, statistics_answer
from tests.conftest import World
from tests.factories import UserFactory
from tests.test_settings import PRODUCTION, _manage

ROUTER = "cpims.db_router.ReplicaRouter"
# Cases only the replica counts: the primary has none of them.
REPLICA_ONLY = 20

pytestmark = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica_database(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    primary = connections[DEFAULT_DB_ALIAS]
    with django_db_blocker.unblock():
        # CREATE DATABASE ... TEMPLATE needs the test database to itself.
        primary.close()
        primary.creation.clone_test_db(suffix=REPLICA, verbosity=0, autoclobber=True)
    # connections.settings is settings.DATABASES: the alias exists from here on.
    connections.settings[REPLICA] = primary.creation.get_test_db_clone_settings(REPLICA)
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        with django_db_blocker.unblock():
            primary.creation.destroy_test_db(verbosity=0, suffix=REPLICA)


@pytest.fixture(autouse=True)
def _router(settings: Any) -> None:
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.STATISTICS_MIN_CELL = 1  # every count shown: the totals tell the databases apart
    settings.REPLICA_LAG_SECONDS = 30


@pytest.fixture
def facts(world: World) -> int:
    """The statistics store of the primary, and the replica's copy of it with REPLICA_ONLY
    more cases: returns how many cases the primary counts."""
    facts_refresh(full=True)
    rows = list(CaseFact.objects.all())
    with connections[REPLICA].cursor() as cursor:
        # As the replication stream applies rows: without the foreign keys' triggers, so the
        # facts need no cases behind them on this stand-in.
        cursor.execute("SET LOCAL session_replication_role = replica")
    copies = [*rows]
    highest = max(row.pk for row in rows)
    for number in range(1, REPLICA_ONLY + 1):
        extra = CaseFact(**{f.attname: getattr(rows[0], f.attname) for f in CaseFact._meta.fields})
        extra.case_id = highest + number
        copies.append(extra)
    CaseFact.objects.using(REPLICA).bulk_create(copies)
    FactsRefresh.objects.using(REPLICA).create(id=1, as_of=timezone.now())
    return len(rows)


def _total(user: User) -> int | None:
    return statistics_answer(user=user, question=question_from(topic="cases")).total


def _open_total(report: Report) -> Any:
    """The last count of the report's table of open cases by risk: all of them."""
    (table,) = [table for table in report.tables if table.code == "open_by_risk"]
    return table.rows[-1][-1]


def _analyst(world: World, name: str) -> User:
    return UserFactory.create(username=name, role=Role.DATA_ANALYST, agency=world.mosvy)


def _write_as(user: User) -> None:
    """A committed write by ``user``, recorded as every service records one."""
    with transaction.atomic():
        audit.record(actor=user, action="test.write", changes={"note": "written"})


class _UndoneError(Exception):
    pass


def _write_and_undo_as(user: User) -> None:
    with transaction.atomic():
        audit.record(actor=user, action="test.write")
        raise _UndoneError


# --- (a) statistics, reports and exports read the replica -----------------------------------


def test_a_statistic_is_counted_on_the_replica(world: World, facts: int) -> None:
    assert _total(world.analyst) == facts + REPLICA_ONLY


def test_a_report_counts_on_the_replica(
    world: World, facts: int, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = timezone.localdate()
    on_replica = _open_total(
        report_build(
            user=world.analyst,
            code="quarterly_cases",
            year=today.year,
            quarter=(today.month - 1) // 3 + 1,
        )
    )
    settings.DATABASE_ROUTERS = []
    monkeypatch.delitem(django_settings.DATABASES, REPLICA)
    on_primary = _open_total(
        report_build(
            user=world.analyst,
            code="quarterly_cases",
            year=today.year,
            quarter=(today.month - 1) // 3 + 1,
        )
    )
    assert (on_primary, on_replica) == (facts, facts + REPLICA_ONLY)


def _on_replica(*objects: Model) -> None:
    """Copies of ``objects`` in the replica, as replication would have written them."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    for obj in {(type(obj), obj.pk): obj for obj in objects}.values():
        copy = type(obj)(**{f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields})
        type(obj)._default_manager.using(REPLICA).bulk_create([copy])


def _exported(user: User, fields: list[str]) -> dict[str, list[str]]:
    export = CaseExport.objects.create(
        requested_by=user,
        filters={},
        fields=fields,
        reason="Quarterly review",
        format="csv",
        language="en",
    )
    export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    with export.path.open(encoding="utf-8-sig") as file:
        _header, *rows = csv.reader(file)
    return {row[0]: row[1:] for row in rows}


def test_an_export_reads_its_rows_from_the_replica_and_decides_who_sees_what_on_the_primary(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.EXPORTS_DIR = str(tmp_path)
    case = Case.objects.select_related("child__location", "location", "agency", "owner").get(
        pk=world.own_case.pk
    )
    on_replica = Case(**{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields})
    on_replica.summary = "As the replica holds it"
    # A case the supervisor may not see (restricted on the primary) that the replica, behind,
    # still holds as unrestricted.
    hidden = Case.objects.select_related("child").get(pk=world.restricted_case.pk)
    hidden_then = Case(
        **{f.attname: getattr(hidden, f.attname) for f in Case._meta.concrete_fields}
    )
    hidden_then.restricted = False
    _on_replica(
        case.child.location,
        case.location,
        case.agency,
        case.owner,
        case.child,
        on_replica,
        hidden.child,
        hidden_then,
    )

    rows = _exported(world.supervisor, ["case_number", "summary"])

    # The row's content from the replica; the cases it does not hold from the primary.
    assert rows[case.case_number] == ["As the replica holds it"]
    visible = set(
        cases_to_export(user=world.supervisor, filters={}).values_list("case_number", flat=True)
    )
    assert set(rows) == visible
    assert hidden.case_number not in rows


# --- (b) case work, and anything outside a scope, reads the primary -------------------------


def test_case_reads_outside_a_scope_read_the_primary(world: World, facts: int) -> None:
    assert Case.objects.filter(pk=world.own_case.pk).exists()
    assert not Case.objects.using(REPLICA).filter(pk=world.own_case.pk).exists()
    assert CaseFact.objects.count() == facts
    assert scope_alias() is None


def test_an_object_read_from_the_replica_reads_its_relations_from_the_primary_afterwards(
    world: World, facts: int
) -> None:
    with reading_from_replica(user_id=world.analyst.pk):
        fact = CaseFact.objects.get(pk=world.own_case.pk)
    assert fact._state.db == REPLICA
    assert fact.case == world.own_case  # the replica has no cases: this read the primary


# --- (c) read-your-writes --------------------------------------------------------------------


def test_after_writing_a_person_counts_on_the_primary_while_others_use_the_replica(
    world: World, facts: int, django_capture_on_commit_callbacks: Any
) -> None:
    writer, other = _analyst(world, "writer"), _analyst(world, "other")
    with django_capture_on_commit_callbacks(execute=True):
        _write_as(writer)
    assert _total(writer) == facts
    assert _total(other) == facts + REPLICA_ONLY


def test_reading_a_case_or_a_list_leaves_the_reader_on_the_replica(
    world: World, facts: int, django_capture_on_commit_callbacks: Any
) -> None:
    """Readings are recorded in the trail too, but change nothing the reader would then
    count: only writing sends a person's statistics to the primary."""
    reader = _analyst(world, "reader")
    with django_capture_on_commit_callbacks(execute=True):
        case_record_view(actor=reader, case=world.own_case)
        case_record_list_read(actor=reader, what="case", query={}, case_ids=[world.own_case.pk])
    assert _total(reader) == facts + REPLICA_ONLY
    with django_capture_on_commit_callbacks(execute=True):
        _write_as(reader)
    assert _total(reader) == facts


def test_a_write_rolled_back_leaves_the_person_on_the_replica(
    world: World, facts: int, django_capture_on_commit_callbacks: Any
) -> None:
    writer = _analyst(world, "undone")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(_UndoneError):
        _write_and_undo_as(writer)
    assert _total(writer) == facts + REPLICA_ONLY


def test_once_the_lag_window_has_passed_the_writer_reads_the_replica_again(
    world: World, facts: int, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.REPLICA_LAG_SECONDS = 1
    writer = _analyst(world, "patient")
    with django_capture_on_commit_callbacks(execute=True):
        _write_as(writer)
    assert _total(writer) == facts
    time.sleep(1.2)
    assert _total(writer) == facts + REPLICA_ONLY


# --- (d) no replica configured ---------------------------------------------------------------


def test_without_a_replica_a_scope_reads_the_primary(
    world: World, facts: int, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATABASE_ROUTERS = []
    monkeypatch.delitem(django_settings.DATABASES, REPLICA)
    with reading_from_replica(user_id=world.analyst.pk):
        assert scope_alias() == DEFAULT_DB_ALIAS
    assert _total(world.analyst) == facts


# --- (e) writes never go to the replica ------------------------------------------------------


def test_a_write_inside_a_scope_goes_to_the_primary(world: World, facts: int) -> None:
    earlier = timezone.now() - timedelta(days=3)
    with reading_from_replica(user_id=world.analyst.pk):
        assert scope_alias() == REPLICA
        FactsRefresh.objects.filter(id=1).update(as_of=earlier)
        created = User.objects.create(
            username="made-in-scope", role=Role.SOCIAL_WORKER, agency=world.ngo
        )
    assert FactsRefresh.objects.using(DEFAULT_DB_ALIAS).get(id=1).as_of == earlier
    assert FactsRefresh.objects.using(REPLICA).get(id=1).as_of != earlier
    assert created._state.db == DEFAULT_DB_ALIAS
    assert not User.objects.using(REPLICA).filter(username="made-in-scope").exists()


def test_the_router_writes_and_migrates_only_the_primary(world: World) -> None:
    router = ReplicaRouter()
    with reading_from_replica(user_id=None):
        assert router.db_for_read(Case) == REPLICA
        assert router.db_for_write(Case) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Case) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "cases")
    assert not router.allow_migrate(REPLICA, "cases")


def test_the_audit_trail_refuses_to_be_written_inside_a_scope(world: World) -> None:
    with (
        reading_from_replica(user_id=world.analyst.pk),
        transaction.atomic(),
        pytest.raises(RuntimeError, match="outside reading_from_replica"),
    ):
        audit.record(actor=world.analyst, action="test.write")


# --- Settings ----------------------------------------------------------------------------------


def _databases(tmp_path: Path, **env: str) -> str:
    result = _manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS); "
        "d = settings.DATABASES; r = d.get('replica'); "
        "print(r is not None and all(r[k] == d['default'][k] for k in "
        "('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'OPTIONS', 'DISABLE_SERVER_SIDE_CURSORS')))",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_without_a_replica_url_there_is_one_database_and_no_router(tmp_path: Path) -> None:
    assert _databases(tmp_path, **PRODUCTION, SECRET_KEY="x" * 60).splitlines() == [
        "['default'] []",
        "False",
    ]


def test_a_replica_url_adds_a_replica_built_as_the_primary_and_the_router(
    tmp_path: Path,
) -> None:
    out = _databases(
        tmp_path,
        **PRODUCTION,
        SECRET_KEY="x" * 60,
        DATABASE_REPLICA_URL="postgres://reader@replica.internal:5432/cpims",
        DATABASE_DISABLE_SERVER_SIDE_CURSORS="true",
        DATABASE_CONN_MAX_AGE="120",
    )
    assert out.splitlines() == [f"['default', 'replica'] ['{ROUTER}']", "True"]
