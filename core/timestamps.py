"""Times read from PostgreSQL by psycopg's C loader.

Django registers its own loader of ``timestamptz`` values on each connection, to give them
its time zone: a subclass of psycopg's loader written in Python, which parses each value in
Python (a page of fifty cases reads about 250 of them: a twentieth of the request's Python).
When Django's zone is UTC (``USE_TZ``, the database's ``TIME_ZONE`` unset), the session's is
too, and psycopg's C loader gives the very values Django's does, in ``datetime.timezone.utc``:
each new connection is given :class:`UtcTimestamptzLoader` instead, which hands each value to
it. Django reads the loader's ``timezone`` to decide whether a cursor needs its own loader; it
finds UTC, as with its own.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import abc, adapters
from psycopg.adapt import Loader
from psycopg.postgres import types
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ_OID = types["timestamptz"].oid
# The default loader of the text format: psycopg's C one where its binary build is installed.
_DEFAULT_LOADER: type[abc.Loader] = (
    adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) or TimestamptzLoader
)


class UtcTimestamptzLoader(Loader):
    timezone = datetime.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._load = _DEFAULT_LOADER(oid, context).load

    def load(self, data: Any) -> datetime.datetime:
        return self._load(data)


def load_timestamps_in_c(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """On ``connection_created``: the C loader for a PostgreSQL connection in UTC."""
    if connection.vendor == "postgresql" and connection.timezone is datetime.UTC:
        connection.connection.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
