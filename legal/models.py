"""A child's court proceedings: the case against a defendant (or against the child), the
defendant's status as it changed over time, and the hearings with how the child was protected
at each.

Amounts of restitution are in Cambodian riel (KHR), whole riel: the courts order restitution in
riel, and one currency keeps the amounts comparable and summable."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import Case
from core.versions import VersionField
from legal.choices import ChildRole, DefendantStatus, HearingKind

# Up to a trillion riel, whole riel only.
RIEL_DIGITS = 15


def riel_field() -> models.DecimalField:
    return models.DecimalField(
        max_digits=RIEL_DIGITS,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )


class LegalProceeding(models.Model):
    """One proceeding before a court in which the child is a victim, a witness or accused."""

    # Its foreign key index serves the case's list of proceedings.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_proceedings")
    court = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, blank=True)
    child_role = models.CharField(max_length=10, choices=ChildRole.choices)
    offence = models.CharField(max_length=200, blank=True)
    filed_on = models.DateField(null=True, blank=True)
    # The latest status; each change is kept in DefendantStatusChange. Empty: not known yet.
    defendant_status = models.CharField(max_length=25, choices=DefendantStatus.choices, blank=True)
    outcome = models.TextField(blank=True)
    sentence = models.TextField(blank=True)
    restitution_ordered = riel_field()
    restitution_paid = riel_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = VersionField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(restitution_ordered__gte=0) | Q(restitution_ordered__isnull=True),
                name="legal_restitution_ordered_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(restitution_paid__gte=0) | Q(restitution_paid__isnull=True),
                name="legal_restitution_paid_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Legal proceeding {self.pk} of case {self.case_id}"


class DefendantStatusChange(models.Model):
    """A change of the defendant's status, kept: the history shows when the defendant was
    arrested, released or convicted, never only the latest word."""

    proceeding = models.ForeignKey(
        LegalProceeding, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=25, choices=DefendantStatus.choices, blank=True)
    to_status = models.CharField(max_length=25, choices=DefendantStatus.choices)
    date = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status} on {self.date}"


class Hearing(models.Model):
    """A hearing of the proceeding, with the protection the child had when testifying."""

    proceeding = models.ForeignKey(
        LegalProceeding, on_delete=models.CASCADE, related_name="hearings"
    )
    date = models.DateField()
    kind = models.CharField(max_length=15, choices=HearingKind.choices)
    child_testified = models.BooleanField(default=False)
    video_link = models.BooleanField(default=False)
    other_protection = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the reminder sweep next looks at this hearing (legal.reminders); None: nothing to
    # remind.
    remind_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            # The hearings of a proceeding, by date (its hearings list).
            models.Index(fields=["proceeding", "date"], name="hearing_proceeding_date_idx"),
            # Reminder sweep: hearings whose reminder is due.
            models.Index(
                fields=["remind_at"],
                name="hearing_remind_due_idx",
                condition=Q(remind_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Hearing {self.pk} on {self.date}"
