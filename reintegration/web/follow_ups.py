"""Follow-up pages: the visits I follow, and the visit form, for a commune committee member on
her phone as for a social worker at her desk. They read through the same selectors and write
through the same services as the API."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from cases.choices import Section
from cases.policy import may_record_in_section
from cases.services.case import case_record_list_read
from core.errors import StateConflictError
from core.pagination import LookAheadPaginator
from reintegration import selectors, services
from reintegration.choices import FollowUpStatus
from reintegration.models import FollowUp
from reintegration.web.forms import FollowUpCompleteForm, FollowUpRescheduleForm

PAGE_SIZE = 25
SHOWS = {
    "due": [FollowUpStatus.SCHEDULED],
    "done": [FollowUpStatus.COMPLETED, FollowUpStatus.MISSED],
}
SERVICE_WORKER = "cpims/visits-sw.js"


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    show = request.GET.get("show", "due")
    if show not in SHOWS:
        show = "due"
    visits = selectors.follow_ups_visible(user=user).filter(status__in=SHOWS[show])
    visits = (
        visits.order_by("scheduled_date", "id")
        if show == "due"
        else visits.order_by("-scheduled_date", "-id")
    )
    page = LookAheadPaginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    case_record_list_read(
        actor=user,
        what="follow_up",
        query=request.GET.dict(),
        case_ids=[visit.case_id for visit in page.object_list],
    )
    return render(
        request,
        "reintegration/follow_up_list.html",
        {
            "page": page,
            "show": show,
            "today": timezone.localdate(),
            # The phone keeps the visits of the first to-do page, the next ones due, and those
            # alone (docs/architecture.md, "Offline follow-up visits").
            "keeps_visits": show == "due" and page.number == 1,
        },
    )


@require_GET
def visits_service_worker(request: HttpRequest) -> HttpResponse:
    """The follow-up pages' service worker, served from under /follow-ups/ so that its scope is
    those pages alone. ``no-cache``: a phone asks for a newer version at each visit. It is code,
    not data, so it needs no sign-in (a redirection would fail its registration)."""
    found = finders.find(SERVICE_WORKER)
    if not isinstance(found, str):
        raise Http404("No service worker.")
    response = HttpResponse(Path(found).read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def _page(
    request: HttpRequest,
    visit: FollowUp,
    complete: FollowUpCompleteForm | None = None,
    reschedule: FollowUpRescheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = cast(User, request.user)
    can_record = visit.status == FollowUpStatus.SCHEDULED and may_record_in_section(
        user, visit.case, Section.FOLLOW_UPS
    )
    return render(
        request,
        "reintegration/follow_up_detail.html",
        {
            "visit": visit,
            "can_record": can_record,
            "today": timezone.localdate(),
            "complete": complete
            or FollowUpCompleteForm(initial={"visit_date": timezone.localdate()}),
            "reschedule": reschedule or FollowUpRescheduleForm(),
        },
        status=status,
    )


@login_required
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.follow_up_detail(user=cast(User, request.user), follow_up_id=pk)
    return _page(request, visit)


@login_required
@require_POST
def follow_up_complete(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    visit = selectors.follow_up_detail(user=user, follow_up_id=pk, record_read=False)
    form = FollowUpCompleteForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_complete(
                actor=user,
                follow_up=visit,
                visit_date=form.cleaned_data["visit_date"],
                outcome=form.cleaned_data["outcome"],
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.adopt(error)
        except StateConflictError as conflict:
            messages.error(request, str(conflict))
            return redirect("follow-up-page", pk=visit.pk)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("follow-up-list-page")
    return _page(request, visit, complete=form, status=400)


@login_required
@require_POST
def follow_up_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    visit = selectors.follow_up_detail(user=user, follow_up_id=pk, record_read=False)
    form = FollowUpRescheduleForm(request.POST)
    if form.is_valid():
        try:
            replacement = services.follow_up_reschedule(
                actor=user,
                follow_up=visit,
                new_date=form.cleaned_data["new_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.adopt(error)
        except StateConflictError as conflict:
            messages.error(request, str(conflict))
            return redirect("follow-up-page", pk=visit.pk)
        else:
            messages.success(request, _("The visit is rescheduled."))
            return redirect("follow-up-page", pk=replacement.pk)
    return _page(request, visit, reschedule=form, status=400)
