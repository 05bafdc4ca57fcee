"""A user's reach over cases: which scopes their role and place give them.

This module knows nothing of cases; ``cases.policy`` turns a reach into a query. Keeping the
role-to-scope table here, in one place, is what makes the access policy reviewable.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.choices import OVERSIGHT_AGENCY_TYPES, AgencyType, Role
from accounts.models import PATH_SEPARATOR, User

# Which scopes each role has. "own": cases the user owns. "team": cases owned by the people they
# supervise. "agency": every case of their agency. "jurisdiction": every case located in their
# territory (only for supervisors of government social-affairs offices). Roles absent from a
# scope never get it; object grants (referrals, reintegration) come on top, per case.
_ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.SOCIAL_WORKER: frozenset({"own"}),
    Role.SUPERVISOR: frozenset({"own", "team", "jurisdiction"}),
    Role.AGENCY_ADMIN: frozenset({"agency"}),
    Role.COMMUNE_COMMITTEE: frozenset(),
    # A village chief reports children at risk and follows her reports; she sees no case.
    Role.VILLAGE_CHIEF: frozenset(),
    Role.POLICE: frozenset({"own"}),
    Role.LABOUR_INSPECTOR: frozenset({"own"}),
    Role.HELPLINE_OPERATOR: frozenset({"own"}),
    Role.DATA_ANALYST: frozenset(),
    Role.SYSTEM_ADMIN: frozenset(),
}

NATIONAL = ""  # the jurisdiction path prefix that every location path starts with


@dataclass(frozen=True)
class Reach:
    user_id: int
    role: str
    agency_id: int | None
    own: bool
    team: bool
    agency: bool
    # Location path prefix of the user's territory, NATIONAL for the whole country, None for none.
    jurisdiction_path: str | None
    # For community structures (commune committees): the paths of their place and of every
    # place above it, which area grants (a section of a case opened to a commune) are matched
    # against. A village chief's village lies in the commune that the grant names.
    area_paths: tuple[str, ...] = ()


def _jurisdiction_path(user: User) -> str | None:
    agency = user.agency
    if agency is None or agency.type not in OVERSIGHT_AGENCY_TYPES:
        return None
    if user.location is not None:
        return user.location.path
    if agency.location is not None:
        return agency.location.path
    # Only the national ministry covers the whole country without a seat; a provincial office
    # with no location configured sees nothing rather than everything.
    return NATIONAL if agency.type == AgencyType.MOSVY else None


def _area_paths(user: User) -> tuple[str, ...]:
    if user.role != Role.COMMUNE_COMMITTEE or user.location is None:
        return ()
    codes = user.location.path.split(PATH_SEPARATOR)[:-1]
    return tuple(
        PATH_SEPARATOR.join(codes[: depth + 1]) + PATH_SEPARATOR for depth in range(len(codes))
    )


def reach_of(user: User) -> Reach:
    scopes = _ROLE_SCOPES.get(user.role, frozenset()) if user.is_active else frozenset()
    return Reach(
        user_id=user.pk,
        role=user.role,
        agency_id=user.agency_id,
        own="own" in scopes,
        team="team" in scopes,
        agency="agency" in scopes and user.agency_id is not None,
        jurisdiction_path=_jurisdiction_path(user) if "jurisdiction" in scopes else None,
        area_paths=_area_paths(user) if user.is_active else (),
    )


def supervisee_ids(supervisor_id: int) -> QuerySet[User, int]:
    """Ids of the people this user supervises, as a subquery (users.supervisor_id is indexed),
    in no order: read on most requests of a supervisor, they need none."""
    return User.objects.filter(supervisor_id=supervisor_id).order_by().values_list("id", flat=True)
