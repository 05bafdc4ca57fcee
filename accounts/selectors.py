"""Reads of people and organisations, scoped to the caller."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from accounts.choices import LocationLevel, Role
from accounts.models import Agency, AgencyService, Location, ServiceType, User
from core.ids import as_id

PLACES_SHOWN = 15


def can_manage_users(actor: User) -> bool:
    return actor.role in {Role.SYSTEM_ADMIN, Role.AGENCY_ADMIN}


def can_edit_directory(actor: User) -> bool:
    """Agencies and locations are shared by everybody, so only system admins change them."""
    return actor.role == Role.SYSTEM_ADMIN


def users_visible_to(actor: User) -> QuerySet[User]:
    """System admins see everybody, agency admins their agency, everybody else only themselves."""
    users = User.objects.select_related("agency", "location", "supervisor")
    if actor.role == Role.SYSTEM_ADMIN:
        return users
    if actor.role == Role.AGENCY_ADMIN and actor.agency_id is not None:
        return users.filter(agency_id=actor.agency_id)
    return users.filter(pk=actor.pk)


def agency_list() -> QuerySet[Agency]:
    """The directory of agencies: visible to every signed-in user, as referrals need it."""
    return Agency.objects.select_related("location").prefetch_related(
        Prefetch("service_rows", queryset=AgencyService.objects.order_by("service_id")),
        Prefetch("coverage", queryset=Location.objects.only("id")),
    )


def location_list() -> QuerySet[Location]:
    return Location.objects.all()


def places_named(text: str) -> Q:
    """Places whose English or Khmer name contains ``text``, or whose code starts with it."""
    text = text.strip()
    return Q(name_en__icontains=text) | Q(name_km__icontains=text) | Q(code__startswith=text)


def homes() -> QuerySet[Location]:
    """The places a child lives in (communes and villages), with the chain above them."""
    return Location.objects.filter(
        level__in=[LocationLevel.COMMUNE, LocationLevel.VILLAGE]
    ).select_related("parent__parent__parent")


def places_matching(query: str, chosen: Location | None) -> list[Location]:
    """The place picker's choices: communes and villages named like ``query``, the place
    already chosen first."""
    places: list[Location] = [chosen] if chosen is not None else []
    if query.strip():
        found = homes().filter(places_named(query))[:PLACES_SHOWN]
        places += [place for place in found if place not in places]
    return places


def place_chosen(value: str | None) -> Location | None:
    """The commune or village a form names by id (None for anything else)."""
    pk = as_id(value)
    return None if pk is None else homes().filter(pk=pk).first()


def active_people(users: QuerySet[User]) -> QuerySet[User]:
    """People who can be chosen in a form: active, by name."""
    return users.filter(is_active=True).select_related("agency").order_by("full_name", "username")


def provinces() -> QuerySet[Location]:
    return Location.objects.filter(level=LocationLevel.PROVINCE).order_by("name_en")


def place_with_code(code: str) -> Location | None:
    return Location.objects.filter(code=code).first()


def service_types(*, active_only: bool = False) -> QuerySet[ServiceType]:
    offered = ServiceType.objects.all()
    return offered.filter(is_active=True) if active_only else offered


def active_agencies() -> QuerySet[Agency]:
    """Agencies that can be chosen in a form (a provider, a facility's operator), by name."""
    return Agency.objects.filter(is_active=True).order_by("name")


def person(user_id: int | str | None) -> User | None:
    """The person a page or request names by id (None for no such person)."""
    pk = as_id(user_id)
    return None if pk is None else User.objects.filter(pk=pk).first()


@dataclass(frozen=True)
class DirectorySize:
    agencies: int
    active_users: int


def directory_size() -> DirectorySize:
    """How many agencies and active accounts there are, for the system admin's home: two
    counts, no one's details."""
    return DirectorySize(
        agencies=Agency.objects.count(),
        active_users=User.objects.filter(is_active=True).count(),
    )
