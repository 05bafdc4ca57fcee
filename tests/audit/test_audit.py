from __future__ import annotations

import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client

from accounts.choices import LocationLevel
from audit import services as audit
from audit.models import AuditEvent
from tests.conftest import World
from tests.factories import UserFactory


def _record(action: str, **changes: object) -> AuditEvent:
    with transaction.atomic():
        return audit.record(actor=None, action=action, changes=changes)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recording_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="nothing")
    assert not AuditEvent.objects.exists()


def test_each_event_links_to_the_previous_one_and_the_chain_verifies(db: None) -> None:
    first, second, third = (_record(f"step.{n}") for n in range(3))
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit.verify_chain() is None
    call_command("verify_audit")


def test_sensitive_values_never_enter_the_trail(db: None) -> None:
    event = _record("user.update", password="hunter2-secret", full_name="ស្រីមុំ")
    assert event.changes == {"password": "***", "full_name": "ស្រីមុំ"}
    assert "hunter2" not in str(AuditEvent.objects.values_list("changes", flat=True).get())


def test_a_service_write_records_actor_agency_request_id_and_address(world: World) -> None:
    client = Client()
    client.force_login(world.system_admin)
    response = client.post(
        "/api/v1/locations/",
        {
            "code": "9901",
            "name_en": "Test district",
            "name_km": "ស្រុកសាកល្បង",
            "level": LocationLevel.DISTRICT,
            "parent": world.phnom_penh.pk,
        },
        content_type="application/json",
        headers={"X-Request-ID": "req-0123456789"},
    )
    assert response.status_code == 201, response.content
    assert response.headers["X-Request-ID"] == "req-0123456789"
    event = AuditEvent.objects.get(action="location.create")
    assert event.actor_id == world.system_admin.pk
    assert event.actor_username == "system_admin"
    assert event.request_id == "req-0123456789"
    assert event.ip == "127.0.0.1"
    assert event.object_type == "accounts.location"
    assert event.changes["name_km"] == "ស្រុកសាកល្បង"


def test_a_failed_write_leaves_no_audit_event(world: World) -> None:
    client = Client()
    client.force_login(world.system_admin)
    before = AuditEvent.objects.count()
    response = client.post(
        "/api/v1/locations/",
        {
            "code": "9902",
            "name_en": "Bad",
            "name_km": "ខុស",
            "level": LocationLevel.COMMUNE,
            "parent": world.phnom_penh.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert AuditEvent.objects.count() == before


def test_the_database_refuses_to_update_an_audit_row(db: None) -> None:
    event = _record("case.view")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")
    event.refresh_from_db()
    assert event.action == "case.view"


def test_the_database_refuses_to_delete_an_audit_row(db: None) -> None:
    event = _record("case.view")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def _bypassing_the_guard(sql: str, params: list[int | str]) -> None:
    """What an attacker with table-owner rights could do: switch the trigger off."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_verify_audit_detects_an_altered_row(db: None) -> None:
    _record("a")
    altered = _record("user.update", role="social_worker")
    _record("c")
    _bypassing_the_guard(
        "UPDATE audit_auditevent SET changes = %s WHERE id = %s",
        ['{"role": "system_admin"}', altered.pk],
    )
    assert audit.verify_chain() == altered.pk
    with pytest.raises(CommandError, match=f"broken at event {altered.pk}"):
        call_command("verify_audit")


def test_verify_audit_detects_a_removed_row(db: None) -> None:
    _record("a")
    removed = _record("b")
    after = _record("c")
    _bypassing_the_guard("DELETE FROM audit_auditevent WHERE id = %s", [removed.pk])
    assert audit.verify_chain() == after.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_one_unbroken_chain() -> None:
    """Two transactions appending at once must not both link to the same previous row."""
    actor = UserFactory.create(username="concurrent")
    first_has_recorded = threading.Event()
    errors: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                audit.record(actor=actor, action="slow")
                first_has_recorded.set()
                time.sleep(0.5)  # still uncommitted while the other writer arrives
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def fast_writer() -> None:
        try:
            first_has_recorded.wait(timeout=5)
            with transaction.atomic():
                audit.record(actor=actor, action="fast")
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=fast_writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "slow",
        "fast",
    ]
    assert audit.verify_chain() is None
