"""Reminders and their emails through a real Celery worker thread and the Redis broker: the
sweep's notifications, emails retried until sent once, the daily digest, and what happens
while the broker is down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from cpims.celery import app as cpims_celery_app
from notifications.models import EmailStatus, Notification, NotificationKind
from notifications.outbox import Notice, notify
from notifications.reminders import reminder_sweep, run_sweep
from notifications.tasks import email_digest
from tests.conftest import World, api_client
from tests.notifications.conftest import wait_until
from tests.notifications.flaky_email import FlakyBackend
from tests.notifications.scenarios import reintegrate, visits

# serialized_rollback: the provinces and service types of the migrations come back after
# each test empties the tables.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCORES = dict.fromkeys(
    ["safety", "care", "health", "education", "family_relationships", "economic", "child_view"], 2
)
UNSENT = [EmailStatus.PENDING, EmailStatus.SENDING]


def _all_emails_settled() -> bool:
    return not Notification.objects.filter(email_status__in=UNSENT).exists()


@pytest.mark.usefixtures("celery_worker_thread")
def test_the_sweep_task_turns_due_visits_into_notifications_and_emails_without_the_childs_name(
    world: World, mailoutbox: list[Any]
) -> None:
    reintegration = reintegrate(world, on=timezone.localdate() - timedelta(days=400))
    child = reintegration.case.child

    reminder_sweep.delay()
    wait_until(lambda: Notification.objects.count() == 16 and _all_emails_settled())

    assert set(Notification.objects.values_list("kind", flat=True)) == {
        NotificationKind.FOLLOW_UP_OVERDUE
    }
    assert len(mailoutbox) == 16
    for message in mailoutbox:
        assert reintegration.case.case_number in message.subject
        assert "/follow-ups/" in message.body
        for name in (child.given_name, child.family_name, child.given_name_km):
            assert not name or name not in message.subject + message.body


@pytest.mark.usefixtures("celery_worker_thread")
def test_an_email_that_fails_is_retried_and_sent_once(
    world: World, settings: Any, mailoutbox: list[Any]
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.flaky_email.FlakyBackend"
    FlakyBackend.failures_left = 2
    with transaction.atomic():
        (pk,) = notify([
            Notice(kind=NotificationKind.REVIEW_DUE, recipient_id=world.worker.pk,
                   subject="case:1", period="2026-12-01", case_number="PP-2026-00001"),
        ])  # fmt: skip

    wait_until(lambda: Notification.objects.get(pk=pk).email_status == EmailStatus.SENT)

    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=pk).email_attempts == 3


@pytest.mark.usefixtures("celery_worker_thread")
def test_people_who_chose_the_digest_get_one_email_with_all_their_notifications(
    world: World, mailoutbox: list[Any]
) -> None:
    world.worker.email_delivery = "digest"
    world.worker.save(update_fields=["email_delivery"])
    with transaction.atomic():
        notify(
            Notice(kind=NotificationKind.FOLLOW_UP_DUE, recipient_id=world.worker.pk,
                   subject=f"follow_up:{n}", case_number=f"PP-2026-0000{n}", follow_up_id=n)
            for n in range(1, 4)
        )  # fmt: skip
    wait_until(lambda: Notification.objects.filter(email_status=EmailStatus.DIGEST).count() == 3)
    assert mailoutbox == []

    email_digest.delay()
    wait_until(lambda: Notification.objects.filter(email_status=EmailStatus.SENT).count() == 3)

    assert len(mailoutbox) == 1
    assert all(f"PP-2026-0000{n}" in mailoutbox[0].body for n in range(1, 4))


@pytest.fixture
def broker_down() -> Iterator[None]:
    """Points the app at a port where no broker listens, as when Redis has gone away."""
    conf = cpims_celery_app.conf
    previous = conf.broker_url

    def use(url: str) -> None:
        conf.broker_url = url
        # Connections are pooled: drop the pools so the next task is sent with the new URL.
        cpims_celery_app._pool = None
        cpims_celery_app.amqp._producer_pool = None

    use("redis://127.0.0.1:9/0")
    try:
        yield
    finally:
        use(previous)


def test_with_the_broker_down_work_goes_on_and_the_next_sweep_catches_up(
    world: World, settings: Any, mailoutbox: list[Any], request: pytest.FixtureRequest
) -> None:
    settings.NOTIFICATION_EMAIL_GRACE_SECONDS = 0
    reintegration = reintegrate(world, on=timezone.localdate() - timedelta(days=400))
    first, *later = visits(reintegration)

    request.getfixturevalue("broker_down")
    response = api_client(world.commune_member).post(
        f"/api/v1/follow-ups/{first.pk}/complete/",
        {"visit_date": first.scheduled_date.isoformat(), "outcome": "at_risk", "scores": SCORES},
        format="json",
    )
    assert response.status_code == 200, response.content
    created = run_sweep(now=timezone.now())  # the command's sweep works without a broker too
    # Three overdue visits to four people, and the reassessment the worrying visit asked for.
    assert created == len(later) * 4 + 1
    assert Notification.objects.filter(kind=NotificationKind.REASSESSMENT_DUE).count() == 1
    assert Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_CONCERN).count() == 2
    assert Notification.objects.filter(email_status=EmailStatus.PENDING).count() == created + 2
    assert mailoutbox == []

    request.getfixturevalue("celery_worker_thread")  # the broker is back, and a worker
    # The fixtures above are torn down in reverse: the broker comes back before the worker.
    cpims_celery_app.conf.broker_url = settings.CELERY_BROKER_URL
    cpims_celery_app._pool = None
    cpims_celery_app.amqp._producer_pool = None
    reminder_sweep.delay()
    wait_until(_all_emails_settled)

    assert len(mailoutbox) == created + 2
    assert Notification.objects.filter(email_status=EmailStatus.SENT).count() == created + 2
