"""The supervisor's queue page: what waits for them or their agency."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases.selectors.case import case_approvals_waiting
from core.web import user_of
from referrals.queue import QUEUE_LENGTH, supervisor_queue


@login_required
def referral_queue(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    queue = supervisor_queue(user=user)  # 403 for those without a queue
    return render(
        request,
        "referrals/queue.html",
        {"queue": queue, "approvals": case_approvals_waiting(user=user, limit=QUEUE_LENGTH)},
    )
