"""Reminders about a case's own deadlines, run by the sweep (notifications.reminders):

- ``reassessment_due``: the risk reassessment date (set by each assessment, or today after a
  worrying follow-up visit) is near; to the owner.
- ``review_due``: the case review, due at an interval set by the risk level when a plan is
  approved; to the owner and their supervisor.
- ``no_recent_contact``: a high or critical risk child with no visit, call or meeting recorded
  for NO_CONTACT_DAYS, and again each such period without one; to the owner and supervisor.
- ``approval_waiting``: a plan or a closure waiting for the supervisor longer than
  APPROVAL_REMIND_HOURS; to the supervisor.
- ``plan_action_due``: an action of the approved plan is near its date; to the person
  responsible (the owner when nobody is named).
- ``referral_needed``: a case registered by the police, a labour inspector or the helpline is
  still theirs after REFER_ON_HOURS: they take the first report, and a social worker must
  take the child on (a transfer makes one the owner); to the owner.

Each case carries one ``reminder_at``, the earliest of these moments. The services that move a
deadline call :func:`case_reschedule_reminders`; the sweep moves it on past what it has just
reminded. A deadline swept again (after a reschedule) creates nothing: the notification's key
includes its period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from cases.choices import PlanStatus, RiskLevel, Status
from cases.models import Case, CasePlan, PlanAction
from notifications.models import NotificationKind
from notifications.outbox import Notice, notifications_settle, notify
from notifications.reminders import Batch, register
from notifications.timing import lead_time, start_of

DEFAULT_REVIEW_DAYS = {
    RiskLevel.CRITICAL: 14,
    RiskLevel.HIGH: 30,
    RiskLevel.MEDIUM: 90,
    RiskLevel.LOW: 180,
}
NO_CONTACT_LEVELS = frozenset({RiskLevel.HIGH, RiskLevel.CRITICAL})
# Roles that register children but do not manage cases: they refer them on.
REFERRER_ROLES = frozenset({Role.POLICE, Role.LABOUR_INSPECTOR, Role.HELPLINE_OPERATOR})
# Note kinds that count as a contact with the child or family.
CONTACT_NOTE_KINDS = frozenset({"home_visit", "office_visit", "phone", "meeting"})


def review_interval(risk_level: str) -> timedelta:
    configured: dict[str, int] = settings.CASE_REVIEW_DAYS
    level = risk_level or RiskLevel.MEDIUM
    return timedelta(days=configured.get(level, DEFAULT_REVIEW_DAYS[RiskLevel(level)]))


def _approval_wait() -> timedelta:
    return timedelta(hours=settings.APPROVAL_REMIND_HOURS)


@dataclass(frozen=True)
class _Deadline:
    kind: str
    fire_at: datetime
    subject: str
    period: str
    recipients: tuple[User | None, ...]
    due_at: datetime | None = None


@dataclass
class _Plans:
    submitted: CasePlan | None = None
    open_actions: tuple[PlanAction, ...] = ()


def _plans_of(case_ids: Iterable[int]) -> dict[int, _Plans]:
    """The plan waiting for approval and the open dated actions of the approved plan in force,
    per case: two queries for any number of cases."""
    found: dict[int, _Plans] = defaultdict(_Plans)
    in_force: dict[int, int] = {}
    plans = CasePlan.objects.filter(
        case_id__in=list(case_ids), status__in=[PlanStatus.SUBMITTED, PlanStatus.APPROVED]
    ).order_by("decided_at", "id")
    for plan in plans:
        if plan.status == PlanStatus.SUBMITTED:
            found[plan.case_id].submitted = plan
        else:
            in_force[plan.case_id] = plan.pk  # the latest approved one wins
    actions: dict[int, list[PlanAction]] = defaultdict(list)
    for action in PlanAction.objects.filter(
        goal__plan_id__in=in_force.values(), done_at__isnull=True, due_date__isnull=False
    ).select_related("responsible", "goal"):
        actions[action.goal.plan_id].append(action)
    for case_id, plan_id in in_force.items():
        found[case_id].open_actions = tuple(actions[plan_id])
    return found


def _no_contact_moments(case: Case, at: datetime) -> list[datetime]:
    """The last moment at or before ``at`` and the next one after it at which the child has
    gone NO_CONTACT_DAYS (or a multiple of it) without a recorded contact."""
    if case.risk_level not in NO_CONTACT_LEVELS:
        return []
    period = timedelta(days=settings.NO_CONTACT_DAYS)
    since = case.last_contact_at or case.created_at
    first = since + period
    if at < first:
        return [first]
    passed = (at - first) // period
    last = first + passed * period
    return [last, last + period]


def _deadlines(case: Case, plans: _Plans, at: datetime) -> list[_Deadline]:
    owner, supervisor = case.owner, case.owner.supervisor
    subject = f"case:{case.pk}"
    found: list[_Deadline] = []
    if case.reassess_by:
        due = start_of(case.reassess_by)
        found.append(
            _Deadline(
                NotificationKind.REASSESSMENT_DUE,
                due - lead_time(),
                subject,
                case.reassess_by.isoformat(),
                (owner,),
                due,
            )
        )
    if case.review_by:
        due = start_of(case.review_by)
        found.append(
            _Deadline(
                NotificationKind.REVIEW_DUE,
                due - lead_time(),
                subject,
                case.review_by.isoformat(),
                (owner, supervisor),
                due,
            )
        )
    for moment in _no_contact_moments(case, at):
        found.append(
            _Deadline(
                NotificationKind.NO_RECENT_CONTACT,
                moment,
                subject,
                moment.date().isoformat(),
                (owner, supervisor),
            )
        )
    if case.closure_pending and case.closure_requested_at:
        found.append(
            _Deadline(
                NotificationKind.APPROVAL_WAITING,
                case.closure_requested_at + _approval_wait(),
                f"closure:{case.pk}",
                case.closure_requested_at.isoformat(),
                (supervisor,),
            )
        )
    if owner.role in REFERRER_ROLES:
        hours = timedelta(hours=settings.REFER_ON_HOURS)
        found.append(
            _Deadline(
                NotificationKind.REFERRAL_NEEDED,
                case.created_at + hours,
                f"case:{case.pk}",
                f"owner:{owner.pk}",
                (owner,),
            )
        )
    plan = plans.submitted
    if plan is not None and plan.submitted_at:
        found.append(
            _Deadline(
                NotificationKind.APPROVAL_WAITING,
                plan.submitted_at + _approval_wait(),
                f"plan:{plan.pk}",
                plan.submitted_at.isoformat(),
                (supervisor,),
            )
        )
    for action in plans.open_actions:
        if action.due_date is None:
            continue
        due = start_of(action.due_date)
        person = (
            action.responsible if action.responsible and action.responsible.is_active else owner
        )
        found.append(
            _Deadline(
                NotificationKind.PLAN_ACTION_DUE,
                due - lead_time(),
                f"plan_action:{action.pk}",
                action.due_date.isoformat(),
                (person,),
                due,
            )
        )
    return found


def case_reschedule_reminders(case: Case) -> None:
    """Sets the case's next reminder moment from its deadlines as they now stand. Called by
    every service that moves one, inside its transaction."""
    if case.status != Status.OPEN:
        reminder_at = None
    else:
        plans = _plans_of([case.pk])[case.pk]
        moments = [deadline.fire_at for deadline in _deadlines(case, plans, timezone.now())]
        reminder_at = min(moments, default=None)
    Case.objects.filter(pk=case.pk).update(reminder_at=reminder_at)
    case.reminder_at = reminder_at


def case_reminders(now: datetime, limit: int) -> Batch:
    cases = list(
        Case.objects.filter(status=Status.OPEN, reminder_at__isnull=False, reminder_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("owner__supervisor")
        .order_by("reminder_at")[:limit]
    )
    plans = _plans_of(case.pk for case in cases)
    notices: list[Notice] = []
    for case in cases:
        deadlines = _deadlines(case, plans[case.pk], now)
        for deadline in deadlines:
            if deadline.fire_at > now:
                continue
            notices.extend(
                Notice(
                    kind=deadline.kind,
                    recipient_id=person.pk,
                    subject=deadline.subject,
                    period=deadline.period,
                    case_id=case.pk,
                    case_number=case.case_number,
                    due_at=deadline.due_at,
                )
                for person in dict.fromkeys(deadline.recipients)
                if person is not None and person.is_active
            )
        case.reminder_at = min(
            (deadline.fire_at for deadline in deadlines if deadline.fire_at > now), default=None
        )
    Case.objects.bulk_update(cases, ["reminder_at"])
    return Batch(claimed=len(cases), notices=notices)


def approval_requested(case: Case, *, subject: str, period: str) -> None:
    """Tells the owner's supervisor that a plan or closure waits for their decision; the
    ``approval_waiting`` reminder follows if it keeps waiting."""
    supervisor = User.objects.filter(supervisees__id=case.owner_id, is_active=True).first()
    if supervisor is not None:
        notify(
            [
                Notice(
                    kind=NotificationKind.APPROVAL_REQUESTED,
                    recipient_id=supervisor.pk,
                    subject=subject,
                    period=period,
                    case_id=case.pk,
                    case_number=case.case_number,
                )
            ]
        )


def approval_settled(case: Case, *, subject: str) -> None:
    """A plan or closure decided: the requests and reminders to decide it are done."""
    notifications_settle(
        kinds=[NotificationKind.APPROVAL_REQUESTED, NotificationKind.APPROVAL_WAITING],
        case_id=case.pk,
        subject=subject,
    )


def assignment_told(case: Case) -> None:
    """Tells the case's new owner that it is now theirs, once per assignment: the period is
    the case's version after the change, so a case given back later is told again."""
    notify(
        [
            Notice(
                kind=NotificationKind.CASE_ASSIGNED,
                recipient_id=case.owner_id,
                subject=f"case:{case.pk}",
                period=str(case.version),
                case_id=case.pk,
                case_number=case.case_number,
            )
        ]
    )


