"""A child reported at risk whom the office has not answered by ``triage_by`` reminds the
office's supervisors, once; an answered report reminds nobody. Through the sweep, and through a
real Celery worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from intake.models import ConcernReport
from notifications.models import Notification, NotificationKind
from notifications.reminders import reminder_sweep, run_sweep
from tests.conftest import World, api_client
from tests.factories import UserFactory
from tests.notifications.conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _report(world: World, urgency: str = "emergency") -> int:
    answer = api_client(world.commune_member).post(
        "/api/v1/concern-reports/",
        {
            "child_name": "Dara",
            "location": world.pp_village.pk,
            "concern": "physical_abuse",
            "urgency": urgency,
            "description": "Beaten by the stepfather, seen by neighbours",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return int(answer.json()["id"])


def _reminded() -> list[tuple[int, int | None]]:
    return sorted(
        Notification.objects.filter(kind=NotificationKind.TRIAGE_OVERDUE).values_list(
            "recipient_id", "concern_report_id"
        )
    )


def test_an_unanswered_report_reminds_the_office_supervisors_once(world: World) -> None:
    second_supervisor = UserFactory.create(
        username="dosvy_supervisor_2", role=Role.SUPERVISOR, agency=world.dosvy_pp
    )
    waiting = _report(world)  # 4 hours
    answered = _report(world)
    _report(world, urgency="routine")  # a week: not yet
    api_client(world.dosvy_officer).post(
        f"/api/v1/concern-reports/{answered}/close/", {"reason": "Known to us"}, format="json"
    )

    run_sweep(now=timezone.now() + timedelta(hours=3))
    assert _reminded() == []
    run_sweep(now=timezone.now() + timedelta(hours=5))
    run_sweep(now=timezone.now() + timedelta(hours=6))

    assert _reminded() == sorted(
        [(world.dosvy_officer.pk, waiting), (second_supervisor.pk, waiting)]
    )
    # The social worker of the office is not a supervisor; nobody else hears of it.
    assert ConcernReport.objects.get(pk=waiting).remind_at is None


@pytest.mark.usefixtures("celery_worker_thread")
def test_the_worker_reminds_once(world: World) -> None:
    waiting = _report(world)
    ConcernReport.objects.filter(pk=waiting).update(remind_at=timezone.now() - timedelta(minutes=1))

    reminder_sweep.delay()
    reminder_sweep.delay()
    wait_until(lambda: Notification.objects.filter(kind=NotificationKind.TRIAGE_OVERDUE).exists())
    reminder_sweep.delay()
    wait_until(lambda: not ConcernReport.objects.filter(remind_at__isnull=False).exists())

    assert _reminded() == [(world.dosvy_officer.pk, waiting)]
