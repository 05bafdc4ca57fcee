"""Versions of people and agencies: each change bumps one, an edit naming an older one is
refused and changes nothing, and each service owns its transaction and its lock."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from accounts import services
from accounts.choices import Role, ServiceCode
from accounts.models import Agency, User
from core.errors import StaleVersionError
from tests.conftest import World
from tests.factories import UserFactory


def test_an_edit_bumps_the_version_and_one_naming_the_old_version_is_refused(
    world: World,
) -> None:
    read = world.worker.version
    edited = services.user_update(
        actor=world.system_admin, user=world.worker, expected_version=read, full_name="First"
    )
    assert edited.version == read + 1

    with pytest.raises(StaleVersionError):
        services.user_update(
            actor=world.system_admin, user=world.worker, expected_version=read, full_name="Second"
        )
    world.worker.refresh_from_db()
    assert (world.worker.full_name, world.worker.version) == ("First", read + 1)


def test_an_edit_that_changes_nothing_keeps_the_version(world: World) -> None:
    read = world.worker.version
    services.user_update(
        actor=world.system_admin,
        user=world.worker,
        expected_version=read,
        full_name=world.worker.full_name,
    )
    world.worker.refresh_from_db()
    assert world.worker.version == read


def test_a_refused_edit_does_not_bump_the_version(world: World) -> None:
    read = world.worker.version
    with pytest.raises(StaleVersionError):
        services.user_update(
            actor=world.system_admin, user=world.worker, expected_version=read + 1, email=""
        )
    world.worker.refresh_from_db()
    assert world.worker.version == read
    assert world.worker.email != ""


def test_ones_own_preferences_are_a_change_of_the_account(world: World) -> None:
    read = world.worker.version
    saved = services.user_set_preferences(actor=world.worker, preferred_language="km")
    assert (saved.preferred_language, saved.version) == ("km", read + 1)
    services.user_set_preferences(actor=world.worker, preferred_language="km")
    world.worker.refresh_from_db()
    assert world.worker.version == read + 1


def test_an_agency_edit_checks_and_bumps_the_agency_version(world: World) -> None:
    read = world.ngo.version
    services.agency_update(
        actor=world.system_admin,
        agency=world.ngo,
        expected_version=read,
        services=[ServiceCode.LEGAL_AID],
    )
    with pytest.raises(StaleVersionError):
        services.agency_update(
            actor=world.system_admin, agency=world.ngo, expected_version=read, name="Renamed"
        )
    agency = Agency.objects.get(pk=world.ngo.pk)
    assert (agency.name, agency.version) == (world.ngo.name, read + 1)
    assert list(agency.service_rows.values_list("service", flat=True)) == [ServiceCode.LEGAL_AID]


def test_a_service_refuses_to_run_inside_another_transaction(world: World) -> None:
    """Services own their transaction: one run inside a caller's would commit, lock and check
    the version only as part of something larger that it does not control."""
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.user_update(actor=world.system_admin, user=world.worker, full_name="Nested")
    world.worker.refresh_from_db()
    assert world.worker.full_name != "Nested"


def _wait_until_another_session_waits_for_this_one() -> None:
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks"
                " WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the edit never waited for the locked row")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edit_waits_for_the_row_and_then_sees_the_change_it_did_not_read() -> None:
    """Two editors read the same version; the first holds the row while it saves. The second
    waits for it, then finds a newer version than the one it read and is refused."""
    admin = UserFactory.create(role=Role.SYSTEM_ADMIN, agency=None)
    person = UserFactory.create()
    read = person.version
    outcome: list[str] = []

    def second_editor() -> None:
        try:
            services.user_update(actor=admin, user=person, expected_version=read, full_name="B")
            outcome.append("saved")
        except StaleVersionError:
            outcome.append("stale")
        except Exception as error:  # reported by the assertion below
            outcome.append(repr(error))
        finally:
            connections.close_all()

    with transaction.atomic():
        first = User.objects.select_for_update().get(pk=person.pk)
        editor = threading.Thread(target=second_editor)
        editor.start()
        _wait_until_another_session_waits_for_this_one()
        User.objects.filter(pk=first.pk).update(full_name="A", version=read + 1)
    editor.join(timeout=10)

    assert outcome == ["stale"]
    person.refresh_from_db()
    assert (person.full_name, person.version) == ("A", read + 1)
