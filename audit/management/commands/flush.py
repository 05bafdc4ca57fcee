from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

_TRUNCATE_GUARD_EXISTS = """
SELECT EXISTS (
    SELECT 1 FROM pg_trigger
    WHERE tgname = 'audit_event_no_truncate' AND tgrelid = to_regclass('audit_auditevent')
)
"""


class Command(flush.Command):
    """Django's flush, which empties every table with one TRUNCATE. On PostgreSQL the audit
    table refuses TRUNCATE; emptying the whole database is a decision for the role that owns
    it, so flush lifts the guard for its own transaction only, and the database refuses this
    to any other role (the application's). verify_audit reports the emptied trail against its
    anchors afterwards."""

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(_TRUNCATE_GUARD_EXISTS)
            guarded = cursor.fetchone()[0]
            if guarded:
                cursor.execute(
                    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_truncate"
                )
            super().handle(**options)
            if guarded:
                cursor.execute(
                    "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_truncate"
                )
