from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from cases.models import Case
from core.rows import ColumnsWrittenAtOnce
from referrals.choices import LIVE_STATUSES, ReferralStatus, ReferralType, Urgency


class Referral(ColumnsWrittenAtOnce):
    """A case sent from one agency to another: for a service (the sender keeps the case) or as
    a transfer (the receiver takes it over). The receiver's access to the case follows the
    referral's state through grants (cases.services.access), never through this row."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=8, choices=ReferralType.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    services = models.JSONField(default=list, blank=True, help_text=_("Service codes asked for."))
    reason = models.TextField()
    shared_sections = models.JSONField(default=list, blank=True)
    consent_override_reason = models.TextField(
        blank=True, help_text=_("Why the child's data is shared without a recorded consent.")
    )
    status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    respond_by = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The receiving worker who takes the child on."),
    )
    decline_reason = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it was declined, completed, cancelled or expired.")
    )
    updated_at = models.DateTimeField(auto_now=True)
    # When the reminder sweep next looks at this referral (referrals.reminders): its answer
    # deadline, or the time its approval has waited too long.
    reminder_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_agency=F("to_agency")), name="referral_between_two_agencies"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_known"
            ),
            # One live referral of a case to an agency at a time, however many requests race
            # to make it (referral_create also locks the case row to answer 409 cleanly).
            models.UniqueConstraint(
                fields=["case", "to_agency"],
                condition=Q(status__in=sorted(LIVE_STATUSES)),
                name="referral_one_live_per_case_and_agency",
            ),
        ]
        indexes = [
            # What changed since the statistics store's last refresh (reporting.facts).
            models.Index(fields=["updated_at"], name="referral_updated_idx"),
            # Incoming list: the receiving agency's referrals by status.
            models.Index(
                fields=["to_agency", "status", "-created_at"], name="referral_incoming_idx"
            ),
            # Incoming list whatever the status, newest first (?direction=incoming): a provincial
            # office receives thousands; the page is read in this order and stops at its end.
            models.Index(
                fields=["to_agency", "-created_at", "-id"], name="referral_incoming_recent_idx"
            ),
            # Outgoing list.
            models.Index(
                fields=["from_agency", "status", "-created_at"], name="referral_outgoing_idx"
            ),
            # Outgoing list whatever the status, newest first: with the incoming one, the two
            # heads the list of both sides merges (referrals.selectors.BothSides).
            models.Index(
                fields=["from_agency", "-created_at", "-id"], name="referral_outgoing_recent_idx"
            ),
            # Overdue sweep: sent referrals past their deadline.
            models.Index(
                fields=["respond_by"],
                condition=Q(status=ReferralStatus.SENT),
                name="referral_awaiting_answer_idx",
            ),
            # Reminder sweep: referrals whose reminder is due.
            models.Index(
                fields=["reminder_at"],
                condition=Q(reminder_at__isnull=False),
                name="referral_reminder_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.status})"

    @property
    def overdue(self) -> bool:
        return (
            self.status == ReferralStatus.SENT
            and self.respond_by is not None
            and self.respond_by < timezone.now()
        )


class CustodyTransfer(models.Model):
    """The formal transfer of a child victim's custody to a shelter: on what legal basis, on
    whose authority, and with or without the family's consent (and why not)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="custody_transfers")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="custody_transfers"
    )
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    legal_basis = models.TextField()
    authorising_official = models.CharField(max_length=200)
    authorising_official_title = models.CharField(max_length=200, blank=True)
    date = models.DateField()
    family_consent = models.BooleanField()
    no_consent_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(family_consent=True) | ~Q(no_consent_reason=""),
                name="custody_without_consent_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Custody of case {self.case_id} to agency {self.to_agency_id} on {self.date}"
