"""Risk assessment: the instrument's questions, what the answers come to as they are given,
and the result with its level."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.choices import Section
from cases.models import RiskInstrument
from cases.policy import case_actions, case_get
from cases.selectors import risk as risk_selectors
from cases.services.risk import (
    RiskPreview,
    risk_answers_from_case_file,
    risk_assessment_record,
    risk_preview,
)
from cases.web.case_file import (
    CaseFile,
    case_file_of,
)
from cases.web.forms import (
    RiskAssessmentForm,
)
from core.errors import StateConflictError
from core.web import adopt, localized, user_of


def _check_sees_risk(file: CaseFile) -> None:
    if not file.access.sees(Section.RISK):
        raise PermissionDenied(_("Your access to this case does not include its risk."))


def _check_may_assess(file: CaseFile) -> None:
    # A save goes to the service, which tells a case that can no longer be assessed (closed
    # meanwhile) from one the person may not assess; showing the form needs both.
    _check_sees_risk(file)
    if not file.can_assess:
        raise PermissionDenied(_("Only the case owner or their supervisor assesses risk."))


def _known_answers(file: CaseFile, instrument: RiskInstrument) -> dict[str, str]:
    # The child's age is part of the identity: filled in only for a reader who sees it.
    if not file.access.identity:
        return {}
    return risk_answers_from_case_file(instrument=instrument, child=file.case.child)


def _preview(form: RiskAssessmentForm, instrument: RiskInstrument) -> RiskPreview | None:
    """What the form's answers come to; None when the instrument cannot score them (it has no
    band for a level an answer sets), which saving reports."""
    try:
        return risk_preview(instrument=instrument, answers=form.answers_so_far())
    except ValidationError:
        return None


@login_required
def case_risk_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    file = case_file_of(user, pk)
    _check_sees_risk(file)
    instrument = risk_selectors.risk_instrument_current()
    known = _known_answers(file, instrument)
    if request.method != "POST":
        form = RiskAssessmentForm(instrument=instrument, from_case_file=known)
        return _risk_page(request, file, form, instrument)
    form = RiskAssessmentForm(request.POST, instrument=instrument, from_case_file=known)
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
    return _risk_page(request, file, form, instrument, status=400)


def _risk_page(
    request: HttpRequest,
    file: CaseFile,
    form: RiskAssessmentForm,
    instrument: RiskInstrument,
    status: int = 200,
) -> HttpResponse:
    _check_may_assess(file)
    preview = _preview(form, instrument)
    if preview is not None and preview.result.needs_safety_plan:
        form.mark_safety_plan_required()
    return render(
        request,
        "cases/risk_new.html",
        {"file": file, "case": file.case, "form": form, "preview": preview},
        status=status,
    )


@login_required
@require_POST
def case_risk_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What the form's answers come to, before saving: the level and what it requires, for the
    form to show as the answers change (htmx posts the form here). The same door and checks as
    the form, 404 for a case out of reach; nothing is written, not even a reading of the file
    (the form's page recorded that)."""
    user = user_of(request)
    case, access = case_get(user, pk)
    _check_may_assess(CaseFile(case=case, access=access, actions=case_actions(user, case, access)))
    instrument = risk_selectors.risk_instrument_current()
    form = RiskAssessmentForm(request.POST, instrument=instrument)
    return render(request, "cases/_risk_preview.html", {"preview": _preview(form, instrument)})


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
