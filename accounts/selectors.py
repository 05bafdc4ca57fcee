"""Reads of people and organisations, scoped to the caller."""

from __future__ import annotations

from dataclasses import dataclass

from axes.models import AccessAttempt
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import LocationLevel, Role
from accounts.models import Agency, AgencyService, ApiToken, Location, ServiceType, User
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


def managed_users(
    actor: User,
    *,
    text: str = "",
    role: str = "",
    agency_id: int | None = None,
    status: str = "active",
) -> QuerySet[User]:
    """The administration list: the people the actor manages (users_visible_to), filtered,
    each with whether two-factor sign-in is on, in one query."""
    users = users_visible_to(actor).annotate(
        two_factor_on=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
    )
    if text.strip():
        words = text.strip()
        users = users.filter(
            Q(full_name__icontains=words) | Q(username__icontains=words) | Q(email__icontains=words)
        )
    if role:
        users = users.filter(role=role)
    if agency_id is not None:
        users = users.filter(agency_id=agency_id)
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    return users.order_by("full_name", "username")


def managed_user(actor: User, user_id: int | str) -> User | None:
    """One person the actor manages, with whether two-factor sign-in is on (None when out of
    reach, exactly as when there is nobody)."""
    pk = as_id(user_id)
    if pk is None:
        return None
    return managed_users(actor, status="all").filter(pk=pk).first()


def supervisors_for(actor: User, agency_id: int | None) -> QuerySet[User]:
    """Who can be chosen as a person's supervisor: active supervisors and agency admins of the
    agency (of the actor's own agency for an agency admin)."""
    if actor.role == Role.AGENCY_ADMIN:
        agency_id = actor.agency_id
    people = User.objects.filter(
        is_active=True, role__in=[Role.SUPERVISOR, Role.AGENCY_ADMIN]
    ).select_related("agency")
    if agency_id is not None:
        people = people.filter(agency_id=agency_id)
    return people.order_by("agency__name", "full_name", "username")


def managed_agencies(actor: User) -> QuerySet[Agency]:
    """The agencies on the administration list: all for a system admin, her own for an agency
    admin; each with its count of active accounts."""
    agencies = Agency.objects.select_related("location").annotate(
        active_users=Count("members", filter=Q(members__is_active=True))
    )
    if actor.role == Role.SYSTEM_ADMIN:
        return agencies.order_by("name")
    if actor.agency_id is None:
        return agencies.none()
    return agencies.filter(pk=actor.agency_id).order_by("name")


def coverage_choices() -> QuerySet[Location]:
    """What an agency's coverage is picked from: provinces and districts, province first."""
    return Location.objects.filter(
        level__in=[LocationLevel.PROVINCE, LocationLevel.DISTRICT]
    ).order_by("path")


def places_typed(text: str, levels: tuple[str, ...]) -> list[Location]:
    """The places of these levels whose code is ``text`` or whose English or Khmer name is it
    exactly (a few at most: enough to say which codes a shared name could mean)."""
    return list(
        Location.objects.filter(level__in=levels).filter(
            Q(code=text) | Q(name_en__iexact=text) | Q(name_km=text)
        )[:6]
    )


def location(pk: int) -> Location | None:
    return Location.objects.filter(pk=pk).first()


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def all_agencies() -> QuerySet[Agency]:
    return Agency.objects.order_by("name")


def agency(pk: int) -> Agency | None:
    return Agency.objects.select_related("location").filter(pk=pk).first()


def failed_sign_ins(username: str) -> int:
    """The failed sign-ins the lockout counts against this username now."""
    total = AccessAttempt.objects.filter(username=username).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return int(total or 0)


def usable_token_count(user: User) -> int:
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).count()


def active_member_count(agency: Agency) -> int:
    return User.objects.filter(agency=agency, is_active=True).count()
