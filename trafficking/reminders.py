"""Reminders of the trafficking pathway, run by the sweep (notifications.reminders):

- ``identification_due``: a trafficking case still without a victim identification
  ``IDENTIFICATION_DAYS`` after it was opened reminds its owner, once. The sweep first watches
  the trafficking cases it does not watch yet, so no other app has to tell it about them.
- ``repatriation_stalled``: a repatriation left at one step for ``REPATRIATION_STALL_DAYS``
  reminds the case's owner and her supervisor, and again each such period while nothing moves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef

from cases.choices import Status
from cases.models import Case, CaseConcern
from notifications.models import NotificationKind
from notifications.outbox import Notice
from notifications.reminders import Batch, register
from trafficking.choices import REPATRIATION_ENDED, TRAFFICKING_CONCERNS
from trafficking.models import IdentificationWatch, Repatriation, VictimIdentification


def identification_wait() -> timedelta:
    return timedelta(days=settings.IDENTIFICATION_DAYS)


def stall_wait() -> timedelta:
    return timedelta(days=settings.REPATRIATION_STALL_DAYS)


def _watch_new_cases() -> None:
    """Watches each open trafficking case that has no watch and no identification yet."""
    unwatched = (
        Case.objects.filter(status=Status.OPEN)
        .filter(
            Exists(
                CaseConcern.objects.filter(
                    case_id=OuterRef("pk"), concern_id__in=TRAFFICKING_CONCERNS
                )
            )
        )
        .exclude(Exists(IdentificationWatch.objects.filter(case_id=OuterRef("pk"))))
        .exclude(Exists(VictimIdentification.objects.filter(case_id=OuterRef("pk"))))
        .values_list("pk", "created_at")
    )
    IdentificationWatch.objects.bulk_create(
        [
            IdentificationWatch(case_id=pk, remind_at=created_at + identification_wait())
            for pk, created_at in unwatched
        ],
        ignore_conflicts=True,
    )


def identification_reminders(now: datetime, limit: int) -> Batch:
    _watch_new_cases()
    watches = list(
        IdentificationWatch.objects.filter(remind_at__isnull=False, remind_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("case__owner")
        .order_by("remind_at")[:limit]
    )
    notices: list[Notice] = []
    for watch in watches:
        case = watch.case
        due_at = watch.remind_at
        watch.remind_at = None
        if case.status != Status.OPEN or not case.owner.is_active:
            continue
        notices.append(
            Notice(
                kind=NotificationKind.IDENTIFICATION_DUE,
                recipient_id=case.owner_id,
                subject=f"case:{case.pk}",
                period="first",
                case_id=case.pk,
                case_number=case.case_number,
                due_at=due_at,
            )
        )
    IdentificationWatch.objects.bulk_update(watches, ["remind_at"])
    return Batch(claimed=len(watches), notices=notices)


def repatriation_reminders(now: datetime, limit: int) -> Batch:
    repatriations = list(
        Repatriation.objects.filter(stall_remind_at__isnull=False, stall_remind_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("case__owner__supervisor")
        .order_by("stall_remind_at")[:limit]
    )
    notices: list[Notice] = []
    for repatriation in repatriations:
        case = repatriation.case
        due_at = repatriation.stall_remind_at
        if case.status != Status.OPEN or repatriation.status in REPATRIATION_ENDED:
            repatriation.stall_remind_at = None
            continue
        # Again after another period, unless a step moves it on meanwhile.
        repatriation.stall_remind_at = now + stall_wait()
        people = [case.owner, case.owner.supervisor]
        notices.extend(
            Notice(
                kind=NotificationKind.REPATRIATION_STALLED,
                recipient_id=person.pk,
                subject=f"repatriation:{repatriation.pk}",
                period=due_at.isoformat() if due_at else "",
                case_id=case.pk,
                case_number=case.case_number,
                due_at=due_at,
            )
            for person in dict.fromkeys(people)
            if person is not None and person.is_active
        )
    Repatriation.objects.bulk_update(repatriations, ["stall_remind_at"])
    return Batch(claimed=len(repatriations), notices=notices)


register("identifications", identification_reminders)
register("repatriations", repatriation_reminders)
