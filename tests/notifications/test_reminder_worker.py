"""Reminders and their emails through a real Celery worker thread and the Redis broker: the
sweep's notifications, emails retried until sent once, the daily digest, and what happens
while the broker is down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import EmailStatus, Notification, NotificationKind
from notifications.outbox import Notice, notify
from notifications.reminders import reminder_sweep
from notifications.tasks import email_digest
from reintegration.models import FollowUp
from tests.conftest import World
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
def test_the_sweep_task_turns_due_visits_into_notifications_and_emails_once_without_names(
    world: World, mailoutbox: list[Any]
) -> None:
    reintegration = reintegrate(world, on=timezone.localdate() - timedelta(days=400))
    child = reintegration.case.child

    # Beat twice, or a message delivered again. The worker takes tasks in order, so both
    # sweeps have run before the emails the first one queued.
    reminder_sweep.delay()
    reminder_sweep.delay()
    wait_until(lambda: Notification.objects.count() >= 16 and _all_emails_settled())

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
        (pk,) = notify(
            [
                Notice(
                    kind=NotificationKind.REVIEW_DUE,
                    recipient_id=world.worker.pk,
                    subject="case:1",
                    period="2026-12-01",
                    case_number="PP-2026-00001",
                ),
            ]
        )

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
            Notice(
                kind=NotificationKind.FOLLOW_UP_DUE,
                recipient_id=world.worker.pk,
                subject=f"follow_up:{n}",
                case_number=f"PP-2026-0000{n}",
                follow_up_id=n,
            )
            for n in range(1, 4)
        )
    wait_until(lambda: Notification.objects.filter(email_status=EmailStatus.DIGEST).count() == 3)
    assert mailoutbox == []

    email_digest.delay()
    wait_until(lambda: Notification.objects.filter(email_status=EmailStatus.SENT).count() == 3)

    assert len(mailoutbox) == 1
    assert all(f"PP-2026-0000{n}" in mailoutbox[0].body for n in range(1, 4))


# A separate process, as a web server would be, whose broker is a port where nobody listens:
# it records a worrying follow-up visit through the API and runs the reminder sweep.
WITHOUT_BROKER = """
import json, sys, django
django.setup()
from django.test import Client
from kombu.exceptions import OperationalError
from accounts.models import User
from notifications.reminders import reminder_sweep, run_sweep
try:
    reminder_sweep.delay()
    queued = True
except OperationalError:
    queued = False
client = Client(SERVER_NAME="localhost")
client.force_login(User.objects.get(username="commune_member"))
visit, body = sys.argv[1], sys.argv[2]
answer = client.post(f"/api/v1/follow-ups/{visit}/complete/", body,
                     content_type="application/json")
print(json.dumps({"queued": queued, "status": answer.status_code, "created": run_sweep()}))
"""


def _without_broker(visit: FollowUp, body: dict[str, Any]) -> dict[str, Any]:
    database = connection.settings_dict
    env = {
        **os.environ,
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}",
    }
    finished = subprocess.run(  # noqa: S603 (the interpreter running the tests)
        [sys.executable, "-c", WITHOUT_BROKER, str(visit.pk), json.dumps(body)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def test_with_the_broker_down_work_goes_on_and_the_next_sweep_catches_up(
    world: World, settings: Any, mailoutbox: list[Any], request: pytest.FixtureRequest
) -> None:
    settings.NOTIFICATION_EMAIL_GRACE_SECONDS = 0
    reintegration = reintegrate(world, on=timezone.localdate() - timedelta(days=400))
    first, *later = visits(reintegration)

    result = _without_broker(
        first,
        {"visit_date": first.scheduled_date.isoformat(), "outcome": "at_risk", "scores": SCORES},
    )

    assert result["queued"] is False  # the broker was really out of reach
    assert result["status"] == 200
    # Three overdue visits to four people, and the reassessment the worrying visit asked for.
    assert result["created"] == len(later) * 4 + 1
    assert FollowUp.objects.get(pk=first.pk).status == "completed"
    assert Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_CONCERN).count() == 2
    waiting = Notification.objects.filter(email_status=EmailStatus.PENDING).count()
    assert waiting == result["created"] + 2

    request.getfixturevalue("celery_worker_thread")  # the broker is back, and a worker
    reminder_sweep.delay()
    wait_until(_all_emails_settled)

    assert len(mailoutbox) == waiting
    assert Notification.objects.filter(email_status=EmailStatus.SENT).count() == waiting
