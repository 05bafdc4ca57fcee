"""The notification outbox (in-app notifications and their emails), webhook registrations of
partner systems and the record of every delivery to them.

Agencies, users and referrals are referred to by plain ids: this app sits below every domain
app and imports none of them (docs/architecture.md, "Apps and layers")."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.versions import VersionField

# The events partner systems can subscribe to (docs/api.md, "Webhooks").
REFERRAL_CREATED = "referral.created"
REFERRAL_ACCEPTED = "referral.accepted"
REFERRAL_DECLINED = "referral.declined"
REFERRAL_COMPLETED = "referral.completed"
REFERRAL_CANCELLED = "referral.cancelled"
CASE_UPDATED = "case.updated"
CASE_GONE = "case.gone"
FOLLOW_UP_RECORDED = "follow_up.recorded"
WEBHOOK_EVENTS: tuple[str, ...] = (
    REFERRAL_CREATED,
    REFERRAL_ACCEPTED,
    REFERRAL_DECLINED,
    REFERRAL_COMPLETED,
    REFERRAL_CANCELLED,
    CASE_UPDATED,
    CASE_GONE,
    FOLLOW_UP_RECORDED,
)


def new_secret() -> str:
    # 256 random bits: the shared key of the HMAC signature.
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A partner system's URL that receives an agency's events."""

    agency_id = models.BigIntegerField(
        db_index=True,  # webhook_emit: the active endpoints of the agencies concerned
        help_text=_("The agency whose events are sent (a plain id: no foreign key downwards)."),
    )
    url = models.URLField(max_length=500)
    # Kept readable, not hashed: every delivery is signed with it.
    secret = models.CharField(max_length=100, default=new_secret)
    events = models.JSONField(default=list, help_text=_("The event names subscribed to."))
    is_active = models.BooleanField(default=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = VersionField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.url} (agency {self.agency_id})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    # The address was not allowed when the delivery was sent (docs/api.md, "Webhooks").
    REFUSED = "refused", _("Refused")


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how sending it went. The row, not the broker, is the
    truth: a lost task message leaves a pending row that the sweep queues again."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=50)
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Deliberately vague: the kind of network error would tell a closed port from a silent
    # one. The worker's log has the detail.
    last_error = models.TextField(
        blank=True,
        default="",
        help_text=_(
            'Why the last attempt did not deliver: "HTTP <status>" when the receiver answered '
            'otherwise than 2xx, "failed" when it could not be reached for whatever reason, '
            '"refused" when its address is not allowed, or that the endpoint was deactivated. '
            "Empty once delivered."
        ),
    )
    # While pending: when the next attempt may start. A worker sending it pushes this forward
    # for the length of the attempt, so no other worker picks the same delivery meanwhile.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # A redelivery asked for by an admin is a new row, so the original keeps the record of how
    # its own attempts went.
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # webhook_sweep: pending deliveries whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            ),
            # The deliveries API: an endpoint's recent deliveries, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.delivery_id} ({self.status})"


class NotificationKind(models.TextChoices):
    """What a notification is about (docs/api.md, "Notifications"). Events arrive as they
    happen; reminders come from the sweep over due items."""

    REFERRAL_RECEIVED = "referral_received", _("Referral received")
    REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
    REFERRAL_DECLINED = "referral_declined", _("Referral declined")
    REFERRAL_OVERDUE = "referral_overdue", _("Referral not answered in time")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    APPROVAL_WAITING = "approval_waiting", _("Approval still waiting")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up visit due")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Follow-up visit overdue")
    FOLLOW_UP_CONCERN = "follow_up_concern", _("Concern at a follow-up visit")
    REVIEW_DUE = "review_due", _("Case review due")
    REASSESSMENT_DUE = "reassessment_due", _("Risk reassessment due")
    PLAN_ACTION_DUE = "plan_action_due", _("Case plan action due")
    NO_RECENT_CONTACT = "no_recent_contact", _("High-risk child without recent contact")
    REFERRAL_NEEDED = "referral_needed", _("Case to refer to a social worker")
    CASE_ASSIGNED = "case_assigned", _("Case assigned to you")
    WORKER_DEACTIVATED = "worker_deactivated", _("Cases of a deactivated account")
    IDENTIFICATION_DUE = "identification_due", _("Victim identification due")
    REPATRIATION_STALLED = "repatriation_stalled", _("Repatriation without progress")
    HEARING_DUE = "hearing_due", _("Court hearing coming")
    REPORT_RECEIVED = "report_received", _("Child reported at risk")
    TRIAGE_OVERDUE = "triage_overdue", _("Child reported at risk, still waiting")
    REPORT_ANSWERED = "report_answered", _("Your report was acted on")


