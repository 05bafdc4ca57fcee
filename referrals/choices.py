"""Codes fixed by the API contract (docs/api.md) for referrals."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role


class ReferralType(models.TextChoices):
    SERVICE = "service", _("Service referral (the sender keeps the case)")
    TRANSFER = "transfer", _("Case transfer (the receiver takes the case over)")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


# How long the receiver has to answer, by urgency (overridable in settings: REFERRAL_RESPONSE).
DEFAULT_RESPONSE_TIME = {
    Urgency.EMERGENCY: timedelta(hours=24),
    Urgency.URGENT: timedelta(hours=72),
    Urgency.ROUTINE: timedelta(days=7),
}


class ReferralStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for the sender's supervisor")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# Statuses in which the referral still waits for, or holds, the receiver's work.
LIVE_STATUSES = frozenset(
    {ReferralStatus.PENDING_APPROVAL, ReferralStatus.SENT, ReferralStatus.ACCEPTED}
)

# Who answers a referral for the receiving agency, and who may be given the child.
ANSWERING_ROLES = frozenset({Role.SUPERVISOR, Role.SOCIAL_WORKER})


class ReferralDirection(models.TextChoices):
    """Which side of a referral the reader's agency is on."""

    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")
