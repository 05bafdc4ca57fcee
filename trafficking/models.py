"""Victim identification and repatriation, recorded on a case. Both are histories: an
identification is never edited (a new one supersedes it), and a repatriation keeps every step
it took, with its date and who moved it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from cases.models import Case
from trafficking.choices import CrossingKind, Direction, RepatriationStatus, VictimStatus


class VictimIdentification(models.Model):
    """One identification of the child as a presumed, identified or not a victim of
    trafficking, with the indicators seen. The latest (by date, then recording) is the child's
    status now; the earlier ones stay as the history."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="identifications")
    date = models.DateField()
    indicators = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=VictimStatus.choices)
    identifying_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reference = models.CharField(
        max_length=100, blank=True, help_text=_("The identifying agency's own reference.")
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["case", "-date", "-id"], name="identification_case_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.status} ({self.date})"


class Crossing(models.Model):
    """A border crossing or a transit centre where children are received or handed over
    (Poipet and the others: loaded as data, kept up to date by system admins)."""

    code = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=16, choices=CrossingKind.choices)
    name_en = models.CharField(max_length=120)
    name_km = models.CharField(max_length=120)
    country = models.CharField(max_length=2, help_text=_("The neighbouring country it faces."))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name_en"]

    def __str__(self) -> str:
        return self.name_en


class Repatriation(models.Model):
    """A child's return across a border, in either direction, moved one step at a time."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="repatriations")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2 code."))
    found_at = models.CharField(max_length=200, blank=True)
    border_point = models.ForeignKey(
        Crossing,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"kind": CrossingKind.BORDER_POINT},
    )
    transit_centre = models.ForeignKey(
        Crossing,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"kind": CrossingKind.TRANSIT_CENTRE},
    )
    foreign_reference = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=RepatriationStatus.choices, default=RepatriationStatus.REQUESTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the sweep next reminds the owner and her supervisor that nothing moved (null once
    # the repatriation ended).
    stall_remind_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="repatriation_case_idx"),
            models.Index(
                fields=["stall_remind_at"],
                condition=Q(stall_remind_at__isnull=False),
                name="repatriation_stall_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.direction} {self.country} ({self.status})"


class RepatriationStep(models.Model):
    """A step a repatriation took: the status it reached, the day, and who moved it."""

    repatriation = models.ForeignKey(Repatriation, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=16, choices=RepatriationStatus.choices)
    date = models.DateField()
    note = models.TextField(blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["moved_at", "id"]
        constraints = [
            # Each status is reached once: a step back is refused, never recorded.
            models.UniqueConstraint(
                fields=["repatriation", "status"], name="repatriation_step_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repatriation_id}: {self.status}"


class IdentificationWatch(models.Model):
    """A trafficking case waiting for its first identification: when the sweep reminds its
    owner (null once identified or reminded)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    remind_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["remind_at"],
                condition=Q(remind_at__isnull=False),
                name="identification_watch_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.remind_at}"
