"""Reads of placements, reintegrations and follow-ups, always through the case's access
policy: the placements section for where a child lives, the follow-ups section for visits."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from cases.choices import Section
from cases.models import Case
from cases.policy import case_get, section_readable
from cases.services.case import case_record_view
from core.ids import as_id
from reintegration.models import FollowUp, Placement, Reintegration


def placements_of(case: Case) -> QuerySet[Placement]:
    """The placements of a case the caller opened with its placements section."""
    return Placement.objects.filter(case=case).select_related("location")


def reintegrations_of(case: Case) -> QuerySet[Reintegration]:
    return Reintegration.objects.filter(case=case).prefetch_related("follow_ups")


def placement_list(*, user: User, case_id: int | str) -> QuerySet[Placement]:
    case, _access = case_get(user, case_id, section=Section.PLACEMENTS, read=Section.PLACEMENTS)
    return placements_of(case)


def reintegration_list(*, user: User, case_id: int | str) -> QuerySet[Reintegration]:
    case, _access = case_get(user, case_id, section=Section.PLACEMENTS, read=Section.PLACEMENTS)
    return reintegrations_of(case)


def follow_ups_visible(*, user: User) -> QuerySet[FollowUp]:
    """The visits ``user`` may see: those of cases whose follow-ups section is theirs,
    including a commune committee's children (area grants), with the child and the family's
    address in the same query."""
    return FollowUp.objects.filter(
        section_readable(user, Section.FOLLOW_UPS, through="case")
    ).select_related(
        "case__child",
        "reintegration__placement__location",
    )


def follow_up_detail(*, user: User, follow_up_id: int | str, record_read: bool = True) -> FollowUp:
    pk = as_id(follow_up_id)
    follow_up = follow_ups_visible(user=user).filter(pk=pk).first() if pk is not None else None
    if follow_up is None:
        raise Http404("No such follow-up.")
    if record_read:
        case_record_view(actor=user, case=follow_up.case, what="follow_up")
    return follow_up
