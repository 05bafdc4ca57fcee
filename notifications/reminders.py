"""The reminder sweep: every few minutes (Celery beat, or ``manage.py run_reminders``) each
domain app's reminder source claims a batch of its due items, says whom to notify, and moves
each item's next reminder time on; the outbox creates each notification once.

The database is the truth. Due items are rows with a reminder time under a partial index
(``reminder_at <= now``), claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` so two sweeps at
once share the work instead of doubling it; should an item be seen twice all the same, the
notification's unique key (kind, subject, recipient, period) makes the second time a no-op.
There are no long countdown tasks in the broker to lose.

This module knows no domain model: apps register their sources (``<app>/reminders.py``) with
:func:`register` when they load."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications import email
from notifications.outbox import Notice, notify
from notifications.tasks import deliver_notification

BATCH_SIZE = 500


def email_grace() -> timedelta:
    """How old a pending email must be to be taken for one whose task message was lost."""
    return timedelta(seconds=settings.NOTIFICATION_EMAIL_GRACE_SECONDS)


@dataclass(frozen=True)
class Batch:
    """What a source did with one batch: how many due items it claimed, and the notices."""

    claimed: int
    notices: Sequence[Notice]


# A source claims up to ``limit`` items due at ``now`` (in the caller's transaction), moves
# each one's next reminder time past ``now`` (or clears it) and returns the notices.
ReminderSource = Callable[[datetime, int], Batch]

_sources: dict[str, ReminderSource] = {}


def register(name: str, source: ReminderSource) -> None:
    _sources[name] = source


def sources() -> dict[str, ReminderSource]:
    return dict(_sources)


def run_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Runs every source until nothing is due at ``now`` (default: the current time); returns
    how many notifications were created. Each batch is its own transaction, so a long sweep
    holds no lock for long and a crash loses at most the batch in hand, which the next sweep
    claims again."""
    now = now or timezone.now()
    created = 0
    for _name, source in sorted(_sources.items()):
        while True:
            with transaction.atomic():
                batch = source(now, batch_size)
                created += len(notify(batch.notices))
            if batch.claimed < batch_size:
                break
    return created


def requeue_stale_emails() -> int:
    """Queues again the emails whose task message was lost: pending past the grace period (the
    broker was down), or stuck in "sending" after the claiming worker died. Returns how many.
    Their claim makes a message queued twice harmless. Always as of the real time, whatever
    time the sweep ran for: claims run out in real time."""
    stale = email.stale_email_ids(now=timezone.now(), grace=email_grace())
    for pk in stale:
        deliver_notification.delay(pk)
    return len(stale)


@shared_task(ignore_result=True)
def reminder_sweep() -> int:
    """Beat's sweep: creates the reminders due now, then queues again the emails whose task
    message was lost (the broker was down, a worker died)."""
    created = run_sweep()
    requeue_stale_emails()
    return created
