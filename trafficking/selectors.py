"""Reads of the trafficking pathway, through the door: the case's section decides."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Agency, User
from cases.choices import Section
from cases.models import Case
from cases.policy import case_get
from trafficking.choices import COMPETENT_AGENCY_TYPES
from trafficking.models import Crossing, Repatriation, RepatriationStep, VictimIdentification


def identification_list(*, user: User, case_id: int | str) -> QuerySet[VictimIdentification]:
    case, _access = case_get(user, case_id, section=Section.CONCERNS, read=Section.CONCERNS)
    return VictimIdentification.objects.filter(case=case).select_related(
        "identifying_agency", "recorded_by"
    )


def _repatriations() -> QuerySet[Repatriation]:
    return Repatriation.objects.select_related("border_point", "transit_centre").prefetch_related(
        Prefetch("steps", queryset=RepatriationStep.objects.select_related("moved_by"))
    )


def repatriation_list(*, user: User, case_id: int | str) -> QuerySet[Repatriation]:
    case, _access = case_get(user, case_id, section=Section.REPATRIATION, read=Section.REPATRIATION)
    return _repatriations().filter(case=case)


def repatriation_detail(
    *, user: User, case_id: int | str, repatriation_id: int | str
) -> Repatriation:
    case, _access = case_get(user, case_id, section=Section.REPATRIATION, read=Section.REPATRIATION)
    return get_object_or_404(_repatriations().filter(case=case), pk=repatriation_id)


def repatriation_of(repatriation_id: int) -> Repatriation:
    """A repatriation as a service left it, with its steps (no check: the service made it)."""
    return _repatriations().get(pk=repatriation_id)


def crossings() -> QuerySet[Crossing]:
    return Crossing.objects.filter(is_active=True)


# --- For the case file, whose reader already passed the door ---------------------------------


def identifications_of(case: Case) -> QuerySet[VictimIdentification]:
    return VictimIdentification.objects.filter(case=case).select_related("identifying_agency")


def repatriations_of(case: Case) -> QuerySet[Repatriation]:
    return _repatriations().filter(case=case)


def competent_agencies() -> QuerySet[Agency]:
    """The agencies that identify a victim formally, for a form's choice."""
    return Agency.objects.filter(is_active=True, type__in=COMPETENT_AGENCY_TYPES).order_by("name")


def crossings_of_kind(kind: str) -> QuerySet[Crossing]:
    return crossings().filter(kind=kind).order_by("name_en")


def repatriations_of_case_id(case_id: int) -> QuerySet[Repatriation]:
    """A case's repatriations by the case's id, for a form whose caller passed the door."""
    return Repatriation.objects.filter(case_id=case_id)
