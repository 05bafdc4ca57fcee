"""Operations for migrations that only PostgreSQL can run (trigram and GIN indexes, triggers):
the quick-start database, SQLite, goes without them, and the code falls back where it must."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _executing(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def sql_on_postgresql(forward: str, backward: str) -> migrations.RunPython:
    """Runs ``forward`` on PostgreSQL (``backward`` to undo it); nothing elsewhere."""
    return migrations.RunPython(_executing(forward), _executing(backward))
