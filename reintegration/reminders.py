"""Reminders about follow-up visits, run by the sweep (notifications.reminders).

A scheduled visit is reminded twice: ``follow_up_due`` some days before its date (to the
follow-up worker and the commune focal point), and ``follow_up_overdue`` the day after it if
nobody recorded it (also to the case owner and their supervisor: a missed visit can leave a
child in a home that is failing). A visit already overdue when first swept gets the overdue
reminder only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from accounts.models import User
from cases.choices import Status
from notifications.models import NotificationKind
from notifications.outbox import Notice
from notifications.reminders import Batch, register
from notifications.timing import lead_time, start_of
from reintegration.choices import FollowUpStatus
from reintegration.models import FollowUp


def first_reminder_at(scheduled: date) -> datetime:
    return start_of(scheduled) - lead_time()


def overdue_at(scheduled: date) -> datetime:
    return start_of(scheduled + timedelta(days=1))


def _active_ids(*people: User | None) -> list[int]:
    return list(dict.fromkeys(person.pk for person in people if person and person.is_active))


def follow_up_reminders(now: datetime, limit: int) -> Batch:
    visits = list(
        FollowUp.objects.filter(
            status=FollowUpStatus.SCHEDULED, reminder_at__isnull=False, reminder_at__lte=now
        )
        .select_for_update(skip_locked=True, of=("self",))
        .select_related(
            "case",
            "case__owner__supervisor",
            "reintegration__follow_up_worker",
            "reintegration__commune_focal_point",
        )
        .order_by("reminder_at")[:limit]
    )
    notices: list[Notice] = []
    for visit in visits:
        case, plan = visit.case, visit.reintegration
        overdue = now >= overdue_at(visit.scheduled_date)
        if case.status != Status.OPEN:
            visit.reminder_at = None
            continue
        if overdue:
            kind = NotificationKind.FOLLOW_UP_OVERDUE
            people = _active_ids(
                plan.follow_up_worker, plan.commune_focal_point, case.owner, case.owner.supervisor
            )
            visit.reminder_at = None
        else:
            kind = NotificationKind.FOLLOW_UP_DUE
            people = _active_ids(plan.follow_up_worker, plan.commune_focal_point)
            visit.reminder_at = overdue_at(visit.scheduled_date)
        notices.extend(
            Notice(
                kind=kind,
                recipient_id=person,
                subject=f"follow_up:{visit.pk}",
                period=visit.scheduled_date.isoformat(),
                case_id=case.pk,
                case_number=case.case_number,
                follow_up_id=visit.pk,
                due_at=start_of(visit.scheduled_date),
            )
            for person in people
        )
    FollowUp.objects.bulk_update(visits, ["reminder_at"])
    return Batch(claimed=len(visits), notices=notices)


register("follow_ups", follow_up_reminders)
