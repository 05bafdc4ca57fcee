"""Sends the reads of statistics, reports and exports to the replica (core.replica).

Installed only when ``DATABASE_REPLICA_URL`` is set. It routes by scope, not by model: the
models an export reads are those case work reads, and case work must read the primary.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model

from core.replica import scope_alias


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        # Outside a scope the primary, even for an object read from the replica (Django would
        # otherwise follow the object's own database for its related rows).
        return scope_alias() or DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Both databases hold the same rows: an object read from one may point at the other's.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        # The replica receives the schema by replication.
        return db == DEFAULT_DB_ALIAS
