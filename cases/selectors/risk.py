"""Reads of risk instruments and assessments. Assessments are read through the access policy:
the case must be visible (else 404) and its risk section open to the caller (else 403)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from cases.choices import Section
from cases.models import Case, RiskAssessment, RiskInstrument, RiskQuestion
from cases.policy import case_get
from core.ids import as_id


def risk_instrument_with_content() -> QuerySet[RiskInstrument]:
    """Instruments with their bands, questions and options loaded in three more queries, however
    many questions they have."""
    return RiskInstrument.objects.prefetch_related(
        "bands",
        Prefetch("questions", queryset=RiskQuestion.objects.prefetch_related("options")),
    )


def risk_instrument_current() -> RiskInstrument:
    """The instrument new assessments must use; Http404 when none is current."""
    instrument = risk_instrument_with_content().filter(is_current=True).first()
    if instrument is None:
        raise Http404(_("No risk instrument is current."))
    return instrument


def risk_instrument(instrument_id: int | str | None) -> RiskInstrument | None:
    """The instrument a form names (None for one that does not exist)."""
    pk = as_id(instrument_id)
    return None if pk is None else RiskInstrument.objects.filter(pk=pk).first()


def risk_assessment_list(*, user: User, case_id: int | str) -> QuerySet[RiskAssessment]:
    """The case's assessments, latest first. Every field the API shows is on the row itself, so
    a page costs one query whatever its length."""
    case, _access = case_get(user, case_id, section=Section.RISK, read=Section.RISK)
    return risk_assessments_of(case)


def risk_assessments_of(case: Case) -> QuerySet[RiskAssessment]:
    """The assessments of a case the caller opened with its risk section, latest first."""
    return RiskAssessment.objects.filter(case=case).order_by("-assessed_at", "-id")


def risk_assessment_detail(
    *, user: User, case_id: int | str, assessment_id: int | str
) -> RiskAssessment:
    pk = as_id(assessment_id)
    assessment = (
        risk_assessment_list(user=user, case_id=case_id).filter(pk=pk).first()
        if pk is not None
        else None
    )
    if assessment is None:
        raise Http404(_("No such risk assessment."))
    return assessment
