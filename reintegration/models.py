"""Where a child lives (placements), the return of a child to a family (reintegration) and
the visits that follow it. Access to all of it is the case's: the placements and follow-ups
sections of the access policy (cases.policy)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Location
from cases.models import Case
from core.rows import ColumnsWrittenAtOnce
from reintegration.choices import FollowUpOutcome, FollowUpStatus, PlacementType


class Placement(models.Model):
    """A care arrangement: with whom and where the child lives from a date (to a date). The
    history is the list of them; at most one is current (no end date)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    type = models.CharField(max_length=20, choices=PlacementType.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    caregiver = models.CharField(
        max_length=200, blank=True, help_text=_("The carer's name, or the facility's.")
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The agency running the facility, for shelters and residential care."),
    )
    # Gatekeeping: the decision that care away from a family is needed, recorded before a
    # child enters residential care.
    gatekeeping_reason = models.TextField(blank=True)
    gatekeeping_alternatives = models.TextField(blank=True)
    gatekeeping_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(type=PlacementType.RESIDENTIAL_CARE)
                | (
                    ~Q(gatekeeping_reason="")
                    & ~Q(gatekeeping_alternatives="")
                    & Q(gatekeeping_approved_by__isnull=False)
                ),
                name="residential_care_gatekept",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(end_date__isnull=True), name="one_current_placement"
            ),
        ]
        indexes = [
            # A case's placements, latest first.
            models.Index(fields=["case", "-start_date"], name="placement_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} from {self.start_date} (case {self.case_id})"


class Reintegration(models.Model):
    """A child's return from care to a family, with the assessments that prepared it and the
    people who follow it up: a worker, and the commune committee of the family's commune."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reintegrations")
    date = models.DateField()
    placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The family placement the child goes to."),
    )
    from_placement = models.ForeignKey(
        Placement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The care the child leaves."),
    )
    commune = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    readiness_assessment = models.TextField(blank=True)
    family_assessment = models.TextField(blank=True)
    preparation_visits = models.JSONField(
        default=list, blank=True, help_text=_('Visits before the return: [{"date", "notes"}].')
    )
    follow_up_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    commune_focal_point = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    schedule_months = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["case", "-date"], name="reintegration_case_idx")]

    def __str__(self) -> str:
        return f"Reintegration of case {self.case_id} on {self.date}"


class FollowUp(ColumnsWrittenAtOnce):
    """One visit of the schedule: planned for a date, then completed with how the child is
    doing, or missed (and replaced by a rescheduled visit)."""

    reintegration = models.ForeignKey(
        Reintegration, on_delete=models.CASCADE, related_name="follow_ups"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    sequence = models.PositiveSmallIntegerField()
    scheduled_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    visit_date = models.DateField(null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(max_length=10, choices=FollowUpOutcome.choices, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    missed_reason = models.TextField(blank=True)
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rescheduled_to"
    )
    # When the reminder sweep next looks at this visit (reintegration.reminders).
    reminder_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The statistics store picks up visits changed since its last refresh (reporting.facts).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=FollowUpStatus.COMPLETED)
                | (Q(visit_date__isnull=False) & ~Q(outcome="")),
                name="completed_follow_up_has_visit",
            ),
        ]
        indexes = [
            # What changed since the statistics store's last refresh (reporting.facts).
            models.Index(fields=["updated_at"], name="follow_up_updated_idx"),
            # The follow-ups of the cases a user may see, by date (?due_before=, ?case=).
            models.Index(fields=["case", "scheduled_date"], name="follow_up_case_date_idx"),
            # Visits still to make, by date (?status=scheduled&due_before=): the list walks it
            # and looks each visit's case up by key, stopping at the page's end.
            models.Index(
                fields=["scheduled_date", "id"],
                name="follow_up_scheduled_idx",
                condition=Q(status="scheduled"),
            ),
            # Reminder sweep: scheduled visits whose reminder is due.
            models.Index(
                fields=["reminder_at"],
                name="follow_up_reminder_due_idx",
                condition=Q(status="scheduled", reminder_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.sequence} of case {self.case_id} on {self.scheduled_date}"
