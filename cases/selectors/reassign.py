"""Reads for moving a worker's cases to others (cases.services.reassign): whose cases the
reader may move, which of them, and to whom."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.selectors import active_people
from cases.choices import Status
from cases.models import Case
from cases.policy import CaseAccess, case_accesses, visible_cases
from cases.services.case import CASE_HOLDER_ROLES
from core.ids import as_id

# The roles the assign rule can let assign (a supervisor her team's cases, an agency admin her
# agency's): anyone else is refused the page before any worker is looked up.
REASSIGNING_ROLES = frozenset({Role.SUPERVISOR, Role.AGENCY_ADMIN})


@dataclass(frozen=True)
class AssignableCase:
    case: Case
    access: CaseAccess


def reassign_worker(user: User, worker_id: int | str) -> User:
    """The worker whose cases ``user`` moves: one of her supervisees (a supervisor) or a case
    holder of her agency (an agency admin). 403 for anyone who assigns no case; 404 for a
    worker outside the reader's reach, exactly as for one who does not exist."""
    if not user.is_active or user.role not in REASSIGNING_ROLES:
        raise PermissionDenied(_("Only supervisors and agency admins reassign cases."))
    pk = as_id(worker_id)
    # Deactivated people too: their cases stay with them until someone moves them.
    people = User.objects.filter(role__in=CASE_HOLDER_ROLES)
    if user.role == Role.SUPERVISOR:
        people = people.filter(supervisor_id=user.pk)
    elif user.agency_id is not None:
        people = people.filter(agency_id=user.agency_id)
    else:
        people = people.none()
    worker = people.select_related("agency").filter(pk=pk).first() if pk is not None else None
    if worker is None:
        raise Http404("No such worker.")
    return worker


def reassignable_cases(user: User, worker: User) -> list[AssignableCase]:
    """The open cases of ``worker`` that ``user`` may assign, by case number, each with what
    ``user`` sees of it (the child's name or the number alone). Three queries, whatever the
    number of cases."""
    cases = (
        visible_cases(user)
        .filter(owner_id=worker.pk, status=Status.OPEN)
        .select_related("child")
        .order_by("case_number", "id")
    )
    listed = list(cases)
    accesses = case_accesses(user, listed)
    return [
        AssignableCase(case=case, access=accesses[case.pk])
        for case in listed
        if accesses[case.pk].assign
    ]


def reassign_targets(worker: User) -> QuerySet[User]:
    """Whom ``worker``'s cases can be given to (case_give's rule): the active case holders of
    their agency, the worker aside."""
    if worker.agency_id is None:
        return User.objects.none()
    return active_people(
        User.objects.filter(agency_id=worker.agency_id, role__in=CASE_HOLDER_ROLES).exclude(
            pk=worker.pk
        )
    )
