"""What happens on a case day to day: services, notes and consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency, ServiceType
from cases.choices import ConsentGiver, NoteKind, ServiceStatus
from cases.models.case import Case
from core.versions import VersionField


class CaseService(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    provider_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.PLANNED
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # The agency of the person who recorded it: what a referral receiver contributed.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = VersionField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="service_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} for case {self.case_id}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    date = models.DateField()
    text = models.TextField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            # Last contact with a case (reminders for high-risk cases without contact).
            models.Index(fields=["case", "-date"], name="case_note_case_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.date}"


class Consent(models.Model):
    """Consent of the child or a caregiver, for the scopes named; a withdrawal is recorded on
    the same row, never by deleting it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(max_length=10, choices=ConsentGiver.choices)
    giver_name = models.CharField(max_length=200, blank=True)
    scope = models.JSONField(help_text="Subset of data_sharing, referral, services.")
    date = models.DateField()
    withdrawn = models.BooleanField(default=False)
    withdrawn_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn=False, withdrawn_on__isnull=True)
                | Q(withdrawn=True, withdrawn_on__isnull=False),
                name="consent_withdrawal_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_by} consent {self.scope} on {self.date}"
