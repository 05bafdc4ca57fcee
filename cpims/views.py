"""The pages that belong to no single app: the home page ("my work"), one for each role."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.selectors import active_people, directory_size, users_visible_to
from cases.choices import Status
from cases.policy import case_accesses
from cases.reminders import REFERRER_ROLES
from cases.selectors.case import (
    case_approvals_waiting,
    case_list,
    cases_without_recent_contact,
)
from cases.services.case import CASE_HOLDER_ROLES
from intake.choices import REPORTER_ROLES, TRIAGE_ROLES
from intake.selectors import office_queue, reports_visible
from notifications.models import NEXT_STEP
from notifications.outbox import notifications_of
from referrals.choices import ANSWERING_ROLES
from referrals.queue import can_see_queue, supervisor_queue
from referrals.selectors import referral_list, referrals_to_answer
from reintegration.choices import FollowUpStatus
from reintegration.selectors import follow_ups_visible
from reporting.caseload import caseload

# Each list shows the most pressing first; the full lists are on their own pages.
LIST_LENGTH = 10
NOTIFICATION_COUNT = 5

# Their homes show no case of anyone's: the configuration, or the visits of a commune (a
# commune member's reports show their status in "My reports").
WITHOUT_NOTIFICATIONS = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_COMMITTEE})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What waits for me today, in a fixed number of queries per role whatever the lists'
    lengths."""
    user = cast(User, request.user)
    if user.role == Role.DATA_ANALYST:
        # An analyst holds no cases: her work is the statistics.
        return redirect("statistics-page")
    context: dict[str, Any]
    if user.role == Role.SYSTEM_ADMIN:
        panel, context = "home/system_admin.html", {"directory": directory_size()}
    elif user.role == Role.COMMUNE_COMMITTEE:
        panel, context = "home/commune.html", _commune_work(user)
    elif user.role == Role.VILLAGE_CHIEF:
        # A village chief holds no case: he reports children at risk and follows his reports.
        panel, context = "home/village_chief.html", {}
    elif user.role in REFERRER_ROLES:
        panel, context = "home/referrer.html", _referrer_work(user)
    elif user.role == Role.AGENCY_ADMIN:
        panel, context = "home/agency_admin.html", _agency_admin_work(user)
    else:
        panel, context = "home/case_work.html", _case_work(user)
    context["panel"] = panel
    context["holds_cases"] = user.role in CASE_HOLDER_ROLES
    context.update(_reports(user))
    if user.role not in WITHOUT_NOTIFICATIONS:
        unread = notifications_of(int(user.pk)).filter(read_at__isnull=True)
        # Each with what it asks of the reader, as on the notifications page.
        context["notifications"] = [
            (notification, NEXT_STEP.get(notification.kind, ""))
            for notification in unread[:NOTIFICATION_COUNT]
        ]
    return render(request, "home.html", context)


def _quiet_cases(user: User) -> dict[str, Any]:
    """High-risk children without recent contact, each with what the user may see of it."""
    quiet_cases = list(cases_without_recent_contact(user=user)[:LIST_LENGTH])
    accesses = case_accesses(user, quiet_cases)
    return {
        "quiet_cases": [(case, accesses[case.pk]) for case in quiet_cases],
        "no_contact_days": settings.NO_CONTACT_DAYS,
    }


def _case_work(user: User) -> dict[str, Any]:
    """A social worker's or a supervisor's work lists; the supervisor's with her team's
    caseload and what waits for her approval."""
    overdue_visits = (
        follow_ups_visible(user=user)
        .filter(status=FollowUpStatus.SCHEDULED, scheduled_date__lt=timezone.localdate())
        .order_by("scheduled_date", "id")[:LIST_LENGTH]
    )
    queue = supervisor_queue(user=user) if can_see_queue(user) else None
    return {
        "overdue_visits": list(overdue_visits),
        "to_answer": list(referrals_to_answer(user=user)[:LIST_LENGTH]),
        "referrals_to_approve": queue.pending_approval[:LIST_LENGTH] if queue else [],
        "approvals": case_approvals_waiting(user=user, limit=LIST_LENGTH),
        "can_see_queue": queue is not None,
        "answers_referrals": user.role in ANSWERING_ROLES,
        "team_caseload": caseload(user=user) if user.role == Role.SUPERVISOR else None,
        **_quiet_cases(user),
    }


def _agency_admin_work(user: User) -> dict[str, Any]:
    """Her agency's people, its entry in the service directory, and the children of the
    agency who have gone quiet (case numbers only: the policy hides the children from her)."""
    return {
        "people": list(active_people(users_visible_to(user))),
        **_quiet_cases(user),
    }


def _commune_work(user: User) -> dict[str, Any]:
    """The follow-up visits due in her commune, the soonest first: the visits are all the
    commune committee sees of a case."""
    due = (
        follow_ups_visible(user=user)
        .filter(status=FollowUpStatus.SCHEDULED)
        .order_by("scheduled_date", "id")[:LIST_LENGTH]
    )
    return {"due_visits": list(due), "today": timezone.localdate()}


def _reports(user: User) -> dict[str, Any]:
    """For those who report children at risk, their latest reports with their status; for an
    office's social services, how many reports wait for the office and the earliest deadline.
    Two queries at most."""
    if user.role not in REPORTER_ROLES:
        return {}
    context: dict[str, Any] = {
        "reports": list(
            reports_visible(user).filter(reporter_id=user.pk).order_by("-created_at")[:5]
        )
    }
    if user.role in TRIAGE_ROLES:
        context["report_queue"] = office_queue(user).aggregate(
            waiting=Count("pk"), earliest=Min("triage_by")
        )
    return context


def _referrer_work(user: User) -> dict[str, Any]:
    """The children she still holds, to refer on to a social worker (the cases the
    ``referral_needed`` reminder is about), and the referrals she made with their answer."""
    to_refer = (
        case_list(user=user)
        .filter(owner_id=user.pk, status=Status.OPEN)
        .order_by("created_at", "id")[:LIST_LENGTH]
    )
    referred = (
        referral_list(user=user).filter(created_by_id=user.pk).order_by("-created_at", "-id")
    )[:LIST_LENGTH]
    cases = list(to_refer)
    accesses = case_accesses(user, cases)
    return {
        "to_refer": [(case, accesses[case.pk]) for case in cases],
        "referred": list(referred),
    }