# What each notification asks of its reader, shown with it so that it says what to do.
NEXT_STEP: dict[str, Any] = {
    NotificationKind.REFERRAL_RECEIVED: _("Answer the referral"),
    NotificationKind.REFERRAL_ACCEPTED: _("See who works on it"),
    NotificationKind.REFERRAL_DECLINED: _("Find another service"),
    NotificationKind.REFERRAL_OVERDUE: _("Follow up the unanswered referral"),
    NotificationKind.APPROVAL_REQUESTED: _("Approve or send back"),
    NotificationKind.APPROVAL_WAITING: _("Approve or send back"),
    NotificationKind.FOLLOW_UP_DUE: _("Record the visit"),
    NotificationKind.FOLLOW_UP_OVERDUE: _("Record the visit, or say why it did not happen"),
    NotificationKind.FOLLOW_UP_CONCERN: _("Read the visit and reassess the risk"),
    NotificationKind.REVIEW_DUE: _("Review the case plan"),
    NotificationKind.REASSESSMENT_DUE: _("Reassess the risk"),
    NotificationKind.PLAN_ACTION_DUE: _("Do the plan action"),
    NotificationKind.NO_RECENT_CONTACT: _("Contact the child"),
    NotificationKind.REFERRAL_NEEDED: _("Refer the child to a social worker"),
    NotificationKind.CASE_ASSIGNED: _("Open the case"),
    NotificationKind.WORKER_DEACTIVATED: _("Move the cases to other workers"),
    NotificationKind.IDENTIFICATION_DUE: _("Have the child identified, or record why not"),
    NotificationKind.REPATRIATION_STALLED: _("Move the repatriation on, or record why it waits"),
    NotificationKind.HEARING_DUE: _("Prepare the child for the hearing"),
    NotificationKind.REPORT_RECEIVED: _("Open a case from the report, or close it with a reason"),
    NotificationKind.TRIAGE_OVERDUE: _("Open a case from the report, or close it with a reason"),
    NotificationKind.REPORT_ANSWERED: _("See your report"),
}


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("To be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    DIGEST = "digest", _("Waiting for the daily digest")
    SKIPPED = "skipped", _("Not sent by email")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One notification for one person: the in-app row and the state of its email.

    ``key`` names (kind, subject, recipient, period) and is unique, so whatever runs twice
    (two sweeps at once, a retried task, a repeated event) creates it once. Cases, referrals
    and follow-ups are plain ids: this app imports no domain app. Nothing about the child is
    stored here, only the case number, which is all an email may show."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind)
    key = models.CharField(max_length=200, unique=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    case_number = models.CharField(max_length=32, blank=True)
    referral_id = models.BigIntegerField(null=True, blank=True)
    follow_up_id = models.BigIntegerField(null=True, blank=True)
    worker_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text=_("The person whose cases the notification is about (a deactivated account)."),
    )
    concern_report_id = models.BigIntegerField(
        null=True, blank=True, help_text=_("The report of a child at risk concerned.")
    )
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("The deadline concerned."))
    created_at = models.DateTimeField(default=timezone.now)
    # The notify() call that created the row: how a batch finds which of its rows are new.
    batch = models.UUIDField(editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=8, choices=EmailStatus, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    # While sending: until when the worker that claimed the email holds it.
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # My notifications, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_mine_idx"),
            # The bell: my unread count.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # notifications_settle(): the unread notices of a visit or a referral whose work
            # is done.
            models.Index(
                fields=["follow_up_id"],
                condition=Q(read_at__isnull=True, follow_up_id__isnull=False),
                name="notification_visit_open_idx",
            ),
            models.Index(
                fields=["referral_id"],
                condition=Q(read_at__isnull=True, referral_id__isnull=False),
                name="notification_referral_open_idx",
            ),
            models.Index(
                fields=["case_id"],
                condition=Q(read_at__isnull=True, case_id__isnull=False),
                name="notification_case_open_idx",
            ),
            models.Index(
                fields=["worker_id"],
                condition=Q(read_at__isnull=True, worker_id__isnull=False),
                name="notification_worker_open_idx",
            ),
            models.Index(
                fields=["concern_report_id"],
                condition=Q(read_at__isnull=True, concern_report_id__isnull=False),
                name="notification_report_open_idx",
            ),
            # notify(): the rows a batch created.
            models.Index(fields=["batch"], name="notification_batch_idx"),
            # Email sweep: emails still to send (a lost task message is queued again).
            models.Index(
                fields=["created_at"],
                name="notification_email_due_idx",
                condition=Q(email_status__in=["pending", "sending"]),
            ),
            # Daily digest: who has emails waiting for it.
            models.Index(
                fields=["recipient"],
                name="notification_digest_idx",
                condition=Q(email_status="digest"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.key})"
