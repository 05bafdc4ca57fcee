"""Reads of case data, always through the access policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, lru_cache
from typing import Any, cast

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.choices import OVERSIGHT_AGENCY_TYPES, AgencyType, Role
from accounts.models import PATH_SEPARATOR, User
from accounts.reach import reach_of
from accounts.selectors import active_people
from audit.models import AuditEvent
from cases.choices import PlanStatus, Sex, Status
from cases.models import (
    Case,
    CaseConcern,
    CaseGrantBasis,
    CaseNamedUser,
    CasePlan,
    Child,
    ConcernType,
    FamilyMember,
    district_of,
)
from cases.policy import Visibility, case_visibility, visible_cases
from cases.reminders import NO_CONTACT_LEVELS
from cases.search import children_named, namesakes
from cases.services.case import CASE_HOLDER_ROLES
from core.compiled import CompiledQuery
from core.lookups import IdList
from core.pagination import ReadByWindows, joined_after

# How far apart two ages may be for the same child (estimates are rough).
DUPLICATE_AGE_TOLERANCE = 2
DUPLICATE_LIMIT = 10


def case_list(*, user: User, place: bool = False) -> QuerySet[Case]:
    """The cases ``user`` sees, with what a list row shows of them: the child, and the place
    by name with ``place`` (the API gives its id alone); a page of it reads the rest in one
    query per relation (cases.prefetched.load_details)."""
    return _as_listed(visible_cases(user), place)


def _as_listed(cases: QuerySet[Case], place: bool) -> QuerySet[Case]:
    return cases.select_related("child", "location") if place else cases.select_related("child")


class StatusList(ReadByWindows[Case]):
    """The cases ``user`` sees, of one status or of any, newest first: the case list asked
    with no other filter, as nearly every time it is asked (another filter goes to the
    FilterSet). Its windows are compiled once a process for each shape (core.compiled):
    building the list's conditions and compiling them again took a sixth of the list's
    Python. The statement is the one :func:`case_list`, the status filter and the list's
    paginator make, with the caller's values bound."""

    def __init__(self, *, user: User, status: str | None, place: bool = False) -> None:
        self.user, self.status, self.place = user, status, place

    def __len__(self) -> int:
        raise TypeError("This list is read by windows, never counted.")

    def between(self, start: int, stop: int) -> list[Case]:
        visibility = case_visibility(self.user)
        if visibility is None:
            return []
        condition, values = visibility
        shape = _ListShape(condition, self.status is not None, self.place)
        if self.status is not None:
            values = {**values, "status": self.status}
        return cast(list[Case], _window_statement(shape, start, stop).instances(**values))


@dataclass(frozen=True)
class _ListShape:
    """What decides the statement of a case list of at most a status: its values aside, the
    same for everyone whose visibility has one shape."""

    visibility: Visibility
    with_status: bool
    place: bool

    def build(self, start: int, stop: int) -> Callable[..., QuerySet[Case]]:
        def window(status: str = "", **values: Any) -> QuerySet[Case]:
            cases = _as_listed(Case.objects.filter(self.visibility.condition(**values)), self.place)
            if self.with_status:
                cases = cases.filter(status=status)
            if self.visibility.territory is None:
                # A set of ids, each read to be sorted: cut before the children are joined, as
                # the API's paginator cuts such a list (core.pagination.JoinsAfterPaginator).
                return joined_after(cases, start, stop)
            return cases[start:stop]

        return window


# The windows of the first pages are nearly all that is asked; a later one is compiled when
# asked and kept while asked.
@lru_cache(maxsize=256)
def _window_statement(shape: _ListShape, start: int, stop: int) -> CompiledQuery:
    kinds = shape.visibility.kinds()
    if shape.with_status:
        kinds["status"] = str
    return CompiledQuery(shape.build(start, stop), **kinds)


