"""Reminders about court hearings, run by the sweep (notifications.reminders).

``hearing_due``: a hearing comes within REMINDER_LEAD_DAYS; its case's owner is reminded, once
per hearing date, to prepare the child (the notice's period is the date, so a hearing moved to
another date reminds again, and a second sweep adds none). A hearing recorded after its date
reminds nobody."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from cases.choices import Status
from legal.models import Hearing
from notifications.models import NotificationKind
from notifications.outbox import Notice
from notifications.reminders import Batch, register
from notifications.timing import lead_time, start_of


def hearing_remind_at(hearing_date: date, *, today: date | None = None) -> datetime | None:
    """When the sweep should remind of a hearing on ``hearing_date``: REMINDER_LEAD_DAYS before
    it (at once when that is past), or never for a hearing already past."""
    if hearing_date < (today or timezone.localdate()):
        return None
    return start_of(hearing_date) - lead_time()


def hearing_reminders(now: datetime, limit: int) -> Batch:
    hearings = list(
        Hearing.objects.filter(remind_at__isnull=False, remind_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("proceeding__case__owner")
        .order_by("remind_at")[:limit]
    )
    notices: list[Notice] = []
    today = timezone.localdate(now)
    for hearing in hearings:
        hearing.remind_at = None  # one reminder per hearing date
        case = hearing.proceeding.case
        owner = case.owner
        if case.status != Status.OPEN or hearing.date < today or not owner.is_active:
            continue
        notices.append(
            Notice(
                kind=NotificationKind.HEARING_DUE,
                recipient_id=owner.pk,
                subject=f"hearing:{hearing.pk}",
                period=hearing.date.isoformat(),
                case_id=case.pk,
                case_number=case.case_number,
                due_at=start_of(hearing.date),
            )
        )
    Hearing.objects.bulk_update(hearings, ["remind_at"])
    return Batch(claimed=len(hearings), notices=notices)


register("hearings", hearing_reminders)
