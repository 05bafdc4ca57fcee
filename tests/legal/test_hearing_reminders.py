"""``hearing_due``: a hearing within REMINDER_LEAD_DAYS reminds its case's owner, once per
hearing date; a rescheduled hearing reminds again. The sweep as a function at chosen times, and
through a real Celery worker thread and the Redis broker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from legal.models import Hearing, LegalProceeding
from legal.services import hearing_create, hearing_reschedule, legal_proceeding_create
from notifications.models import EmailStatus, Notification, NotificationKind
from notifications.reminders import reminder_sweep, run_sweep
from notifications.timing import start_of
from tests.conftest import World
from tests.notifications.conftest import wait_until


def _proceeding(world: World) -> LegalProceeding:
    return legal_proceeding_create(
        actor=world.worker,
        case=world.own_case,
        court="Banteay Meanchey Provincial Court",
        child_role="victim",
        defendant_status="detained",
    )


def _hearing(world: World, on: date) -> Hearing:
    return hearing_create(actor=world.worker, proceeding=_proceeding(world), date=on, kind="trial")


def _hearing_notices() -> list[Notification]:
    return list(Notification.objects.filter(kind=NotificationKind.HEARING_DUE).order_by("id"))


@pytest.mark.django_db
def test_a_hearing_reminds_the_owner_lead_days_before_and_never_twice(
    world: World, settings: Any
) -> None:
    settings.REMINDER_LEAD_DAYS = 3
    on = timezone.localdate() + timedelta(days=20)
    hearing = _hearing(world, on)

    assert run_sweep(now=start_of(on - timedelta(days=4))) == 0
    assert run_sweep(now=start_of(on - timedelta(days=3))) == 1
    assert run_sweep(now=start_of(on - timedelta(days=2))) == 0

    (notice,) = _hearing_notices()
    assert notice.recipient_id == world.worker.pk
    assert notice.case_id == world.own_case.pk
    assert notice.due_at == start_of(on)
    hearing.refresh_from_db()
    assert hearing.remind_at is None


@pytest.mark.django_db
def test_a_hearing_of_a_closed_case_or_already_past_reminds_nobody(world: World) -> None:
    past = _hearing(world, timezone.localdate() - timedelta(days=1))
    assert past.remind_at is None
    soon = _hearing(world, timezone.localdate() + timedelta(days=1))
    world.own_case.status, world.own_case.closed_at = "closed", timezone.now()
    world.own_case.save(update_fields=["status", "closed_at"])

    assert run_sweep() == 0
    soon.refresh_from_db()
    assert soon.remind_at is None


@pytest.mark.django_db
def test_a_rescheduled_hearing_reminds_again_for_its_new_date(world: World) -> None:
    hearing = _hearing(world, timezone.localdate() + timedelta(days=1))
    assert run_sweep() == 1

    hearing_reschedule(
        actor=world.worker, hearing=hearing, date=timezone.localdate() + timedelta(days=2)
    )

    assert run_sweep() == 1
    assert [notice.due_at for notice in _hearing_notices()] == [
        start_of(timezone.localdate() + timedelta(days=1)),
        start_of(timezone.localdate() + timedelta(days=2)),
    ]


# --- Through the worker ------------------------------------------------------------------------

UNSENT = [EmailStatus.PENDING, EmailStatus.SENDING]


def _settled(count: int) -> bool:
    notices = Notification.objects.filter(kind=NotificationKind.HEARING_DUE)
    return notices.count() >= count and not notices.filter(email_status__in=UNSENT).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("celery_worker_thread")
def test_the_sweep_task_reminds_the_owner_of_a_hearing_once_by_email_without_names(
    world: World, mailoutbox: list[Any]
) -> None:
    _hearing(world, timezone.localdate() + timedelta(days=2))
    child = world.own_case.child

    # Beat twice: the worker takes tasks in order, so both sweeps have run before the email
    # the first one queued is settled.
    reminder_sweep.delay()
    reminder_sweep.delay()
    wait_until(lambda: _settled(1))

    (notice,) = _hearing_notices()
    assert notice.recipient_id == world.worker.pk
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert world.own_case.case_number in message.subject
    assert f"/cases/{world.own_case.pk}/" in message.body
    for name in (child.given_name, child.family_name, child.given_name_km):
        assert not name or name not in message.subject + message.body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("celery_worker_thread")
def test_through_the_worker_a_rescheduled_hearing_reminds_again_and_each_date_once(
    world: World, mailoutbox: list[Any]
) -> None:
    hearing = _hearing(world, timezone.localdate() + timedelta(days=1))
    reminder_sweep.delay()
    wait_until(lambda: _settled(1))

    reminder_sweep.delay()
    hearing_reschedule(
        actor=world.worker, hearing=hearing, date=timezone.localdate() + timedelta(days=3)
    )
    reminder_sweep.delay()
    wait_until(lambda: _settled(2))

    notices = _hearing_notices()
    assert len(notices) == 2
    assert {notice.recipient_id for notice in notices} == {world.worker.pk}
    assert len(mailoutbox) == 2
