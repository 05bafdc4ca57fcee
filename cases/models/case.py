from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import Agency, Location
from cases.choices import ClosureReason, LabourSector, RiskLevel, Section, Source, Stage, Status
from cases.models.child import Child
from core.rows import ColumnsWrittenAtOnce


class ConcernType(ColumnsWrittenAtOnce):
    """A protection concern that can be recorded on a case. Codes are part of the API contract;
    labels and availability are managed by system admins."""

    code = models.CharField(max_length=48, primary_key=True)
    label_en = models.CharField(max_length=120)
    label_km = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label_en


# Per-section view grants (for people outside a case's scope: referral receivers, commune focal
# points) and the right to add notes and services.
SECTION_PERMISSIONS = {section: f"view_case_{section}" for section in Section.values}
CONTRIBUTE_PERMISSION = "contribute_case"


class Case(ColumnsWrittenAtOnce):
    """A child protection case. The columns the access policy filters on (agency, owner,
    location_path, restricted) are indexed so a scoped list is one indexed query."""

    case_number = models.CharField(max_length=32, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.INTAKE)
    source = models.CharField(max_length=20, choices=Source.choices)
    summary = models.TextField(blank=True, help_text=_("What happened: sensitive narrative."))
    concerns = models.ManyToManyField(ConcernType, through="CaseConcern", related_name="+")
    labour_sector = models.CharField(max_length=24, choices=LabourSector.choices, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    # Copy of location.path, so jurisdiction scope is a prefix match on the case row itself.
    location_path = models.CharField(max_length=255, editable=False)
    restricted = models.BooleanField(
        default=False,
        help_text=_(
            "Only the people named on the case see it, whatever their scope "
            "(for instance when an official is implicated)."
        ),
    )
    named_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseNamedUser",
        through_fields=("case", "user"),
        related_name="+",
        blank=True,
    )
    # Follows the latest risk assessment.
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    reassess_by = models.DateField(null=True, blank=True)
    # The next case review, set when a plan is approved (interval by risk level).
    review_by = models.DateField(null=True, blank=True)
    # The last contact with the child or family (a visit, call or meeting note, a follow-up).
    last_contact_at = models.DateTimeField(null=True, blank=True)
    # A reintegration's follow-up schedule is running and has not ended with two stable visits:
    # until it has, only the owner's supervisor can close the case (set by reintegration).
    follow_up_pending = models.BooleanField(default=False)
    # When the reminder sweep next looks at this case (cases.reminders); NULL when nothing is
    # pending. Kept by the services that change a deadline, advanced by the sweep.
    reminder_at = models.DateTimeField(null=True, blank=True)
    # Closure: requested by the owner, decided by the owner's supervisor.
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every change; the API's ETag, so concurrent edits are detected.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            *(
                (codename, f"Can see the {section} section of a case")
                for section, codename in SECTION_PERMISSIONS.items()
            ),
            (CONTRIBUTE_PERMISSION, "Can add notes and services to a case"),
        ]
        indexes = [
            # What changed since the statistics store's last refresh (reporting.facts), and a
            # partner's incremental sync, paged in (updated_at, id) order from a cursor.
            models.Index(fields=["updated_at", "id"], name="case_updated_idx"),
            # Jurisdiction scope: location_path LIKE '12/%'.
            models.Index(
                fields=["location_path"],
                name="case_location_path_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # Own and team scopes: the ids of a worker's unrestricted cases, read from the index
            # alone (cases.policy).
            models.Index(
                fields=["owner", "id"],
                name="case_owner_visible_idx",
                condition=models.Q(restricted=False),
            ),
            # Default list order; a territory's list walks it and stops at the page's end
            # (cases.policy).
            models.Index(fields=["-created_at", "-id"], name="case_recent_idx"),
            # Search by number: case_number LIKE '12-2026-%' (cases.search).
            models.Index(
                fields=["case_number"],
                name="case_number_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # Reminder sweep: open cases with a reminder due (cases.reminders).
            models.Index(
                fields=["reminder_at"],
                name="case_reminder_due_idx",
                condition=models.Q(reminder_at__isnull=False, status=Status.OPEN),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=Status.OPEN) | models.Q(closed_at__isnull=False),
                name="closed_case_has_closing_time",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number

    def save(self, *args: object, **kwargs: object) -> None:
        # location_path is derived data that must never disagree with location.
        self.location_path = self.location.path
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def closure_pending(self) -> bool:
        return self.status == Status.OPEN and self.closure_requested_at is not None


class CaseConcern(ColumnsWrittenAtOnce):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="concern_rows")
    concern = models.ForeignKey(ConcernType, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "concern"], name="case_concern_unique"),
        ]
        indexes = [
            # ?concern= filter.
            models.Index(fields=["concern", "case"], name="case_concern_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.concern_id}"


class CaseNumberSequence(models.Model):
    """The last number given in a province and year. Incremented by one atomic UPSERT, so
    concurrent registrations never share a number (see services.next_case_number)."""

    prefix = models.CharField(max_length=16, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class CaseNamedUser(models.Model):
    """A person named on a restricted case: the only people who see it. Named by the case's
    registration, a change of owner, or a named manager of the case (cases.services.restricted)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="named_user_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    named_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_named_user_unique"),
        ]
        indexes = [
            # Policy: named-user branch for this user.
            models.Index(fields=["user", "case"], name="case_named_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.user_id}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """A permission on one case granted to one user (a direct foreign key, so the policy's
    branch is an indexed join rather than guardian's generic object_pk text match)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            # Policy: grant branch for this user.
            models.Index(fields=["user", "content_object"], name="case_user_grant_idx"),
        ]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["group", "content_object"], name="case_group_grant_idx"),
        ]


class CaseGrantBasis(models.Model):
    """Why a person holds object grants on a case: one row per reason (a referral, a
    reintegration). The guardian rows the policy reads are the union of these, so each higher
    app manages its own reason without undoing another's."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=40)
    sections = models.JSONField(default=list)
    contribute = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "reason"], name="case_grant_basis_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.user_id}:{self.reason}"


class CaseAreaGrant(models.Model):
    """One section of a case opened to the community structure of a place: the commune committee
    of the commune a child was reintegrated into sees the follow-ups, whoever its members are
    at the time. It opens that section only; it never makes the case file itself visible."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="area_grants")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    # Copy of location.path: the policy matches it against a member's commune and its ancestors.
    location_path = models.CharField(max_length=255, editable=False)
    section = models.CharField(max_length=16, choices=Section.choices)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "location", "section"], name="case_area_grant_unique"
            ),
        ]
        indexes = [
            # Policy: the section grants of a commune committee member's place.
            models.Index(fields=["location_path", "section", "case"], name="case_area_grant_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.section}@{self.location_path}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.location_path = self.location.path
        super().save(*args, **kwargs)  # type: ignore[arg-type]