class NameSearchList(ReadByWindows[Case]):
    """The cases a caller with a territory finds by a child's name (not a case number), of one
    status or of any, newest first: the search asked with no other filter. The children so
    named are found first (cases.search.children_named), then the keys of the page's cases
    among those the caller sees, then those cases by key, as the search's paginator reads
    them (core.pagination.KeysFirstPaginator); both statements compiled once a shape, as
    :class:`StatusList`'s are. Only for a caller who reads every case she sees (no agency
    scope, see cases.policy.readable_filter): :meth:`answers` says so."""

    def __init__(self, *, user: User, text: str, status: str | None, place: bool = False) -> None:
        self.user, self.text, self.status, self.place = user, text, status, place

    @staticmethod
    def answers(user: User) -> bool:
        reach = reach_of(user)
        return reach.jurisdiction_path is not None and not reach.agency

    def __len__(self) -> int:
        raise TypeError("This list is read by windows, never counted.")

    def between(self, start: int, stop: int) -> list[Case]:
        visibility = case_visibility(self.user)
        children = children_named(self.text) if visibility is not None else []
        if visibility is None or not children:
            return []
        condition, values = visibility
        shape = _ListShape(condition, self.status is not None, self.place)
        values = {**values, "children": IdList(children)}
        if self.status is not None:
            values["status"] = self.status
        keys = [key for (key,) in _search_keys_statement(shape, start, stop).rows(**values)]
        if not keys:
            return []
        found = _cases_by_key(self.place).instances(keys=IdList(keys))
        by_key = {case.pk: case for case in found}
        return [cast(Case, by_key[key]) for key in keys if key in by_key]


@lru_cache(maxsize=256)
def _search_keys_statement(shape: _ListShape, start: int, stop: int) -> CompiledQuery:
    def keys(children: IdList, status: str = "", **values: Any) -> QuerySet[Case, tuple[int]]:
        cases = Case.objects.filter(shape.visibility.condition(**values), child_id__any_of=children)
        if shape.with_status:
            cases = cases.filter(status=status)
        return cases.values_list("pk")[start:stop]

    kinds = {**shape.visibility.kinds(), "children": IdList}
    if shape.with_status:
        kinds["status"] = str
    return CompiledQuery(keys, **kinds)


@cache
def _cases_by_key(place: bool) -> CompiledQuery:
    # The keys have passed the list's filters, access included.
    return CompiledQuery(
        lambda keys: _as_listed(Case._base_manager.filter(pk__any_of=keys), place).order_by(),
        keys=IdList,
    )


@dataclass(frozen=True)
class PossibleDuplicate:
    """A child already known who may be this one. Another agency's case shows only that it
    exists and whom to contact; its number only when the caller can open it."""

    agency_id: int
    agency_name: str
    case_id: int | None
    case_number: str | None


def could_be_same_child(
    one_sex: str, one_age: int | None, other_sex: str, other_age: int | None
) -> bool:
    """Two children named alike may be one: the sex matches (or one is unknown), and the ages
    are within the estimates' tolerance (or one is unknown)."""
    if Sex.UNKNOWN not in {one_sex, other_sex} and one_sex != other_sex:
        return False
    if one_age is None or other_age is None:
        return True
    return abs(one_age - other_age) <= DUPLICATE_AGE_TOLERANCE


def possible_duplicates(*, user: User, child: Child) -> list[PossibleDuplicate]:
    candidates = namesakes(
        district=district_of(child.location.path),
        latin=child.search_name,
        khmer=child.search_name_km,
        exclude=child.pk,
    )
    age = child.age
    similar = [
        candidate.child_id
        for candidate in candidates
        if could_be_same_child(child.sex, age, candidate.sex, candidate.age)
    ][:DUPLICATE_LIMIT]
    cases = list(
        Case.objects.filter(child_id__in=similar).select_related("agency").order_by("-created_at")
    )
    visible = set(
        visible_cases(user).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True)
    )
    return [
        PossibleDuplicate(
            agency_id=case.agency_id,
            agency_name=case.agency.name,
            case_id=case.pk if case.pk in visible else None,
            case_number=case.case_number if case.pk in visible else None,
        )
        for case in cases
        # A restricted case is not even hinted at to those not named on it: saying which agency
        # holds one could warn the very people it is restricted against.
        if not case.restricted or case.pk in visible
    ]


def case_history(*, case: Case) -> QuerySet[AuditEvent]:
    """The case's audit trail, oldest first, each event with its actor's name as people know
    it (``actor_name``; the username the event keeps is for investigations). The caller has
    checked the history right."""
    return (
        AuditEvent.objects.filter(case_id=case.pk)
        .annotate(
            actor_name=Subquery(
                User.objects.filter(pk=OuterRef("actor_id")).values("full_name")[:1]
            )
        )
        .order_by("id")
    )


# --- What waits for people's attention ("my work", the supervisor queue) --------------------


