from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import (
    LEVEL_ORDER,
    OVERSIGHT_AGENCY_TYPES,
    AgencyType,
    EmailDelivery,
    LocationLevel,
    Role,
)
from core.rows import ColumnsWrittenAtOnce
from core.versions import VersionField

PATH_SEPARATOR = "/"


class Location(ColumnsWrittenAtOnce):
    """A place of the national gazetteer: province > district > commune > village.

    ``path`` is the chain of codes from the province down, ending with a separator
    (``"12/1201/120101/"``), so "everything in this province" is one indexed prefix match.
    """

    code = models.CharField(max_length=16, unique=True)
    name_en = models.CharField(max_length=120)
    name_km = models.CharField(max_length=120)
    level = models.CharField(max_length=10, choices=LocationLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        indexes = [
            # Subtree queries: path LIKE '12/%' (location filters, jurisdiction scope).
            models.Index(
                fields=["path"], name="location_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            # ?level=province and the location pickers.
            models.Index(fields=["level", "name_en"], name="location_level_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=LocationLevel.PROVINCE, parent__isnull=True)
                | (~Q(level=LocationLevel.PROVINCE) & Q(parent__isnull=False)),
                name="location_only_provinces_are_roots",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.code})"

    @staticmethod
    def path_for(*, parent: Location | None, code: str) -> str:
        return (parent.path if parent else "") + code + PATH_SEPARATOR

    def clean(self) -> None:
        if PATH_SEPARATOR in self.code:
            raise ValidationError({"code": _("A code cannot contain '/'.")})
        expected_parent_level = (
            LEVEL_ORDER[LEVEL_ORDER.index(LocationLevel(self.level)) - 1]
            if self.level and self.level != LocationLevel.PROVINCE
            else None
        )
        if expected_parent_level is None and self.parent_id is not None:
            raise ValidationError({"parent": _("A province has no parent.")})
        if expected_parent_level is not None:
            if self.parent is None:
                raise ValidationError({"parent": _("This level needs a parent location.")})
            if self.parent.level != expected_parent_level:
                raise ValidationError(
                    {
                        "parent": _("The parent of a %(level)s must be a %(parent)s.")
                        % {"level": self.level, "parent": expected_parent_level}
                    }
                )

    def contains(self, other: Location) -> bool:
        return other.path.startswith(self.path)


class Agency(ColumnsWrittenAtOnce):
    """An organisation whose people use the system; with its services and coverage it is an
    entry of the service directory that referral pathways are built from."""

    name = models.CharField(max_length=200, unique=True)
    type = models.CharField(max_length=24, choices=AgencyType.choices)
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text=_("Seat of the agency; none for a national body."),
    )
    coverage = models.ManyToManyField(Location, blank=True, related_name="covering_agencies")
    requires_referral_approval = models.BooleanField(
        default=False,
        help_text=_("Outgoing referrals wait for a supervisor's approval before they are sent."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = VersionField()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class ServiceType(models.Model):
    """A kind of service agencies offer and cases receive. Codes are part of the API contract
    (accounts.choices.ServiceCode); labels and availability are managed by system admins."""

    code = models.CharField(max_length=24, primary_key=True)
    label_en = models.CharField(max_length=120)
    label_km = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label_en


class AgencyService(models.Model):
    """A service an agency offers (a row per service, so "who offers shelter" is indexed)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="service_rows")
    service = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", db_column="service"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "service"], name="agency_service_unique"),
        ]
        indexes = [
            # Service directory: agencies offering a given service.
            models.Index(fields=["service", "agency"], name="agency_service_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.service}"


class CpimsUserManager(UserManager["User"]):
    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: object,
    ) -> User:
        """``createsuperuser`` makes a system admin who can use the admin endpoints at once."""
        extra_fields.setdefault("role", Role.SYSTEM_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(ColumnsWrittenAtOnce, AbstractUser):
    """A person using the system. Role, agency, jurisdiction (location) and supervisor together
    give the user's reach (see accounts.reach)."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(max_length=24, choices=Role.choices, default=Role.SOCIAL_WORKER)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Jurisdiction: a provincial office's province, a commune member's commune."),
    )
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supervisees"
    )
    preferred_language = models.CharField(max_length=8, blank=True)
    email_delivery = models.CharField(
        _("notification emails"),
        max_length=12,
        choices=EmailDelivery.choices,
        default=EmailDelivery.IMMEDIATE,
    )
    must_change_password = models.BooleanField(
        default=False,
        help_text=_(
            "Set when an admin gives a temporary password: the next sign-in asks for a new one."
        ),
    )
    version = VersionField()

    objects: ClassVar[CpimsUserManager] = CpimsUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="user_role_known",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.SYSTEM_ADMIN) | Q(agency__isnull=False),
                name="user_belongs_to_agency_unless_system_admin",
            ),
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("id")),
                name="user_not_own_supervisor",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.role != Role.SYSTEM_ADMIN and self.agency_id is None:
            errors["agency"] = _("Every user except a system admin belongs to an agency.")
        if self.supervisor_id is not None:
            if self.pk is not None and self.supervisor_id == self.pk:
                errors["supervisor"] = _("Nobody supervises themselves.")
            elif self.supervisor is not None and self.supervisor.agency_id != self.agency_id:
                errors["supervisor"] = _("The supervisor must work in the same agency.")
        if self.role == Role.COMMUNE_COMMITTEE and (
            self.location is None or self.location.level != LocationLevel.COMMUNE
        ):
            errors["location"] = _("A commune committee member's location must be a commune.")
        elif self.role == Role.VILLAGE_CHIEF and (
            self.location is None or self.location.level != LocationLevel.VILLAGE
        ):
            errors["location"] = _("A village chief's location must be a village.")
        elif outside := self._place_outside_agency():
            errors["location"] = outside
        if errors:
            raise ValidationError(errors)

    def _place_outside_agency(self) -> str:
        """Where a person's place is their reach (a provincial office's territory, the children
        followed in a commune member's commune), it lies within their agency's place: nobody is
        given a territory their agency does not cover. Returns the error, or ""."""
        if self.location is None or self.agency is None:
            return ""
        community = self.role in (Role.COMMUNE_COMMITTEE, Role.VILLAGE_CHIEF)
        if not community and self.agency.type not in OVERSIGHT_AGENCY_TYPES:
            return ""
        seat = self.agency.location
        if seat is None:
            # Only the ministry covers the whole country without a seat.
            if self.agency.type == AgencyType.MOSVY:
                return ""
            return str(_("Give the agency its place first: this person's must lie within it."))
        if not seat.contains(self.location):
            return str(
                _("This person's place must lie within their agency's place (%(place)s).")
                % {"place": seat.name_en}
            )
        return ""


class ApiToken(models.Model):
    """A bearer token for partner systems and scripts. Only its SHA-256 is stored; it expires and
    can be revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text=_("First characters, to recognise it."))
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SignedInSession(models.Model):
    """A browser session a person opened by signing in, so that they can see where they are
    signed in and end a session they do not recognise. The session itself lives in Django's
    session store; this row names it (``session_key``) and says where it came from."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The account page: a person's sessions still open.
            models.Index(fields=["user", "ended_at"], name="signed_in_session_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.session_key[:6]}"
