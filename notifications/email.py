"""Emails for notifications: one per notification for people who want them as they come, one
daily digest for the others. An email names the kind, the case number and a link, never the
child: it leaves the system's protection once sent.

The notification row is the truth: an attempt claims its email with a conditional UPDATE, so a
task message delivered twice (``acks_late`` after a worker died, a sweep's re-queue) sends it
once, and a failure leaves it pending for the retry."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.delivery import retry_delay
from notifications.models import EmailStatus, Notification, NotificationKind

# How long a worker holds a claimed email before another may try it.
_LEASE = timedelta(minutes=5)
# Preferences stored on the user (accounts.choices.EmailDelivery), read by name.
_IMMEDIATE, _DIGEST = "immediate", "digest"


def max_email_attempts() -> int:
    return int(getattr(settings, "NOTIFICATION_EMAIL_MAX_ATTEMPTS", 6))


def path_of(notification: Notification) -> str:
    """The page a notification leads to (the web addresses of docs/api.md)."""
    if notification.follow_up_id is not None:
        return f"/follow-ups/{notification.follow_up_id}/"
    if notification.referral_id is not None:
        return f"/referrals/{notification.referral_id}/"
    if notification.case_id is not None:
        return f"/cases/{notification.case_id}/"
    return "/notifications/"


def link_of(notification: Notification) -> str:
    return settings.SITE_URL.rstrip("/") + path_of(notification)


def _line(notification: Notification) -> str:
    label = NotificationKind(notification.kind).label
    if notification.case_number:
        return _("%(what)s: case %(number)s") % {"what": label, "number": notification.case_number}
    return str(label)


def _language_of(user: object) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def _finish(pk: int, status: str, **fields: object) -> None:
    Notification.objects.filter(pk=pk).update(
        email_status=status, email_claimed_until=None, **fields
    )


def email_attempt(notification_id: int) -> float | None:
    """Sends the email of one notification if it still needs sending. Returns the seconds to
    wait before trying again after a failure, or None when there is nothing more to do."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .filter(
            Q(email_status=EmailStatus.PENDING)
            | Q(email_status=EmailStatus.SENDING, email_claimed_until__lt=now)
        )
        .update(
            email_status=EmailStatus.SENDING,
            email_claimed_until=now + _LEASE,
            email_attempts=F("email_attempts") + 1,
        )
    )
    if not claimed:
        return None
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    preference = getattr(recipient, "email_delivery", _IMMEDIATE)
    if not recipient.is_active or not recipient.email or preference not in {_IMMEDIATE, _DIGEST}:
        _finish(notification_id, EmailStatus.SKIPPED)
        return None
    if preference == _DIGEST:
        _finish(notification_id, EmailStatus.DIGEST)
        return None
    with translation.override(_language_of(recipient)):
        subject = _("CPIMS: %(line)s") % {"line": _line(notification)}
        body = _(
            "%(line)s\n\nOpen it in CPIMS: %(link)s\n\n"
            "You receive this email because of your work in CPIMS. Change how you receive "
            "notifications on your profile."
        ) % {"line": _line(notification), "link": link_of(notification)}
    try:
        send_mail(subject, body, None, [recipient.email])
    except OSError:  # smtplib's errors and connection failures alike
        if notification.email_attempts >= max_email_attempts():
            _finish(notification_id, EmailStatus.FAILED)
            return None
        _finish(notification_id, EmailStatus.PENDING)
        return retry_delay(notification.email_attempts)
    _finish(notification_id, EmailStatus.SENT, emailed_at=timezone.now())
    return None


def stale_email_ids(*, now: datetime, grace: timedelta) -> list[int]:
    """Emails whose task message seems lost (the broker was down when the notification was
    made, or a worker died holding it): pending for longer than ``grace``, or claimed by a
    worker whose lease has run out. Index ``notification_email_due_idx``."""
    return list(
        Notification.objects.filter(
            Q(email_status=EmailStatus.PENDING, created_at__lt=now - grace)
            | Q(email_status=EmailStatus.SENDING, email_claimed_until__lt=now)
        )
        .order_by("created_at")
        .values_list("id", flat=True)[:5000]
    )


def digest_recipient_ids() -> list[int]:
    return list(
        Notification.objects.filter(email_status=EmailStatus.DIGEST)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def send_digest(user_id: int) -> bool:
    """Sends one person their digest of the notifications waiting for it. The rows stay locked
    while sending, so two digest runs never send the same ones; a failed send leaves them
    waiting for the next run."""
    user = get_user_model().objects.get(pk=user_id)
    with transaction.atomic():
        waiting = list(
            Notification.objects.filter(recipient_id=user_id, email_status=EmailStatus.DIGEST)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "id")
        )
        if not waiting:
            return False
        if not user.is_active or not user.email:
            Notification.objects.filter(pk__in=[row.pk for row in waiting]).update(
                email_status=EmailStatus.SKIPPED
            )
            return False
        with translation.override(_language_of(user)):
            subject = _("CPIMS: %(count)d notifications") % {"count": len(waiting)}
            lines = [f"- {_line(row)}: {link_of(row)}" for row in waiting]
            body = "\n".join([_("Your notifications since the last digest:"), "", *lines])
        send_mail(subject, body, None, [user.email])
        Notification.objects.filter(pk__in=[row.pk for row in waiting]).update(
            email_status=EmailStatus.SENT, emailed_at=timezone.now()
        )
    return True
