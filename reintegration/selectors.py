"""Reads of placements, reintegrations and follow-ups, always through the case's access
policy: the placements section for where a child lives, the follow-ups section for visits."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.http import Http404

from accounts.choices import OVERSIGHT_AGENCY_TYPES, LocationLevel, Role
from accounts.models import User
from accounts.selectors import active_people
from cases.choices import Section
from cases.models import Case
from cases.policy import case_get, section_readable
from cases.services.case import case_record_view
from core.ids import as_id
from reintegration.choices import FAMILY_PLACEMENTS
from reintegration.models import FollowUp, Placement, Reintegration
from reintegration.services import FOLLOW_UP_WORKER_ROLES


def placements_of(case: Case) -> QuerySet[Placement]:
    """The placements of a case the caller opened with its placements section."""
    return Placement.objects.filter(case=case).select_related("location")


def reintegrations_of(case: Case) -> QuerySet[Reintegration]:
    return Reintegration.objects.filter(case=case).prefetch_related("follow_ups")


def follow_ups_of(case: Case) -> QuerySet[FollowUp]:
    """The visits of a case the caller opened with its follow-ups section."""
    return FollowUp.objects.filter(case=case)


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


def follow_up_of(*, follow_up_id: int) -> FollowUp:
    """A visit with the child and the family's address, as the list shows it, to answer a write
    its service allowed: no second visibility query in that request."""
    return FollowUp.objects.select_related("case__child", "reintegration__placement__location").get(
        pk=follow_up_id
    )


def follow_up_detail(*, user: User, follow_up_id: int | str, record_read: bool = True) -> FollowUp:
    pk = as_id(follow_up_id)
    follow_up = follow_ups_visible(user=user).filter(pk=pk).first() if pk is not None else None
    if follow_up is None:
        raise Http404("No such follow-up.")
    if record_read:
        case_record_view(actor=user, case=follow_up.case, what="follow_up")
    return follow_up


def family_placements(case: Case) -> QuerySet[Placement]:
    """The family placements of ``case`` a child can be reintegrated into."""
    return Placement.objects.filter(case=case, type__in=FAMILY_PLACEMENTS).select_related(
        "location"
    )


def follow_up_workers(case: Case) -> QuerySet[User]:
    """Who can follow a reintegrated child up: active workers of the case's agency."""
    return active_people(
        User.objects.filter(agency_id=case.agency_id, role__in=FOLLOW_UP_WORKER_ROLES)
    )


def commune_focal_points(families: QuerySet[Placement]) -> QuerySet[User]:
    """Active commune committee members of the communes the ``families`` live in (a village's
    commune), in the same query as the families."""
    communes = families.annotate(
        commune_path=models.Case(
            models.When(location__level=LocationLevel.VILLAGE, then=F("location__parent__path")),
            default=F("location__path"),
        ),
    ).filter(StartsWith(OuterRef("location__path"), F("commune_path")))
    return active_people(User.objects.filter(role=Role.COMMUNE_COMMITTEE).filter(Exists(communes)))


def gatekeeping_approvers(case: Case) -> QuerySet[User]:
    """Who may approve residential care for ``case``: supervisors of its agency and of the
    social affairs offices (the service checks that an office's territory covers the case)."""
    return active_people(
        User.objects.filter(role=Role.SUPERVISOR).filter(
            Q(agency_id=case.agency_id) | Q(agency__type__in=OVERSIGHT_AGENCY_TYPES)
        )
    )
