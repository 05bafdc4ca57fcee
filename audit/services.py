"""Writing the trail. Called by every domain service inside its own transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from audit import context
from audit.chain import GENESIS, canonical_json, row_hash
from audit.models import AuditEvent
from core import replica
from core.compiled import CompiledQuery

MASK = "***"
# Field names whose values never enter the trail, whichever service reports them.
ALWAYS_MASKED = frozenset({"password", "token", "key_hash", "secret"})

# pg_advisory_xact_lock key: one chain, so appends are serialised until their transaction ends.
_CHAIN_LOCK_KEY = 0x435049_4D53


class Actor(Protocol):
    pk: Any
    username: str


def record(
    *,
    actor: Actor | None,
    action: str,
    obj: Model | None = None,
    case_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    masked: Iterable[str] = (),
    reading: bool = False,
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction so the event and the change it
    describes are committed, or rolled back, together. ``reading``: the event records a reading
    (of a case file, of a list's page), which changes nothing the reader might then look for,
    so their reports stay on the replica (core.replica)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside the service's transaction")
    if not reading:
        _remember_writer(actor)
    fields = _fields(actor=actor, action=action, obj=obj, changes=changes, masked=masked)
    prev_hash = _lock_chain_head()
    fields.update(created_at=timezone.now(), case_id=case_id)
    return AuditEvent.objects.create(
        prev_hash=prev_hash, hash=row_hash(prev_hash=prev_hash, **fields), **fields
    )


def record_each(
    *,
    actor: Actor | None,
    action: str,
    events: Iterable[tuple[Model, Mapping[str, Any]]],
    masked: Iterable[str] = (),
    batch_size: int = 1000,
) -> int:
    """Append one event per (object, changes) of ``events``, each about its own case (the
    object is a case) with its own changes (cases imported from a file), chained and batched
    as :func:`record_many` does. Returns how many were written."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record_each must be called inside the service's transaction")
    _remember_writer(actor)
    masked = tuple(masked)
    prev_hash = _lock_chain_head()
    written = 0
    batch: list[AuditEvent] = []
    for obj, changes in events:
        row = _fields(actor=actor, action=action, obj=obj, changes=changes, masked=masked)
        row.update(created_at=timezone.now(), case_id=obj.pk)
        event = AuditEvent(prev_hash=prev_hash, hash=row_hash(prev_hash=prev_hash, **row), **row)
        prev_hash = event.hash
        batch.append(event)
        if len(batch) == batch_size:
            AuditEvent.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    return written + len(batch)


def record_many(
    *,
    actor: Actor | None,
    action: str,
    case_ids: Iterable[int],
    obj: Model | None = None,
    changes: Mapping[str, Any] | None = None,
    masked: Iterable[str] = (),
    batch_size: int = 1000,
) -> int:
    """Append one event per case of ``case_ids``, alike but for the case (an export of a
    hundred thousand cases, in each case's history), in batches of ``batch_size`` rows: each
    row chained to the one before as :func:`record` chains it, under the same lock, so the
    chain verifies as if each had been recorded alone. Returns how many were written."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record_many must be called inside the service's transaction")
    _remember_writer(actor)
    fields = _fields(actor=actor, action=action, obj=obj, changes=changes, masked=masked)
    prev_hash = _lock_chain_head()
    written = 0
    batch: list[AuditEvent] = []
    for case_id in case_ids:
        row = {**fields, "created_at": timezone.now(), "case_id": case_id}
        event = AuditEvent(prev_hash=prev_hash, hash=row_hash(prev_hash=prev_hash, **row), **row)
        prev_hash = event.hash
        batch.append(event)
        if len(batch) == batch_size:
            # One INSERT per batch; PostgreSQL numbers its rows in the order they are given.
            AuditEvent.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    return written + len(batch)


def _remember_writer(actor: Actor | None) -> None:
    # Every write records an event: its actor reads their own writes from here on (core.replica).
    if actor is not None and actor.pk is not None:
        replica.remember_writer(actor.pk)


def _fields(
    *,
    actor: Actor | None,
    action: str,
    obj: Model | None,
    changes: Mapping[str, Any] | None,
    masked: Iterable[str],
) -> dict[str, Any]:
    """What an event records besides its time, its case and its place in the chain."""
    hidden = ALWAYS_MASKED | set(masked)
    request = context.current()
    return {
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": actor.username if actor is not None else "",
        "agency_id": getattr(actor, "agency_id", None),
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "changes": canonical_json(
            {key: (MASK if key in hidden else value) for key, value in (changes or {}).items()}
        ),
        "request_id": request.request_id if request else "",
        "ip": request.ip if request else None,
    }


# Every request that reads or writes a case appends to the chain: compiled once (core.compiled).
_CHAIN_HEAD = CompiledQuery(lambda: AuditEvent.objects.order_by("-id").values_list("hash")[:1])


def _lock_chain_head() -> str:
    """The hash of the newest row, with the chain locked until the transaction ends."""
    if replica.scope_alias() is not None:
        # The head read from a replica would be an old one, and the chain would fork.
        raise RuntimeError("the audit trail is written outside reading_from_replica()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    head = _CHAIN_HEAD.rows()
    return head[0][0] if head else GENESIS


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


@transaction.atomic
def verify_chain() -> int | None:
    """The id of the first row whose hash or link is wrong, or None when the chain holds."""
    expected_prev = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        recomputed = row_hash(
            prev_hash=event.prev_hash,
            created_at=event.created_at,
            actor_id=event.actor_id,
            actor_username=event.actor_username,
            agency_id=event.agency_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            case_id=event.case_id,
            changes=event.changes,
            request_id=event.request_id,
            ip=event.ip,
        )
        if event.prev_hash != expected_prev or event.hash != recomputed:
            return event.pk
        expected_prev = event.hash
    return None
