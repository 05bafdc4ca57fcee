"""Reads that may come from a PostgreSQL replica: statistics, reports and exports.

A database router sees a model, never its caller, and the same models are read by case work
(which must see the latest write: an access check, a case being edited) and by an export or a
statistic (which may be a few seconds behind). So the replica is chosen by scope, not by
model: code whose reads may lag says so with :func:`reading_from_replica`, and
``cpims.db_router.ReplicaRouter`` sends the reads made inside that scope to the replica.
Outside a scope, and with no replica configured, everything reads the primary. A scope wraps
reads only: writes go to the primary wherever they are made, and the audit trail refuses to be
written from inside one (its chain must be read where it is written).

Read-your-writes: every write goes through a service that records an audit event, and the trail
calls :func:`remember_writer` for its actor. When the transaction commits, the primary's WAL
position is kept in the cache for ``REPLICA_LAG_SECONDS``; a scope opened for that person in
that window reads the replica only once the replica has replayed past that position, and the
primary until then. Other people keep reading the replica.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

REPLICA = "replica"

# The database the current scope reads from; None outside any scope.
_scope_alias: ContextVar[str | None] = ContextVar("replica_scope_alias", default=None)


def replica_configured() -> bool:
    """Whether a replica is configured (``DATABASE_REPLICA_URL``)."""
    return REPLICA in settings.DATABASES


def scope_alias() -> str | None:
    """The database reads of the current scope go to, or None outside a scope."""
    return _scope_alias.get()


@contextmanager
def reading_from_replica(*, user_id: int | None) -> Iterator[None]:
    """Reads inside go to the replica, when there is one and it holds what ``user_id`` (the
    person the reads are for: the reader, an export's requester) last wrote. Never wrap what
    decides who sees which case: a case restricted or transferred a moment ago may not have
    reached the replica. A scope opened inside another keeps the outer one's choice."""
    if _scope_alias.get() is not None:
        yield
        return
    token = _scope_alias.set(_alias_for(user_id))
    try:
        yield
    finally:
        _scope_alias.reset(token)


def _alias_for(user_id: int | None) -> str:
    if not replica_configured():
        return DEFAULT_DB_ALIAS
    position = cache.get(_writer_key(user_id)) if user_id is not None else None
    if position is None or _replica_has_replayed(position):
        return REPLICA
    return DEFAULT_DB_ALIAS


def _replica_has_replayed(position: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to ``position``. An empty position
    (a primary that is not PostgreSQL) and a database that replays nothing (not a standby:
    the function answers NULL) both count as not yet."""
    if not position:
        return False
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
        row = cursor.fetchone()
    return bool(row and row[0])


def remember_writer(user_id: int) -> None:
    """Called inside the transaction of a write made by ``user_id``: once it commits, their
    scopes read the primary until the replica has caught up with it. Nothing without a
    replica."""
    if replica_configured():
        # Robust: the write has committed, so a cache that cannot be reached is logged, and
        # does not turn the person's request into an error.
        transaction.on_commit(partial(_mark_writer, user_id), robust=True)


def _primary_position() -> str:
    """The primary's WAL position now ("" when it is not PostgreSQL)."""
    primary = connections[DEFAULT_DB_ALIAS]
    if primary.vendor != "postgresql":
        return ""
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        row = cursor.fetchone()
    return row[0] if row else ""


def _mark_writer(user_id: int) -> None:
    # Read after the commit: the position is at or past the commit's own WAL record.
    cache.set(_writer_key(user_id), _primary_position(), timeout=settings.REPLICA_LAG_SECONDS)


def _writer_key(user_id: int | None) -> str:
    return f"replica:wrote:{user_id}"
