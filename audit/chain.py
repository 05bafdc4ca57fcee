"""The hash chain: what a row's hash covers, computed the same way when writing and verifying."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> Any:
    """The value as JSON will give it back (str for dates and decimals), so what is hashed is
    exactly what is stored."""
    return json.loads(json.dumps(value, sort_keys=True, default=str, ensure_ascii=False))


def row_hash(
    *,
    prev_hash: str,
    created_at: datetime,
    actor_id: int | None,
    actor_username: str,
    agency_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    case_id: int | None,
    changes: Any,
    request_id: str,
    ip: str | None,
) -> str:
    material = json.dumps(
        [
            prev_hash,
            created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_id,
            actor_username,
            agency_id,
            action,
            object_type,
            object_id,
            case_id,
            changes,
            request_id,
            ip,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode()).hexdigest()
