"""Reads of placements, reintegrations and follow-ups, always through the case's access
policy: the placements section for where a child lives, the follow-ups section for visits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, cast

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.http import Http404

from accounts.choices import OVERSIGHT_AGENCY_TYPES, LocationLevel, Role
from accounts.models import User
from accounts.selectors import active_people
from cases.choices import Section
from cases.models import Case
from cases.policy import Visibility, case_get, section_readable, section_visibility
from cases.services.case import case_record_view
from core.compiled import CompiledQuery
from core.ids import as_id
from core.pagination import ReadByWindows
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
    return _as_listed(
        FollowUp.objects.filter(section_readable(user, Section.FOLLOW_UPS, through="case"))
    )


def _as_listed(visits: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return visits.select_related("case__child", "reintegration__placement__location")


# The filters a compiled list of visits answers, each with the lookup it makes and the type of
# its value (reintegration.api.filters.FollowUpFilter names them so).
FOLLOW_UP_LIST_FILTERS: dict[str, tuple[str, type]] = {
    "status": ("status", str),
    "due_before": ("scheduled_date__lt", date),
    "due_after": ("scheduled_date__gte", date),
}
SOONEST_FIRST = ("scheduled_date", "id")


class FollowUpList(ReadByWindows[FollowUp]):
    """The visits ``user`` may see, soonest first, filtered by at most a status and the dates
    between which they are scheduled (``asked``, by the names of FOLLOW_UP_LIST_FILTERS): the
    follow-up list as it is asked nearly every time (another filter goes to the FilterSet).
    Its windows are compiled once a process for each shape (core.compiled), as the case
    lists' are (cases.selectors.case.StatusList): the statement :func:`follow_ups_visible`
    and the filters make, with the caller's values bound."""

    def __init__(self, *, user: User, asked: dict[str, Any], columns: Sequence[str]) -> None:
        self.user, self.asked, self.columns = user, asked, tuple(columns)

    def __len__(self) -> int:
        raise TypeError("This list is read by windows, never counted.")

    def between(self, start: int, stop: int) -> list[FollowUp]:
        visibility = section_visibility(self.user, Section.FOLLOW_UPS)
        if visibility is None:
            return []
        condition, values = visibility
        shape = _FollowUpListShape(condition, tuple(sorted(self.asked)), self.columns)
        statement = _follow_up_window(shape, start, stop)
        return cast(list[FollowUp], statement.instances(**values, **self.asked))


@dataclass(frozen=True)
class _FollowUpListShape:
    visibility: Visibility
    filters: tuple[str, ...]
    columns: tuple[str, ...]

    def build(self, start: int, stop: int) -> Callable[..., QuerySet[FollowUp]]:
        def window(**values: Any) -> QuerySet[FollowUp]:
            asked = {name: values.pop(name) for name in self.filters}
            visits = _as_listed(
                FollowUp.objects.filter(self.visibility.condition("case", **values))
            ).filter(**{FOLLOW_UP_LIST_FILTERS[name][0]: value for name, value in asked.items()})
            return visits.only(*self.columns).order_by(*SOONEST_FIRST)[start:stop]

        return window


# The windows of the first pages are nearly all that is asked; a later one is compiled when
# asked and kept while asked.
@lru_cache(maxsize=256)
def _follow_up_window(shape: _FollowUpListShape, start: int, stop: int) -> CompiledQuery:
    kinds = shape.visibility.kinds()
    kinds.update({name: FOLLOW_UP_LIST_FILTERS[name][1] for name in shape.filters})
    return CompiledQuery(shape.build(start, stop), **kinds)


def follow_up_of(*, follow_up_id: int) -> FollowUp:
    """A visit with the child and the family's address, as the list shows it, to answer a write
    its service allowed: no second visibility query in that request."""
    return _as_listed(FollowUp.objects.all()).get(pk=follow_up_id)


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