def deactivation_told(*, user: User, **_signal: object) -> None:
    """When an account is deactivated, its cases stay with it until someone moves them: the
    person's supervisor, or without one their agency's admins, are asked to. Runs in the
    deactivating transaction (accounts.events.user_deactivated); nothing is sent when the
    person holds no open case."""
    if not Case.objects.filter(owner_id=user.pk, status=Status.OPEN).exists():
        return
    deciders = User.objects.filter(is_active=True)
    if user.supervisor_id is not None and deciders.filter(pk=user.supervisor_id).exists():
        recipients = [user.supervisor_id]
    elif user.agency_id is not None:
        recipients = list(
            deciders.filter(agency_id=user.agency_id, role=Role.AGENCY_ADMIN).values_list(
                "pk", flat=True
            )
        )
    else:
        return
    notify(
        Notice(
            kind=NotificationKind.WORKER_DEACTIVATED,
            recipient_id=recipient,
            subject=f"worker:{user.pk}",
            # Once per deactivation: the account's version changes with each one.
            period=str(user.version),
            worker_id=user.pk,
        )
        for recipient in recipients
    )


def deactivated_cases_settled(worker_id: int) -> None:
    """Once a deactivated person holds no open case any more, the requests to move their cases
    are done and stop saying "new". Runs in the transaction that moved the last case."""
    if User.objects.filter(pk=worker_id, is_active=True).exists():
        return
    if Case.objects.filter(owner_id=worker_id, status=Status.OPEN).exists():
        return
    notifications_settle(kinds=[NotificationKind.WORKER_DEACTIVATED], worker_id=worker_id)


register("cases", case_reminders)
