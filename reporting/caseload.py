"""Each worker's caseload, for their supervisor and their agency's admin: what they hold and
what is late. Read live from the case tables (it is today's work, not a statistic), through the
access policy: a case the reader may not see is not counted, so a restricted case does not show
as a number either. Five queries whatever the size of the team."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from cases.choices import PlanStatus, RiskLevel, Status
from cases.models import CasePlan, PlanAction
from cases.policy import visible_cases
from referrals.choices import ReferralStatus
from referrals.models import Referral
from reintegration.choices import FollowUpStatus
from reintegration.models import FollowUp

# Roles whose people hold cases, and so have a caseload.
CASE_HOLDING_ROLES = (
    Role.SOCIAL_WORKER,
    Role.SUPERVISOR,
    Role.POLICE,
    Role.LABOUR_INSPECTOR,
    Role.HELPLINE_OPERATOR,
)


@dataclass
class CaseloadRow:
    worker: User
    open_cases: int = 0
    by_risk: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RiskLevel.values, 0))
    overdue_follow_ups: int = 0
    overdue_plan_actions: int = 0
    referrals_waiting: int = 0


def caseload_workers(user: User) -> QuerySet[User]:
    """Whose caseload the reader sees: a supervisor her team and herself, an agency admin the
    case holders of her agency (403 for anyone else)."""
    people = User.objects.filter(is_active=True, role__in=CASE_HOLDING_ROLES)
    if user.role == Role.SUPERVISOR and user.is_active:
        return people.filter(supervisor_id=user.pk) | people.filter(pk=user.pk)
    if user.role == Role.AGENCY_ADMIN and user.is_active and user.agency_id is not None:
        return people.filter(agency_id=user.agency_id)
    raise PermissionDenied(_("Caseloads are for supervisors and agency admins."))


def caseload(*, user: User) -> list[CaseloadRow]:
    """One row per worker, the heaviest open caseload first."""
    workers = list(caseload_workers(user).order_by("full_name", "id"))
    rows = {worker.pk: CaseloadRow(worker=worker) for worker in workers}
    if not rows:
        return []
    today = timezone.localdate()
    cases = visible_cases(user, by_key=True).filter(owner_id__in=rows, status=Status.OPEN)
    counted = cases.values("owner_id", "risk_level").annotate(n=Count("id")).order_by()
    for entry in counted:
        row = rows[entry["owner_id"]]
        row.open_cases += entry["n"]
        if entry["risk_level"]:
            row.by_risk[entry["risk_level"]] += entry["n"]
    for owner_id, n in _by_owner(
        FollowUp.objects.filter(
            case__in=cases, status=FollowUpStatus.SCHEDULED, scheduled_date__lt=today
        ),
        "case__owner_id",
    ):
        rows[owner_id].overdue_follow_ups = n
    # Only the plan in force (the case's latest approved one) sets what is late.
    in_force = (
        CasePlan.objects.filter(case_id=OuterRef("goal__plan__case_id"), status=PlanStatus.APPROVED)
        .order_by("-id")
        .values("id")[:1]
    )
    for owner_id, n in _by_owner(
        PlanAction.objects.filter(
            goal__plan__case__in=cases, done_at__isnull=True, due_date__lt=today
        ).filter(goal__plan_id=Subquery(in_force)),
        "goal__plan__case__owner_id",
    ):
        rows[owner_id].overdue_plan_actions = n
    for owner_id, n in _by_owner(
        Referral.objects.filter(
            case__in=cases,
            status__in=[ReferralStatus.PENDING_APPROVAL, ReferralStatus.SENT],
        ),
        "case__owner_id",
    ):
        rows[owner_id].referrals_waiting = n
    return sorted(rows.values(), key=lambda row: (-row.open_cases, row.worker.full_name))


def _by_owner(rows: QuerySet[Any], owner: str) -> list[tuple[int, int]]:
    totals: dict[int, int] = defaultdict(int)
    for owner_id, n in rows.values_list(owner).annotate(n=Count("id")).order_by():
        totals[owner_id] += n
    return list(totals.items())
