"""Webhook registrations of partner systems and the record of every delivery to them.

Agencies, users and referrals are referred to by plain ids: this app sits below every domain
app and imports none of them (docs/architecture.md, "Apps and layers")."""

from __future__ import annotations

import secrets
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The events partner systems can subscribe to (docs/api.md, "Webhooks").
REFERRAL_CREATED = "referral.created"
REFERRAL_ACCEPTED = "referral.accepted"
REFERRAL_DECLINED = "referral.declined"
REFERRAL_COMPLETED = "referral.completed"
REFERRAL_CANCELLED = "referral.cancelled"
WEBHOOK_EVENTS: tuple[str, ...] = (
    REFERRAL_CREATED,
    REFERRAL_ACCEPTED,
    REFERRAL_DECLINED,
    REFERRAL_COMPLETED,
    REFERRAL_CANCELLED,
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

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.url} (agency {self.agency_id})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how sending it went. The row, not the broker, is the
    truth: a lost task message leaves a pending row that the sweep queues again."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=50)
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    # While pending: when the next attempt may start. A worker sending it pushes this forward
    # for the length of the attempt, so no other worker picks the same delivery meanwhile.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
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
