from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import Agency, Location


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    """A child protection case. The columns the access policy filters on (agency, owner,
    location_path, restricted) are indexed so a scoped list is one indexed query."""

    case_number = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
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
        settings.AUTH_USER_MODEL, through="CaseNamedUser", related_name="+", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Jurisdiction scope: location_path LIKE '12/%'.
            models.Index(
                fields=["location_path"],
                name="case_location_path_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # Default list order.
            models.Index(fields=["-created_at", "-id"], name="case_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.case_number

    def save(self, *args: object, **kwargs: object) -> None:
        # location_path is derived data that must never disagree with location.
        self.location_path = self.location.path
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class CaseNamedUser(models.Model):
    """A person named on a restricted case: the only people who see it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="named_user_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_named_user_unique"),
        ]
        indexes = [
            # Policy: EXISTS (named row for this user and case).
            models.Index(fields=["user", "case"], name="case_named_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.user_id}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """A permission on one case granted to one user (a direct foreign key, so the policy's
    EXISTS is an indexed join rather than guardian's generic object_pk text match)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            # Policy: EXISTS (grant for this user and case).
            models.Index(fields=["user", "content_object"], name="case_user_grant_idx"),
        ]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["group", "content_object"], name="case_group_grant_idx"),
        ]
