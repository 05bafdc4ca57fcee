"""Who hears of a referral, and when (run by the sweep in notifications.reminders).

Events: the receiving agency's supervisors hear of a referral sent to it
(``referral_received``), the sender's supervisor of one waiting for approval
(``approval_requested``), and the sender and case owner of its answer.

Reminders: a referral not answered by ``respond_by`` is escalated to the supervisors of both
agencies and its sender (``referral_overdue``): a child may be waiting for a shelter bed. One
waiting for approval longer than APPROVAL_REMIND_HOURS reminds the sender's supervisor
(``approval_waiting``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings

from accounts.choices import Role
from accounts.models import User
from cases.policy import visible_cases
from notifications.models import NotificationKind
from notifications.outbox import Notice
from notifications.reminders import Batch, register
from referrals.choices import ReferralStatus
from referrals.models import Referral


def approval_wait() -> timedelta:
    return timedelta(hours=settings.APPROVAL_REMIND_HOURS)


def notices(entries: Iterable[tuple[Referral, str, int, str]]) -> list[Notice]:
    """Notifications of (referral, kind, person, period): each names the referral, and names
    its case only to a person who may open that case (the receiving side learns the case when
    it works on it, through the referral). Of a restricted case's referral, the sending side
    hears only when named on the case. One query per distinct person, none per row."""
    entries = list(entries)
    people = {person for _referral, _kind, person, _period in entries}
    users = {
        user.pk: user
        for user in User.objects.filter(pk__in=people).select_related("agency", "location")
    }
    case_ids_of: dict[int, set[int]] = defaultdict(set)
    for referral, _kind, person, _period in entries:
        case_ids_of[person].add(referral.case_id)
    sighted = {
        (person, case_id)
        for person, case_ids in case_ids_of.items()
        if person in users
        for case_id in visible_cases(users[person])
        .filter(pk__in=case_ids)
        .values_list("pk", flat=True)
    }
    found = []
    for referral, kind, person, period in entries:
        shows_case = (person, referral.case_id) in sighted
        receiving = person in users and users[person].agency_id == referral.to_agency_id
        if referral.case.restricted and not (shows_case or receiving):
            continue
        found.append(
            Notice(
                kind=kind,
                recipient_id=person,
                subject=f"referral:{referral.pk}",
                period=period,
                case_id=referral.case_id if shows_case else None,
                case_number=referral.case.case_number if shows_case else "",
                referral_id=referral.pk,
                due_at=referral.respond_by,
            )
        )
    return found


def _supervisors_of(agency_ids: Iterable[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for agency_id, user_id in User.objects.filter(
        agency_id__in=list(agency_ids), role=Role.SUPERVISOR, is_active=True
    ).values_list("agency_id", "id"):
        found[agency_id].append(user_id)
    return found


def _supervisor_of(user_id: int) -> list[int]:
    return list(
        User.objects.filter(supervisees__id=user_id, is_active=True).values_list("id", flat=True)
    )


def people_to_tell(referral: Referral, event: str) -> tuple[str, list[int]]:
    """The kind of notification an event is, and who receives it (never the one who acted:
    the caller's event follows their own action)."""
    if event == "referral.created" and referral.status == ReferralStatus.PENDING_APPROVAL:
        return NotificationKind.APPROVAL_REQUESTED, _supervisor_of(referral.created_by_id)
    if event == "referral.created":
        return NotificationKind.REFERRAL_RECEIVED, _supervisors_of([referral.to_agency_id])[
            referral.to_agency_id
        ]
    answered = {
        "referral.accepted": NotificationKind.REFERRAL_ACCEPTED,
        "referral.declined": NotificationKind.REFERRAL_DECLINED,
    }
    if event in answered:
        people = {referral.created_by_id, referral.case.owner_id}
        return answered[event], sorted(people)
    return "", []


def referral_reminders(now: datetime, limit: int) -> Batch:
    referrals = list(
        Referral.objects.filter(reminder_at__isnull=False, reminder_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("case", "created_by")
        .order_by("reminder_at")[:limit]
    )
    overdue = [r for r in referrals if r.status == ReferralStatus.SENT]
    supervisors = _supervisors_of(
        {agency for r in overdue for agency in (r.from_agency_id, r.to_agency_id)}
    )
    due: list[tuple[Referral, str, int, str]] = []
    for referral in referrals:
        if referral.status == ReferralStatus.SENT and referral.respond_by:
            people = {
                referral.created_by_id,
                *supervisors[referral.from_agency_id],
                *supervisors[referral.to_agency_id],
            }
            due.extend(
                (
                    referral,
                    NotificationKind.REFERRAL_OVERDUE,
                    person,
                    referral.respond_by.isoformat(),
                )
                for person in sorted(people)
            )
        elif referral.status == ReferralStatus.PENDING_APPROVAL:
            creator = referral.created_by
            if creator.supervisor_id:
                due.append(
                    (
                        referral,
                        NotificationKind.APPROVAL_WAITING,
                        creator.supervisor_id,
                        referral.created_at.isoformat(),
                    )
                )
        referral.reminder_at = None
    Referral.objects.bulk_update(referrals, ["reminder_at"])
    return Batch(claimed=len(referrals), notices=notices(due))


register("referrals", referral_reminders)
