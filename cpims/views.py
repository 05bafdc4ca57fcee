"""The pages that belong to no single app: the home page ("my work")."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from cases.policy import case_accesses
from cases.selectors.case import case_approvals_waiting, cases_without_recent_contact
from notifications.outbox import notifications_of
from referrals.choices import ANSWERING_ROLES
from referrals.queue import can_see_queue, supervisor_queue
from referrals.selectors import referrals_to_answer
from reintegration.choices import FollowUpStatus
from reintegration.selectors import follow_ups_visible
from reporting.caseload import caseload

# Each list shows the most pressing first; the full lists are on their own pages.
LIST_LENGTH = 10
NOTIFICATION_COUNT = 5


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What waits for me today, in a fixed number of queries whatever the lists' lengths."""
    user = cast(User, request.user)
    if user.role == Role.DATA_ANALYST:
        # An analyst holds no cases: her work is the statistics.
        return redirect("statistics-page")
    today = timezone.localdate()
    overdue_visits = (
        follow_ups_visible(user=user)
        .filter(status=FollowUpStatus.SCHEDULED, scheduled_date__lt=today)
        .order_by("scheduled_date", "id")[:LIST_LENGTH]
    )
    queue = supervisor_queue(user=user) if can_see_queue(user) else None
    quiet_cases = list(cases_without_recent_contact(user=user)[:LIST_LENGTH])
    accesses = case_accesses(user, quiet_cases)
    unread = notifications_of(int(user.pk)).filter(read_at__isnull=True)[:NOTIFICATION_COUNT]
    return render(
        request,
        "home.html",
        {
            "overdue_visits": list(overdue_visits),
            "to_answer": list(referrals_to_answer(user=user)[:LIST_LENGTH]),
            "referrals_to_approve": queue.pending_approval[:LIST_LENGTH] if queue else [],
            "approvals": case_approvals_waiting(user=user, limit=LIST_LENGTH),
            "quiet_cases": [(case, accesses[case.pk]) for case in quiet_cases],
            "no_contact_days": settings.NO_CONTACT_DAYS,
            "notifications": list(unread),
            "can_see_queue": queue is not None,
            "answers_referrals": user.role in ANSWERING_ROLES,
            "team_caseload": caseload(user=user) if user.role == Role.SUPERVISOR else None,
        },
    )