@dataclass(frozen=True)
class CaseApprovals:
    """Case plans and closures of the supervisor's team waiting for their decision: the
    decision belongs to the owner's supervisor (cases.policy ``approve``)."""

    plans: list[CasePlan]
    closures: list[Case]


def case_approvals_waiting(*, user: User, limit: int) -> CaseApprovals:
    """The oldest first, two queries, drawn from the cases the user may see."""
    if user.role != Role.SUPERVISOR or not user.is_active:
        return CaseApprovals(plans=[], closures=[])
    team_cases = visible_cases(user).filter(status=Status.OPEN, owner__supervisor_id=user.pk)
    plans = (
        CasePlan.objects.filter(status=PlanStatus.SUBMITTED, case__in=team_cases)
        .select_related("case", "submitted_by")
        .order_by("submitted_at", "id")[:limit]
    )
    closures = (
        team_cases.filter(closure_requested_at__isnull=False)
        .select_related("closure_requested_by")
        .order_by("closure_requested_at", "id")[:limit]
    )
    return CaseApprovals(plans=list(plans), closures=list(closures))


def cases_without_recent_contact(*, user: User) -> QuerySet[Case]:
    """Open high or critical risk cases the user sees with no visit, call or meeting recorded
    for NO_CONTACT_DAYS (counted from registration when there was none), the longest silent
    first: the same rule as the ``no_recent_contact`` reminder (cases.reminders)."""
    since = timezone.now() - timedelta(days=settings.NO_CONTACT_DAYS)
    return (
        visible_cases(user)
        .filter(status=Status.OPEN, risk_level__in=sorted(NO_CONTACT_LEVELS))
        .annotate(contact_or_opening=Coalesce("last_contact_at", "created_at"))
        .filter(contact_or_opening__lt=since)
        .select_related("child")
        .order_by("contact_or_opening", "id")
    )


def concern_types(*, active_only: bool = False) -> QuerySet[ConcernType]:
    concerns = ConcernType.objects.all()
    return concerns.filter(is_active=True) if active_only else concerns


def case_assignees(case: Case) -> QuerySet[User]:
    """Who ``case`` can be given to (case_assign's rule): active colleagues of its agency who
    handle cases, its owner aside."""
    return active_people(
        User.objects.filter(agency_id=case.agency_id, role__in=CASE_HOLDER_ROLES).exclude(
            pk=case.owner_id
        )
    )


def case_named_people(*, case: Case) -> QuerySet[CaseNamedUser]:
    """The people named on ``case``, first named first. The caller has checked it sees it."""
    return (
        CaseNamedUser.objects.filter(case=case)
        .select_related("user__agency", "named_by")
        .order_by("named_at", "id")
    )


def case_nameable_people(*, case: Case) -> QuerySet[User]:
    """Who may be named on ``case``: active people who handle cases, of the case's agency, of
    the office overseeing its place (a supervisor whose territory holds it, as accounts.reach
    gives it), or working on it through a referral (holding grants on it). One query."""
    codes = case.location_path.split(PATH_SEPARATOR)[:-1]
    ancestors = [
        PATH_SEPARATOR.join(codes[: depth + 1]) + PATH_SEPARATOR for depth in range(len(codes))
    ]
    overseeing = Q(role=Role.SUPERVISOR, agency__type__in=sorted(OVERSIGHT_AGENCY_TYPES)) & (
        Q(territory__in=ancestors) | Q(territory__isnull=True, agency__type=AgencyType.MOSVY)
    )
    working_on = CaseGrantBasis.objects.filter(case=case).values("user_id")
    return (
        User.objects.filter(is_active=True, role__in=sorted(CASE_HOLDER_ROLES))
        .annotate(territory=Coalesce("location__path", "agency__location__path"))
        .filter(Q(agency_id=case.agency_id) | overseeing | Q(pk__in=working_on))
        .select_related("agency")
        .order_by("full_name", "username")
    )


# --- What the case file's tabs show, of a case the reader opened through the door ------------


def with_family(case: Case) -> Case:
    """``case`` with its child's family, in the order it was recorded: one query, none when
    the door loaded it already."""
    prefetch_related_objects(
        [case], Prefetch("child__family", queryset=FamilyMember.objects.order_by("id"))
    )
    return case


def concerns_of(case: Case) -> QuerySet[CaseConcern]:
    """The concerns recorded on ``case`` with their labels, by code: one query."""
    return CaseConcern.objects.filter(case=case).select_related("concern").order_by("concern_id")
