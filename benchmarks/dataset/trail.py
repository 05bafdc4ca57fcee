"""The audit trail of the generated history, as a valid hash chain.

Cases are generated in the order they were opened, but each one's events run on for months, so
:class:`Trail` holds events in a heap and lets them out once every case that could still come
before them has been generated: the trail is in time order, as the real one is. :class:`Chain`
then appends them, each row's hash computed by ``audit.chain.row_hash``, the function
``verify_audit`` checks it with."""

from __future__ import annotations

import heapq
import json
import random
from datetime import datetime
from typing import Any

from audit.chain import row_hash
from benchmarks.dataset.organisations import Person
from benchmarks.dataset.tables import Table

# Private addresses of the offices' networks.
_NETWORKS = ("10.12", "10.17", "10.2", "10.1", "172.16", "192.168")

# When it happened, and (actor id, username, agency id, action, object type, object id,
# case id, changes).
Event = tuple[datetime, tuple[Any, ...]]


class Trail:
    def __init__(self) -> None:
        # (timestamp, arrival order, when, event): floats compare faster than aware datetimes.
        self._pending: list[tuple[float, int, datetime, tuple[Any, ...]]] = []
        self._order = 0

    def add(
        self,
        at: datetime,
        actor: Person | None,
        action: str,
        *,
        object_type: str = "",
        object_id: int | str = "",
        case_id: int | None = None,
        changes: dict[str, Any] | None = None,
    ) -> None:
        """An event at ``at``; ``changes`` holds JSON values only (str, int, bool, lists)."""
        event = (
            actor.id if actor else None,
            actor.username if actor else "",
            actor.agency.id if actor and actor.agency else None,
            action,
            object_type,
            str(object_id),
            case_id,
            changes or {},
        )
        self._order += 1
        heapq.heappush(self._pending, (at.timestamp(), self._order, at, event))

    def release(self, until: datetime | None) -> list[Event]:
        """The events up to ``until`` (all of them when None), in time order."""
        pending, released = self._pending, []
        limit = until.timestamp() if until is not None else float("inf")
        while pending and pending[0][0] <= limit:
            _timestamp, _order, at, event = heapq.heappop(pending)
            released.append((at, event))
        return released


class Chain:
    """Appends events to the audit table, each linked to the one before by its hash."""

    def __init__(self, table: Table, *, prev_hash: str, seed: str) -> None:
        self.table = table
        self.prev_hash = prev_hash
        self.rng = random.Random(f"{seed}:audit")  # noqa: S311 - synthetic request ids

    def append(self, events: list[Event]) -> None:
        table, rng = self.table, self.rng
        for at, event in events:
            actor_id, username, agency_id, action, object_type, object_id, case_id, changes = event
            request_id = f"{rng.getrandbits(128):032x}"
            network = _NETWORKS[int(rng.random() * len(_NETWORKS))]
            ip = f"{network}.{int(rng.random() * 256)}.{1 + int(rng.random() * 254)}"
            digest = row_hash(
                prev_hash=self.prev_hash,
                created_at=at,
                actor_id=actor_id,
                actor_username=username,
                agency_id=agency_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                case_id=case_id,
                changes=changes,
                request_id=request_id,
                ip=ip,
            )
            table.add(
                id=table.new_id(),
                created_at=at,
                actor_id=actor_id,
                actor_username=username,
                agency_id=agency_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                case_id=case_id,
                changes=json.dumps(changes, ensure_ascii=False),
                request_id=request_id,
                ip=ip,
                prev_hash=self.prev_hash,
                hash=digest,
            )
            self.prev_hash = digest
