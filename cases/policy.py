"""The access policy for case data: the one place that decides who sees which case.

A user sees a case when it is not restricted and it lies in one of their scopes (own, team,
agency, jurisdiction; see accounts.reach) or they hold an object grant on it (a guardian row,
given by a referral or a reintegration); a restricted case is seen only by the people named on
it, whatever their scope.

The answer is one SQL query: ``id IN (<one indexed id subquery per scope> UNION ALL ...)``.
Each branch is served by its own index (owner, agency, location path, grant and named-user
tables), which an OR of the same conditions would not allow. No per-row checks run in Python.
Anything outside the result is answered as missing (404), exactly like a case that does not
exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.reach import reach_of, supervisee_ids
from cases.models import Case, CaseGroupObjectPermission, CaseNamedUser, CaseUserObjectPermission


def _visible_ids(user: User) -> QuerySet[Any, Any]:
    reach = reach_of(user)
    unrestricted = Case.objects.filter(restricted=False).order_by()
    branches: list[QuerySet[Any, Any]] = []
    if reach.own:
        branches.append(unrestricted.filter(owner_id=reach.user_id))
    if reach.team:
        branches.append(unrestricted.filter(owner_id__in=supervisee_ids(reach)))
    if reach.agency and reach.agency_id is not None:
        branches.append(unrestricted.filter(agency_id=reach.agency_id))
    if reach.jurisdiction_path is not None:
        branches.append(unrestricted.filter(location_path__startswith=reach.jurisdiction_path))
    branches = [branch.values("id") for branch in branches]
    branches.append(
        CaseUserObjectPermission.objects.filter(user_id=user.pk, content_object__restricted=False)
        .order_by()
        .values("content_object_id")
    )
    branches.append(
        CaseGroupObjectPermission.objects.filter(group__user=user, content_object__restricted=False)
        .order_by()
        .values("content_object_id")
    )
    branches.append(
        CaseNamedUser.objects.filter(user_id=user.pk, case__restricted=True)
        .order_by()
        .values("case_id")
    )
    first, *rest = branches
    return first.union(*rest, all=True)


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case ``user`` may see (before any section filtering)."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(pk__in=_visible_ids(user))


def get_visible_case(user: User, case_id: int | str) -> Case:
    """The case if ``user`` may see it; otherwise Http404, as for a case that does not exist."""
    case = visible_cases(user).filter(pk=case_id).first() if str(case_id).isdigit() else None
    if case is None:
        raise Http404("No such case.")
    return case
