"""Risk assessment: the instrument's questions, and the result with its level."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases.choices import Section
from cases.selectors import risk as risk_selectors
from cases.services.risk import risk_assessment_record
from cases.web.case_file import (
    CaseFile,
    case_file_of,
)
from cases.web.forms import (
    RiskAssessmentForm,
)
from core.errors import StateConflictError
from core.web import adopt, localized, user_of


@login_required
def case_risk_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    file = case_file_of(user, pk)
    if not file.access.sees(Section.RISK):
        raise PermissionDenied(_("Your access to this case does not include its risk."))
    instrument = risk_selectors.risk_instrument_current()
    if request.method != "POST":
        form = RiskAssessmentForm(instrument=instrument)
        return _risk_page(request, file, form)
    form = RiskAssessmentForm(request.POST, instrument=instrument)
    if form.is_valid():
        chosen = risk_selectors.risk_instrument(form.cleaned_data["instrument"])
        try:
            assessment = risk_assessment_record(
                actor=user,
                case=file.case,
                instrument=chosen or instrument,
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
                safety_plan=form.cleaned_data["safety_plan"],
            )
        except ValidationError as error:
            adopt(form, error)
        except StateConflictError as conflict:
            messages.error(request, str(conflict))
            return redirect("case-tab", pk=pk, tab="risk")
        else:
            messages.success(
                request,
                _("Risk assessed: %(level)s.") % {"level": assessment.get_risk_level_display()},
            )
            return redirect("case-risk-page", pk=pk, assessment_id=assessment.pk)
    return _risk_page(request, file, form, status=400)


def _risk_page(
    request: HttpRequest, file: CaseFile, form: RiskAssessmentForm, status: int = 200
) -> HttpResponse:
    if not file.can_assess:
        raise PermissionDenied(_("Only the case owner or their supervisor assesses risk."))
    return render(
        request,
        "cases/risk_new.html",
        {"file": file, "case": file.case, "form": form},
        status=status,
    )


@login_required
def case_risk_result(request: HttpRequest, pk: int, assessment_id: int) -> HttpResponse:
    user = user_of(request)
    file = case_file_of(user, pk)
    assessment = risk_selectors.risk_assessment_detail(
        user=user, case_id=pk, assessment_id=assessment_id
    )
    instrument = (
        risk_selectors.risk_instrument_with_content().filter(pk=assessment.instrument_id).get()
    )
    answers = [
        (
            localized(question.text_en, question.text_km),
            next(
                (
                    localized(option.label_en, option.label_km)
                    for option in question.options.all()
                    if option.code == assessment.answers.get(question.code)
                ),
                assessment.answers.get(question.code, ""),
            ),
        )
        for question in instrument.questions.all()
    ]
    return render(
        request,
        "cases/risk_result.html",
        {
            "file": file,
            "case": file.case,
            "assessment": assessment,
            "answers": answers,
        },
    )
