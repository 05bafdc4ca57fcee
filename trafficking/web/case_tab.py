"""The case file's trafficking tab (the case file itself is cases.web.case_file): the child's
identifications as a victim and her repatriations with their steps, and the forms that record
them, through this app's selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from cases.choices import Section
from cases.web.case_file import (
    Bound,
    CaseFile,
    Tab,
    case_file_of,
    case_to_write,
    register_tab,
    render_case_page,
    submit_on_tab,
)
from core.errors import StateConflictError
from core.web import user_of
from trafficking import selectors, services
from trafficking.choices import COUNTRIES, REPATRIATION_ENDED, Indicator
from trafficking.web.forms import AdvanceForm, IdentificationForm, RepatriationForm

TAB = "trafficking"


def trafficking_tab(
    request: HttpRequest, user: User, file: CaseFile, bound: Bound
) -> dict[str, Any]:
    context: dict[str, Any] = {}
    opened = request.GET.get("record")
    if file.access.sees(Section.CONCERNS):
        identifications = list(selectors.identifications_of(file.case))
        for identification in identifications:
            identification.indicator_labels = [  # type: ignore[attr-defined]
                Indicator(code).label for code in identification.indicators if code in Indicator
            ]
        context["identifications"] = identifications
        if "identify_victim" in file.actions:
            context["can_identify"] = True
            if "identification_form" in bound or opened == "identification":
                context["identification_form"] = (
                    bound.get("identification_form") or IdentificationForm()
                )
    if file.access.sees(Section.REPATRIATION):
        repatriations = list(selectors.repatriations_of(file.case))
        names = dict(COUNTRIES)
        for repatriation in repatriations:
            # The country by its name where the form offers it, else its code.
            repatriation.country_name = names.get(  # type: ignore[attr-defined]
                repatriation.country, repatriation.country
            )
        context["repatriations"] = repatriations
        if "repatriate" in file.actions:
            context["can_repatriate"] = True
            under_way = [r for r in repatriations if r.status not in REPATRIATION_ENDED]
            context["advance_forms"] = {
                repatriation.pk: bound.get(f"advance-{repatriation.pk}")
                or AdvanceForm(repatriation=repatriation)
                for repatriation in under_way
            }
            if not under_way and ("repatriation_form" in bound or opened == "repatriation"):
                context["repatriation_form"] = bound.get("repatriation_form") or RepatriationForm()
    return context


@login_required
@require_POST
def identification_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    case = case_to_write(user, pk, action="identify_victim")
    form = IdentificationForm(request.POST)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab=TAB,
        success=_("The identification is recorded."),
        write=lambda: services.identification_record(actor=user, case=case, **form.cleaned_data),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), TAB, {"identification_form": form}, 400
    )


@login_required
@require_POST
def repatriation_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    case = case_to_write(user, pk, action="repatriate")
    form = RepatriationForm(request.POST)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab=TAB,
        success=_("The repatriation is opened."),
        write=lambda: services.repatriation_start(actor=user, case=case, **form.cleaned_data),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), TAB, {"repatriation_form": form}, 400
    )


@login_required
@require_POST
def repatriation_advance(request: HttpRequest, pk: int, repatriation_id: int) -> HttpResponse:
    user = user_of(request)
    case_to_write(user, pk, action="repatriate")
    repatriation = selectors.repatriations_of_case_id(pk).filter(pk=repatriation_id).first()
    if repatriation is None:
        raise Http404(_("No such repatriation."))
    if repatriation.status in REPATRIATION_ENDED:
        # Its form has no next step to offer: the refusal the service would give (409).
        raise StateConflictError(_("This repatriation has ended."))
    form = AdvanceForm(request.POST, repatriation=repatriation)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab=TAB,
        success=_("The repatriation moved on."),
        write=lambda: services.repatriation_advance(
            actor=user, repatriation=repatriation, **form.cleaned_data
        ),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), TAB, {f"advance-{repatriation.pk}": form}, 400
    )


register_tab(
    Tab(
        TAB,
        gettext_lazy("Trafficking"),
        (Section.CONCERNS, Section.REPATRIATION),
        order=75,
        template="trafficking/_case_trafficking.html",
    ),
    trafficking_tab,
)
