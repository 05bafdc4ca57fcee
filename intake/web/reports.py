"""The intake pages: a short, phone-sized form to report a child at risk; the list of my
reports and, for an office's social services, its queue; a report, answered with a case (the
registration form, filled with what the report says) or closed with a reason."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import LocationLevel, Role
from accounts.models import Location, User
from accounts.selectors import homes, place_chosen, places_matching
from cases.models import ConcernType
from cases.web.registration import register_child
from core.errors import StateConflictError
from core.web import adopt, user_of
from intake import selectors, services
from intake.choices import REPORTER_ROLES, TRIAGE_ROLES, ReportStatus
from intake.models import ConcernReport
from intake.web.forms import CloseForm, ReportForm

LIST_LENGTH = 50


def _require_reporter(user: User) -> None:
    if user.role not in REPORTER_ROLES:
        raise PermissionDenied(_("Your role does not report children at risk."))


def _nearby(user: User) -> list[Location]:
    """The places a community reporter picks from without searching: her commune and its
    villages (a village chief's own village first)."""
    if user.location is None or user.role not in (Role.COMMUNE_COMMITTEE, Role.VILLAGE_CHIEF):
        return []
    commune = user.location if user.location.level == LocationLevel.COMMUNE else None
    if commune is None and user.location.parent_id is not None:
        commune = user.location.parent
    if commune is None:
        return []
    places = list(homes().filter(parent_id=commune.pk).order_by("name_en"))
    if user.location in places:
        places.remove(user.location)
        places.insert(0, user.location)
    return [commune, *places]


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    _require_reporter(user)
    nearby = _nearby(user)
    if request.method != "POST":
        initial = {"location": nearby[1].pk} if user.role == Role.VILLAGE_CHIEF and nearby else {}
        return _report_page(request, ReportForm(initial=initial), nearby)
    form = ReportForm(request.POST)
    if "find_place" in request.POST:
        form.errors.clear()
        return _report_page(request, form, nearby, searched=True)
    if not form.is_valid():
        return _report_page(request, form, nearby, status=400)
    values = {**form.cleaned_data}
    values["concern"] = ConcernType.objects.get(code=values["concern"])
    try:
        report = services.concern_report_create(actor=user, **values)
    except ValidationError as error:
        adopt(form, error)
        return _report_page(request, form, nearby, status=400)
    messages.success(
        request,
        _("Thank you. The report went to %(office)s, who will look at it.")
        % {"office": report.office.name},
    )
    return redirect("concern-report-page", pk=report.pk)


def _report_page(
    request: HttpRequest,
    form: ReportForm,
    nearby: list[Location],
    *,
    searched: bool = False,
    status: int = 200,
) -> HttpResponse:
    chosen = place_chosen(str(form["location"].value() or "")) if form.is_bound else None
    if chosen is None and not form.is_bound and form.initial.get("location"):
        chosen = place_chosen(str(form.initial["location"]))
    query = form.data.get("place_q", "") if form.is_bound else ""
    found = places_matching(query, chosen)
    places = found + [place for place in nearby if place not in found]
    return render(
        request,
        "intake/report_new.html",
        {"form": form, "places": places, "chosen": chosen, "searched": searched},
        status=status,
    )


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """My reports with their status and, for an office's social services, the reports
    waiting for the office."""
    user = user_of(request)
    if user.role not in REPORTER_ROLES:
        raise PermissionDenied(_("Your role does not report children at risk."))
    visible = selectors.reports_visible(user)
    context: dict[str, Any] = {
        "mine": list(visible.filter(reporter_id=user.pk).order_by("-created_at")[:LIST_LENGTH]),
        "triages": user.role in TRIAGE_ROLES,
    }
    if context["triages"]:
        context["queue"] = list(selectors.office_queue(user)[:LIST_LENGTH])
        context["answered"] = list(
            visible.filter(office_id=user.agency_id)
            .exclude(status=ReportStatus.NEW)
            .order_by("-triaged_at")[:LIST_LENGTH]
        )
    return render(request, "intake/report_list.html", context)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    report = selectors.report_detail(user=user, report_id=pk)
    return _detail_page(request, user, report, CloseForm())


def _detail_page(
    request: HttpRequest,
    user: User,
    report: ConcernReport,
    close_form: CloseForm,
    status: int = 200,
) -> HttpResponse:
    triages = services.triages(user, report)
    return render(
        request,
        "intake/report_detail.html",
        {
            "report": report,
            # The office sees the report whole; its reporter sees what she said and its status.
            "triages": triages,
            "can_answer": triages and report.status == ReportStatus.NEW,
            "close_form": close_form,
        },
        status=status,
    )


@login_required
@require_POST
def report_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    report = selectors.report_detail(user=user, report_id=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, user, report, form, status=400)
    try:
        services.concern_report_close(actor=user, report=report, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        adopt(form, error)
        return _detail_page(request, user, report, form, status=400)
    messages.success(request, _("The report is closed; the person who reported is told."))
    return redirect("concern-report-list-page")


@login_required
def report_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The registration form, filled with what the report says, with its duplicate check; the
    case it opens is linked to the report."""
    user = user_of(request)
    report = selectors.report_detail(user=user, report_id=pk)
    if not services.triages(user, report):
        raise PermissionDenied(_("Only the social services of the report's office answer it."))
    if report.status != ReportStatus.NEW:
        raise StateConflictError(_("This report has already been answered."))
    known = services.report_case_input(report)
    initial = {**known["child"], **{k: v for k, v in known.items() if k != "child"}}
    return register_child(
        request,
        user,
        open_case=lambda **values: services.concern_report_open_case(
            actor=user, report=report, **values
        ),
        initial=initial,
        context={"report": report},
    )
