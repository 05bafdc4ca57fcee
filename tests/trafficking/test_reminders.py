"""The pathway's reminders: a trafficking case waiting for its identification reminds its owner
once; a repatriation that does not move reminds the owner and her supervisor, again each
period while it stays. Through the sweep, and through a real Celery worker."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import timezone

from cases.models import Case, CaseConcern
from cases.services.case import case_update
from notifications.models import Notification, NotificationKind
from notifications.reminders import reminder_sweep, run_sweep
from tests.conftest import World, api_client
from tests.factories import CaseFactory
from tests.imports.conftest import csv_bytes, imported, row
from tests.notifications.conftest import wait_until
from trafficking.models import IdentificationWatch, Repatriation, VictimIdentification

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _trafficking_case(world: World, *, days_old: int) -> Case:
    """A case opened ``days_old`` days ago whose owner then records a trafficking concern."""
    case = CaseFactory.create(owner=world.worker, location=world.pp_village)
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=days_old))
    return case_update(
        actor=world.worker, case=case, changes={"concerns": ["labour_trafficking", "neglect"]}
    )


def _notified(kind: str) -> list[tuple[int, int | None]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", "case_id"))


def test_an_unidentified_trafficking_case_reminds_its_owner_once(world: World) -> None:
    waiting = _trafficking_case(world, days_old=8)
    _trafficking_case(world, days_old=2)  # not yet
    identified = _trafficking_case(world, days_old=30)
    answer = api_client(world.worker).post(
        f"/api/v1/cases/{identified.pk}/victim-identifications/",
        {"date": timezone.localdate().isoformat(), "status": "presumed"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    CaseFactory.create(owner=world.worker, location=world.pp_village)  # no trafficking concern

    run_sweep()
    run_sweep()

    assert _notified(NotificationKind.IDENTIFICATION_DUE) == [(world.worker.pk, waiting.pk)]


def test_a_case_registered_as_trafficking_is_watched_from_its_opening(world: World) -> None:
    answer = api_client(world.worker).post(
        "/api/v1/cases/",
        {
            "child": {
                "given_name": "Dara",
                "family_name": "Sok",
                "sex": "male",
                "estimated_age": 14,
                "location": world.pp_village.pk,
            },
            "concerns": ["sex_trafficking"],
            "source": "police",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    wait = timedelta(days=settings.IDENTIFICATION_DAYS)

    run_sweep(now=timezone.now() + wait - timedelta(hours=1))
    assert _notified(NotificationKind.IDENTIFICATION_DUE) == []
    run_sweep(now=timezone.now() + wait + timedelta(hours=1))
    assert _notified(NotificationKind.IDENTIFICATION_DUE) == [
        (world.worker.pk, answer.json()["id"])
    ]


def test_a_trafficking_concern_taken_off_drops_the_reminder_and_one_put_back_restores_it(
    world: World,
) -> None:
    case = _trafficking_case(world, days_old=30)
    case_update(actor=world.worker, case=case, changes={"concerns": ["neglect"]})
    run_sweep()
    assert _notified(NotificationKind.IDENTIFICATION_DUE) == []

    case_update(actor=world.worker, case=case, changes={"concerns": ["sex_trafficking"]})
    run_sweep()
    assert _notified(NotificationKind.IDENTIFICATION_DUE) == [(world.worker.pk, case.pk)]


def test_an_imported_trafficking_case_is_watched(world: World) -> None:
    content = csv_bytes(
        [
            row(1, world.pp_village, concerns="labour_trafficking"),
            row(2, world.pp_village, concerns="neglect"),
        ]
    )
    assert imported(world.supervisor, content)["created"] == 2
    watched = IdentificationWatch.objects.values_list("case__external_ids__external_id", flat=True)
    assert list(watched) == ["S-1"]


def test_the_migration_watches_the_trafficking_cases_opened_before_it(world: World) -> None:
    """Cases whose concern was written before watches were made at writing: open, trafficking,
    not identified. What the sweep used to find each time, found once."""
    waiting = CaseFactory.create(owner=world.worker, location=world.pp_village)
    closed = CaseFactory.create(
        owner=world.worker, location=world.pp_village, status="closed", closed_at=timezone.now()
    )
    identified = _trafficking_case(world, days_old=3)
    for case in (waiting, closed):
        CaseConcern.objects.create(case=case, concern_id="sex_trafficking")
    IdentificationWatch.objects.all().delete()
    VictimIdentification.objects.create(
        case=identified,
        date=timezone.localdate(),
        status="presumed",
        recorded_by=world.worker,
    )

    migration = import_module("trafficking.migrations.0003_watch_existing_trafficking_cases")
    migration.watch_existing(django_apps, None)
    migration.watch_existing(django_apps, None)  # a second run adds nothing

    assert list(IdentificationWatch.objects.values_list("case_id", "remind_at")) == [
        (waiting.pk, waiting.created_at + timedelta(days=settings.IDENTIFICATION_DAYS))
    ]


def test_a_stalled_repatriation_reminds_the_owner_and_supervisor_each_period(
    world: World,
) -> None:
    case = _trafficking_case(world, days_old=1)
    client = api_client(world.worker)
    started = client.post(
        f"/api/v1/cases/{case.pk}/repatriations/",
        {"direction": "to_cambodia", "country": "MY"},
        format="json",
    ).json()
    stall = timedelta(days=14)
    run_sweep(now=timezone.now() + stall - timedelta(hours=1))
    assert _notified(NotificationKind.REPATRIATION_STALLED) == []

    run_sweep(now=timezone.now() + stall + timedelta(hours=1))
    run_sweep(now=timezone.now() + stall + timedelta(hours=2))
    expected = sorted([(world.worker.pk, case.pk), (world.supervisor.pk, case.pk)])
    assert _notified(NotificationKind.REPATRIATION_STALLED) == expected

    # Still stuck a period later: reminded again.
    run_sweep(now=timezone.now() + 2 * stall + timedelta(hours=2))
    assert len(_notified(NotificationKind.REPATRIATION_STALLED)) == 4

    # A step moves it on; once it ended, nothing more.
    client.post(
        f"/api/v1/cases/{case.pk}/repatriations/{started['id']}/advance/",
        {"status": "cancelled", "date": timezone.localdate().isoformat()},
        format="json",
    )
    run_sweep(now=timezone.now() + 10 * stall)
    assert len(_notified(NotificationKind.REPATRIATION_STALLED)) == 4


@pytest.mark.usefixtures("celery_worker_thread")
def test_the_worker_sends_both_reminders_once(world: World) -> None:
    waiting = _trafficking_case(world, days_old=10)
    stalled = _trafficking_case(world, days_old=1)
    api_client(world.worker).post(
        f"/api/v1/cases/{stalled.pk}/repatriations/",
        {"direction": "from_cambodia", "country": "VN"},
        format="json",
    )
    Repatriation.objects.filter(case=stalled).update(
        stall_remind_at=timezone.now() - timedelta(minutes=1)
    )

    reminder_sweep.delay()
    reminder_sweep.delay()
    wait_until(
        lambda: (
            Notification.objects.filter(
                kind__in=[
                    NotificationKind.IDENTIFICATION_DUE,
                    NotificationKind.REPATRIATION_STALLED,
                ]
            ).count()
            >= 3
        )
    )
    identification = _notified(NotificationKind.IDENTIFICATION_DUE)
    assert (world.worker.pk, waiting.pk) in identification
    assert identification == [(world.worker.pk, waiting.pk)]  # the other is not due yet
    assert _notified(NotificationKind.REPATRIATION_STALLED) == sorted(
        [(world.worker.pk, stalled.pk), (world.supervisor.pk, stalled.pk)]
    )
