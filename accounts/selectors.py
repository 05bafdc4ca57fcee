"""Reads of people and organisations, scoped to the caller."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.choices import Role
from accounts.models import Agency, AgencyService, Location, User


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


def locations_within(location: Location) -> QuerySet[Location]:
    """The location and everything under it: one indexed prefix match."""
    return Location.objects.filter(path__startswith=location.path)
