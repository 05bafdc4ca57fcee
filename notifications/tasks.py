"""Celery tasks: thin wrappers around the delivery of webhooks and notification emails. The
reminder sweep's task lives beside the sweep (notifications.reminders)."""

from __future__ import annotations

from datetime import timedelta

from celery import Task, shared_task
from django.db import transaction

from notifications import delivery, email


def queue_on_commit(task: Task[[int], None], row_id: int) -> None:
    """Queues ``task`` for a row once the caller's transaction commits. robust: the change is
    committed by then, and a broker that is down must not turn the user's answer into an
    error; the row stays pending and a sweep queues it again."""

    def queue() -> None:
        task.delay(row_id)

    # Named, so the log of a failed queueing says which task it was.
    queue.__qualname__ = f"queue {task.name}({row_id})"
    transaction.on_commit(queue, robust=True)


# Retries after the first attempt; the delivery row's attempt count (WEBHOOK_MAX_ATTEMPTS)
# decides when to give up, this only bounds the task itself.
MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def deliver_webhook(self: Task[[int], None], delivery_pk: int) -> None:
    """Sends one delivery; on failure schedules the next attempt with backoff. Running it
    again for a delivered (or failed) delivery does nothing."""
    retry_in = delivery.webhook_attempt(delivery_pk)
    if retry_in is None:
        return
    if self.request.retries >= (self.max_retries or 0):
        delivery.webhook_give_up(delivery_pk)
        return
    raise self.retry(countdown=retry_in)


@shared_task(ignore_result=True)
def webhook_sweep() -> int:
    """Queues again the pending deliveries whose task message was lost. Run by beat every few
    minutes; the attempt's claim makes a duplicate message harmless."""
    overdue = delivery.overdue_delivery_ids(grace=timedelta(minutes=5))
    for pk in overdue:
        deliver_webhook.delay(pk)
    return len(overdue)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def deliver_notification(self: Task[[int], None], notification_id: int) -> None:
    """Sends a notification's email (or files it for the digest). The row's claim makes a
    second run of the same message do nothing; the row's attempt count bounds the retries."""
    retry_in = email.email_attempt(notification_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(ignore_result=True)
def email_digest() -> int:
    """Sends each person who asked for a daily digest the notifications waiting for it. Run
    by beat once a day."""
    return sum(email.send_digest(user_id) for user_id in email.digest_recipient_ids())
