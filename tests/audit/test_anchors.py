"""Anchors: what the table's owner can do to the trail (rewrite every hash, cut its end, empty
it) is caught against signed checkpoints kept outside the database; and the application's own
database role can only add to the trail."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from psycopg import sql

from audit import anchors
from audit import services as audit
from audit.chain import GENESIS, row_hash
from audit.models import AuditEvent
from audit.tasks import audit_anchor

ROW_FIELDS = [
    "created_at",
    "actor_id",
    "actor_username",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "changes",
    "request_id",
    "ip",
]


def _record(action: str, **changes: object) -> AuditEvent:
    with transaction.atomic():
        return audit.record(actor=None, action=action, changes=changes)


def _verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def _as_table_owner(*statements: tuple[str, list[Any]]) -> None:
    """What the owner of the table (or a superuser) can do: switch the guards off."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        for statement, params in statements:
            cursor.execute(statement, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def _rewrite_history(event_id: int, **changes: object) -> None:
    """Changes one event and recomputes every hash from there on, so the chain links again."""
    updates = []
    prev_hash = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        fields = {name: getattr(event, name) for name in ROW_FIELDS}
        if event.pk == event_id:
            fields["changes"] = changes
        new_hash = row_hash(prev_hash=prev_hash, **fields)
        updates.append(
            (
                "UPDATE audit_auditevent SET changes = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [json.dumps(fields["changes"]), prev_hash, new_hash, event.pk],
            )
        )
        prev_hash = new_hash
    _as_table_owner(*updates)


def test_an_untouched_trail_verifies_against_its_anchors(db: None) -> None:
    _record("a")
    _record("b")
    first = anchors.anchor_write()
    _record("c")
    second = anchors.anchor_write()
    assert first is not None
    assert second is not None
    assert (first.count, second.count) == (2, 3)
    output = _verify()
    assert "Audit trail intact: 3 events verified." in output
    assert "2 anchors verified" in output


def test_an_anchor_is_written_only_when_the_trail_has_grown(db: None, anchor_file: Path) -> None:
    assert anchors.anchor_write() is None  # nothing to anchor yet
    _record("a")
    assert anchors.anchor_write() is not None
    assert anchors.anchor_write() is None
    assert len(anchor_file.read_text().splitlines()) == 1


def test_rehashing_the_whole_chain_is_caught_by_an_anchor(db: None) -> None:
    _record("a")
    promoted = _record("user.update", role="social_worker")
    _record("c")
    anchors.anchor_write()
    _rewrite_history(promoted.pk, role="system_admin")
    assert audit.verify_chain() is None  # the chain alone no longer tells
    with pytest.raises(CommandError, match="does not have the hash anchored"):
        _verify()


def test_deleting_the_newest_events_is_caught_by_an_anchor(db: None) -> None:
    kept = _record("a")
    _record("b")
    newest = _record("c")
    anchors.anchor_write()
    _as_table_owner(("DELETE FROM audit_auditevent WHERE id > %s", [kept.pk]))
    assert audit.verify_chain() is None
    with pytest.raises(CommandError, match=rf"ends at event {kept.pk}.*up to event {newest.pk}"):
        _verify()


def test_emptying_the_table_is_caught_by_an_anchor(db: None) -> None:
    _record("a")
    anchors.anchor_write()
    _as_table_owner(("TRUNCATE audit_auditevent", []))
    assert not AuditEvent.objects.exists()
    with pytest.raises(CommandError, match=r"ends at event 0.*the table was emptied"):
        _verify()


def test_the_database_refuses_to_empty_the_audit_table(db: None) -> None:
    _record("a")
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_a_forged_anchor_is_caught(db: None, anchor_file: Path) -> None:
    _record("a")
    anchor = anchors.anchor_write()
    assert anchor is not None
    forged = json.loads(anchor_file.read_text())
    forged["count"] = 0
    with anchor_file.open("a") as file:
        file.write(json.dumps(forged) + "\n")
    with pytest.raises(CommandError, match=r"line 2 .* signature does not match"):
        _verify()


def test_an_anchor_signed_with_another_key_is_caught(db: None, settings: Any) -> None:
    _record("a")
    settings.AUDIT_ANCHOR_KEY = "a-key-the-system-does-not-have-" + "x" * 16
    anchors.anchor_write()
    settings.AUDIT_ANCHOR_KEY = "the-real-key-" + "y" * 32
    with pytest.raises(CommandError, match="signature does not match AUDIT_ANCHOR_KEY"):
        _verify()


def test_a_restored_backup_verifies_against_the_anchors_it_reaches(db: None) -> None:
    last_in_backup = _record("a")
    anchors.anchor_write()
    _record("b")
    anchors.anchor_write()
    # Restoring the backup taken after "a" is, for the trail, the same as cutting its end.
    _as_table_owner(("DELETE FROM audit_auditevent WHERE id > %s", [last_in_backup.pk]))
    with pytest.raises(CommandError):
        _verify()
    assert "Audit trail intact: 1 events verified." in _verify("--restored-backup")


def test_beat_writes_an_anchor_every_few_minutes() -> None:
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == audit_anchor.name
    ]
    assert entry["task"] == "audit.tasks.audit_anchor"
    schedule = entry["schedule"]
    assert isinstance(schedule, timedelta)
    assert schedule <= timedelta(minutes=15)


def test_the_anchor_task_writes_a_signed_anchor_of_the_chain_head(
    db: None, anchor_file: Path
) -> None:
    _record("a")
    head = _record("b")
    assert audit_anchor.apply().get() == head.pk
    [line] = anchor_file.read_text().splitlines()
    anchor = anchors.parse_anchor(line)
    assert (anchor.last_id, anchor.last_hash, anchor.count) == (head.pk, head.hash, 2)


def test_the_anchor_command_writes_an_anchor(db: None, anchor_file: Path) -> None:
    head = _record("a")
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    assert f"Anchored event {head.pk} (1 events)" in out.getvalue()
    assert anchor_file.exists()


def _throwaway_role() -> str:
    # Roles belong to the whole server: a unique name keeps parallel test databases apart.
    return f"cpims_app_test_{uuid.uuid4().hex[:12]}"


def test_the_application_role_can_add_to_the_trail_but_not_change_or_empty_it(db: None) -> None:
    role = _throwaway_role()
    # Created in the test's transaction, so it disappears with it.
    call_command("grant_app_role", role, stdout=StringIO())
    earlier = _record("before")
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SET ROLE {}").format(sql.Identifier(role)).as_string(cursor.connection)
        )
        try:
            added = _record("as.application")
            assert AuditEvent.objects.filter(pk=earlier.pk).exists()
            for statement in (
                "UPDATE audit_auditevent SET action = 'nothing.happened'",
                "DELETE FROM audit_auditevent",
                "TRUNCATE audit_auditevent",
            ):
                with (
                    pytest.raises(
                        DatabaseError, match="permission denied for table audit_auditevent"
                    ),
                    transaction.atomic(),
                ):
                    cursor.execute(statement)
            # Every other table stays the application's to write.
            cursor.execute(
                "UPDATE accounts_servicetype SET label_en = 'Shelter' WHERE code = 'shelter'"
            )
            assert cursor.rowcount == 1
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.filter(pk=added.pk, action="as.application").exists()
    assert audit.verify_chain() is None


def test_granting_the_application_role_refuses_the_owner_of_the_tables(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match=r"superuser|owner"):
        call_command("grant_app_role", owner, stdout=StringIO())
