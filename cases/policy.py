"""The access policy for case data: the one place that decides who sees which case.

A user sees a case when it is not restricted and it lies in one of their scopes (own, team,
agency, jurisdiction; see accounts.reach) or they hold an object grant on it (a guardian row,
given by a referral or a reintegration); a restricted case is seen only by the people named on
it. All of it is one SQL WHERE clause over indexed columns: no per-row checks in Python.
Anything outside the result is answered as missing (404), exactly like a case that does not
exist.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.reach import reach_of, supervisee_ids
from cases.models import Case, CaseGroupObjectPermission, CaseNamedUser, CaseUserObjectPermission


def _scope_filter(user: User) -> Q | None:
    reach = reach_of(user)
    parts: list[Q] = []
    if reach.own:
        parts.append(Q(owner_id=reach.user_id))
    if reach.team:
        parts.append(Q(owner_id__in=supervisee_ids(reach)))
    if reach.agency:
        parts.append(Q(agency_id=reach.agency_id))
    if reach.jurisdiction_path is not None:
        parts.append(Q(location_path__startswith=reach.jurisdiction_path))
    return reduce(or_, parts) if parts else None


def _granted(user: User) -> Q:
    by_user = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, content_object_id=OuterRef("pk")
    )
    by_group = CaseGroupObjectPermission.objects.filter(
        group__user=user, content_object_id=OuterRef("pk")
    )
    return Q(Exists(by_user)) | Q(Exists(by_group))


def visible_case_filter(user: User) -> Q:
    """The WHERE clause of the cases ``user`` may see."""
    reachable = _granted(user)
    scope = _scope_filter(user)
    if scope is not None:
        reachable = scope | reachable
    named = Exists(CaseNamedUser.objects.filter(case_id=OuterRef("pk"), user_id=user.pk))
    return (Q(restricted=False) & reachable) | (Q(restricted=True) & Q(named))


def visible_cases(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(visible_case_filter(user))


def get_visible_case(user: User, case_id: int | str) -> Case:
    """The case if ``user`` may see it; otherwise Http404, as for a case that does not exist."""
    case = visible_cases(user).filter(pk=case_id).first() if str(case_id).isdigit() else None
    if case is None:
        raise Http404("No such case.")
    return case
