"""Times read by psycopg's C loader (core.timestamps): the values Django's own loader gives,
in UTC, from a connection's every cursor."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import Format

from cases.models import Case
from core.timestamps import TIMESTAMPTZ_OID, UtcTimestamptzLoader
from tests.conftest import World

TIMES = (
    "now()",
    "timestamptz '2026-01-01 10:00:00.123456+07'",
    "timestamptz '2026-06-30 23:59:59.999999-09:30'",
    "timestamptz '0001-01-01 00:00:00+00'",
    "timestamptz '9999-12-31 23:59:59.999999+00'",
    "NULL::timestamptz",
)


def _read(loader: type) -> tuple[datetime.datetime | None, ...]:
    with connection.cursor() as cursor:
        cursor.connection.adapters.register_loader("timestamptz", loader)
        cursor.execute(f"SELECT {', '.join(TIMES)}, now() - interval '1 second'")
        row = cursor.fetchone()
    assert row is not None
    return tuple(row[1:-1])


@pytest.mark.django_db
def test_a_connection_reads_times_through_it_and_its_cursors_keep_it() -> None:
    connection.ensure_connection()
    adapters = connection.connection.adapters
    assert adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is UtcTimestamptzLoader
    with connection.cursor() as cursor:
        # Django would give a cursor its own loader were the zones to differ.
        assert cursor.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is (
            UtcTimestamptzLoader
        )


@pytest.mark.django_db
def test_the_values_are_djangos_in_utc() -> None:
    class DjangosUtc(BaseTzLoader):
        timezone = datetime.UTC

    try:
        expected = _read(DjangosUtc)
        found = _read(UtcTimestamptzLoader)
    finally:
        connection.connection.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
    assert found == expected
    assert found[0] == datetime.datetime(2026, 1, 1, 3, 0, 0, 123456, tzinfo=datetime.UTC)
    assert all(value.tzinfo is datetime.UTC for value in found if value is not None)
    assert found[-1] is None


def test_a_saved_time_reads_back_the_same(world: World) -> None:
    at = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)
    Case.objects.filter(pk=world.own_case.pk).update(respond_by=at)
    case = Case.objects.get(pk=world.own_case.pk)
    assert case.respond_by == at
    assert case.respond_by.tzinfo is datetime.UTC
