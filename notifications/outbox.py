"""The notification outbox: domain services and reminder sweeps hand it notices; it stores each
one once and has its email sent by a Celery task after the transaction commits.

Callers describe a notice with plain values (ids, a case number): this app imports no domain
app. Who receives what is the caller's decision; the outbox only guarantees once-only
creation (the unique key) and delivery (the row, not the broker, is the truth)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import deliver_notification, queue_on_commit


@dataclass(frozen=True)
class Notice:
    """One notification to create. ``subject`` names what it is about ("follow_up:12") and
    ``period`` which occurrence ("2026-12-01" for a deadline, "" for a one-off event): with
    the kind and the recipient they make the key that prevents repeats."""

    kind: str
    recipient_id: int
    subject: str
    period: str | date = ""
    case_id: int | None = None
    case_number: str = ""
    referral_id: int | None = None
    follow_up_id: int | None = None
    worker_id: int | None = None
    concern_report_id: int | None = None
    due_at: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.subject}|{self.recipient_id}|{self.period}"


def notify(notices: Iterable[Notice]) -> list[int]:
    """Creates the notifications among ``notices`` that do not exist yet and queues the
    delivery of each new one once the caller's transaction commits. Returns the new ids.
    Two queries whatever the number of notices; safe to call twice, or from two processes at
    once, with the same notices."""
    unique = {notice.key: notice for notice in notices}
    if not unique:
        return []
    batch = uuid.uuid4()
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=notice.recipient_id,
                kind=notice.kind,
                key=key,
                case_id=notice.case_id,
                case_number=notice.case_number,
                referral_id=notice.referral_id,
                follow_up_id=notice.follow_up_id,
                worker_id=notice.worker_id,
                concern_report_id=notice.concern_report_id,
                due_at=notice.due_at,
                created_at=now,
                batch=batch,
            )
            for key, notice in unique.items()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    # Rows that already existed kept their own batch: those carrying this one are new.
    created = list(Notification.objects.filter(batch=batch).values_list("id", flat=True))
    for pk in created:
        # A lost message leaves the email pending: the sweep queues it again
        # (notifications.email.stale_email_ids).
        queue_on_commit(deliver_notification, pk)
    return created


def notifications_of(user_id: int) -> QuerySet[Notification]:
    """A person's notifications, newest first (index ``notification_mine_idx``)."""
    return Notification.objects.filter(recipient_id=user_id).order_by("-created_at", "-id")


def unread_count(user_id: int) -> int:
    """The bell's number (index ``notification_unread_idx``)."""
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notification_mark_read(*, user_id: int, notification_id: int) -> Notification | None:
    """Marks one of the person's notifications read; None when it is not theirs (the caller
    answers 404). Reading again keeps the first time."""
    updated = Notification.objects.filter(
        pk=notification_id, recipient_id=user_id, read_at__isnull=True
    ).update(read_at=timezone.now())
    if (
        not updated
        and not Notification.objects.filter(pk=notification_id, recipient_id=user_id).exists()
    ):
        return None
    return Notification.objects.get(pk=notification_id)


def notifications_mark_all_read(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_settle(
    *,
    kinds: Iterable[str],
    follow_up_id: int | None = None,
    referral_id: int | None = None,
    worker_id: int | None = None,
    concern_report_id: int | None = None,
    case_id: int | None = None,
    subject: str = "",
) -> int:
    """Marks read everyone's unread notifications of ``kinds`` about this visit, referral or
    deactivated worker, or about this case and ``subject`` (a plan, a closure):
    the work they asked for is done, whoever did it, so they no longer say "new". Runs inside
    the caller's transaction (the notifications settle with the work, or not at all)."""
    if follow_up_id is not None:
        about = Q(follow_up_id=follow_up_id)
    elif referral_id is not None:
        about = Q(referral_id=referral_id)
    elif worker_id is not None:
        about = Q(worker_id=worker_id)
    elif concern_report_id is not None:
        about = Q(concern_report_id=concern_report_id)
    elif case_id is not None and subject:
        # The subject is the middle part of the key (see Notice.key).
        about = Q(case_id=case_id, key__contains=f"|{subject}|")
    else:
        return 0
    return Notification.objects.filter(about, kind__in=list(kinds), read_at__isnull=True).update(
        read_at=timezone.now()
    )
