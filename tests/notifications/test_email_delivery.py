"""Notification emails are delivered at least once: ``manage.py run_reminders`` queues again an
email a dead worker left in "sending", and every copy of one email carries the same Message-ID,
so a mail server that deduplicates by it delivers one."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from notifications.email import email_attempt, notification_message_id, send_digest
from notifications.models import EmailStatus, Notification, NotificationKind
from tests.conftest import World
from tests.notifications.conftest import wait_until


def _notification(recipient: User, **fields: Any) -> Notification:
    """A notification as the outbox leaves it, without queueing its email."""
    return Notification.objects.create(
        recipient=recipient,
        kind=NotificationKind.REVIEW_DUE,
        key=f"test:{uuid.uuid4()}",
        case_number="12-2026-00001",
        case_id=1,
        batch=uuid.uuid4(),
        **fields,
    )


def _message_id(message: Any) -> str:
    return str(message.message()["Message-ID"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("celery_worker_thread")
def test_run_reminders_queues_again_an_email_stuck_in_sending_and_it_is_then_sent(
    world: World, mailoutbox: list[Any]
) -> None:
    now = timezone.now()
    # A worker claimed this one, then died: its claim ran out a minute ago.
    stuck = _notification(
        world.worker,
        email_status=EmailStatus.SENDING,
        email_attempts=1,
        email_claimed_until=now - timedelta(minutes=1),
    )
    # A worker is sending this one right now: it is left to that worker.
    in_hand = _notification(
        world.supervisor,
        email_status=EmailStatus.SENDING,
        email_attempts=1,
        email_claimed_until=now + timedelta(minutes=4),
    )
    out = StringIO()

    call_command("run_reminders", stdout=out)

    assert "1 emails queued again." in out.getvalue()
    wait_until(lambda: Notification.objects.get(pk=stuck.pk).email_status == EmailStatus.SENT)
    assert [message.to for message in mailoutbox] == [[world.worker.email]]
    assert _message_id(mailoutbox[0]) == notification_message_id(stuck.pk)
    assert Notification.objects.get(pk=in_hand.pk).email_status == EmailStatus.SENDING


def test_two_sends_of_one_notification_carry_the_same_message_id(
    world: World, mailoutbox: list[Any]
) -> None:
    first, other = _notification(world.worker), _notification(world.worker)
    assert email_attempt(first.pk) is None
    # The worker died after the mail server took the email, before it was recorded as sent.
    Notification.objects.filter(pk=first.pk).update(
        email_status=EmailStatus.SENDING, email_claimed_until=timezone.now() - timedelta(1)
    )
    assert email_attempt(first.pk) is None
    assert email_attempt(other.pk) is None

    sent_twice, sent_other = mailoutbox[:2], mailoutbox[2]
    assert _message_id(sent_twice[0]) == _message_id(sent_twice[1])
    assert _message_id(sent_twice[0]).startswith(f"<cpims.notification.{first.pk}@")
    assert _message_id(sent_other) != _message_id(sent_twice[0])


def test_a_digest_sent_again_for_the_same_notifications_carries_the_same_message_id(
    world: World, mailoutbox: list[Any]
) -> None:
    rows = [_notification(world.worker, email_status=EmailStatus.DIGEST) for _ in range(2)]
    assert send_digest(world.worker.pk)
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
        email_status=EmailStatus.DIGEST
    )
    assert send_digest(world.worker.pk)
    _notification(world.worker, email_status=EmailStatus.DIGEST)
    assert send_digest(world.worker.pk)

    first, again, another = (_message_id(message) for message in mailoutbox)
    assert first == again
    assert another != first
