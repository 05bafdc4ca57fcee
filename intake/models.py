"""Children reported at risk by the community or the helpline, before any case exists, and the
helpline's calls. A report goes to the social services office covering the child's place; the
reporter follows its status only (what the office did stays with the office)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Location
from cases.choices import Sex
from cases.models import Case, ConcernType
from core.web import localized
from intake.choices import CallAction, CallerType, CallReason, ReportStatus, ReportUrgency


class ConcernReport(models.Model):
    """What a person saw of a child at risk, with the little they know, waiting for the office
    that covers the place to open a case from it or close it with a reason."""

    child_name = models.CharField(
        max_length=200, blank=True, help_text=_("A name or initials, if known.")
    )
    age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(17)], help_text=_("About how old.")
    )
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(ConcernType, on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(max_length=10, choices=ReportUrgency.choices)
    description = models.TextField(help_text=_("What was seen or heard."))
    reporter_contact = models.CharField(
        max_length=200, blank=True, help_text=_("How the office can reach the person who reported.")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concern_reports"
    )
    # The social services office that triages it: its people's queue (indexed by the key).
    office = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="concern_reports")
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.NEW)
    created_at = models.DateTimeField(default=timezone.now)
    triage_by = models.DateTimeField(help_text=_("When the office should have looked at it."))
    # When the sweep reminds the office's supervisors that it waits; cleared once reminded or
    # triaged, so the reminder comes once.
    remind_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="concern_report"
    )
    close_reason = models.TextField(blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["triage_by", "id"]
        indexes = [
            # The office's queue: its new reports, the most pressing first.
            models.Index(
                fields=["office", "triage_by"],
                condition=Q(status="new"),
                name="concern_report_queue_idx",
            ),
            # The sweep: reports whose reminder is due.
            models.Index(
                fields=["remind_at"],
                condition=Q(remind_at__isnull=False),
                name="concern_report_remind_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="new", case__isnull=True, triaged_at__isnull=True)
                    | Q(status="case_opened", case__isnull=False, triaged_at__isnull=False)
                    | (
                        Q(status="closed", case__isnull=True, triaged_at__isnull=False)
                        & ~Q(close_reason="")
                    )
                ),
                name="concern_report_status_matches_its_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Concern report {self.pk} ({self.status})"

    @property
    def concern_label(self) -> str:
        return localized(self.concern.label_en, self.concern.label_km)

    @property
    def overdue(self) -> bool:
        return self.status == ReportStatus.NEW and self.triage_by < timezone.now()


class HelplineCall(models.Model):
    """One call to the child helpline, logged while it happens: who called, why, what was
    done, and the case or report it led to."""

    received_at = models.DateTimeField()
    caller_type = models.CharField(max_length=12, choices=CallerType.choices)
    reason = models.CharField(max_length=16, choices=CallReason.choices)
    action = models.CharField(max_length=16, choices=CallAction.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(600)]
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="helpline_calls"
    )
    concern_report = models.ForeignKey(
        ConcernReport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="helpline_calls",
    )
    note = models.TextField(blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="helpline_calls"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="helpline_calls")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # The helpline's log, newest first, and its counts by month.
            models.Index(fields=["agency", "-received_at"], name="helpline_call_log_idx"),
        ]

    def __str__(self) -> str:
        return f"Helpline call {self.pk}"
