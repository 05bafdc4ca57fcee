"""Reminders of the trafficking pathway, run by the sweep (notifications.reminders):

- ``identification_due``: a trafficking case still without a victim identification
  ``IDENTIFICATION_DAYS`` after it was opened reminds its owner, once. The case is watched when
  its trafficking concern is written (cases.events.concerns_written), so the sweep reads only
  the watches that are due, however many cases the country holds.
- ``repatriation_stalled``: a repatriation left at one step for ``REPATRIATION_STALL_DAYS``
  reminds the case's owner and her supervisor, and again each such period while nothing moves.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

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


def watch_trafficking_cases(*, case_ids: Collection[int], **_signal: Any) -> None:
    """Answers cases.events.concerns_written: of ``case_ids``, each open trafficking case with no
    identification yet is watched (from when it was opened), and a reminder still pending for a
    case whose concerns no longer name trafficking is dropped."""
    trafficking = Exists(
        CaseConcern.objects.filter(case_id=OuterRef("pk"), concern_id__in=TRAFFICKING_CONCERNS)
    )
    unwatched = (
        Case.objects.filter(pk__in=case_ids, status=Status.OPEN)
        .filter(trafficking)
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
    IdentificationWatch.objects.filter(
        case_id__in=Case.objects.filter(pk__in=case_ids).exclude(trafficking).values("pk"),
        remind_at__isnull=False,
    ).delete()


def identification_reminders(now: datetime, limit: int) -> Batch:
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
