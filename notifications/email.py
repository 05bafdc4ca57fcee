"""Emails for notifications: one per notification for people who want them as they come, one
daily digest for the others. An email names the kind, the case number and a link, never the
child: it leaves the system's protection once sent.

The notification row is the truth: an attempt claims its email with a conditional UPDATE, so a
task message delivered twice (``acks_late`` after a worker died, a sweep's re-queue) sends it
once, and a failure leaves it pending for the retry.

Delivery is at least once: a worker that dies between handing the email to the mail server and
recording it leaves the claim to run out, and the email is sent again. Both copies carry the
same ``Message-ID``, derived from the notification, so a mail server or provider that
deduplicates by it delivers one."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
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
    return settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS


def path_of(notification: Notification) -> str:
    """The page a notification leads to (the web addresses of docs/api.md)."""
    if notification.follow_up_id is not None:
        return f"/follow-ups/{notification.follow_up_id}/"
    if notification.referral_id is not None:
        return f"/referrals/{notification.referral_id}/"
    if notification.case_id is not None:
        return f"/cases/{notification.case_id}/"
    if notification.worker_id is not None:
        return f"/cases/workers/{notification.worker_id}/reassign/"
    if notification.concern_report_id is not None:
        return f"/concerns/{notification.concern_report_id}/"
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


def _message_id(local_part: str) -> str:
    """A Message-ID that is the same each time the same email is sent: a retry after a lost
    answer is recognisable as the same message."""
    domain = urlsplit(settings.SITE_URL).hostname or "cpims.localhost"
    return f"<{local_part}@{domain}>"


def notification_message_id(notification_id: int) -> str:
    return _message_id(f"cpims.notification.{notification_id}")


def digest_message_id(user_id: int, notification_ids: list[int]) -> str:
    batch = hashlib.sha256(",".join(map(str, sorted(notification_ids))).encode()).hexdigest()
    return _message_id(f"cpims.digest.{user_id}.{batch[:24]}")


def _send(*, subject: str, body: str, to: str, message_id: str) -> None:
    EmailMessage(subject, body, None, [to], headers={"Message-ID": message_id}).send()


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
        _send(
            subject=subject,
            body=body,
            to=recipient.email,
            message_id=notification_message_id(notification_id),
        )
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
        ids = [row.pk for row in waiting]
        _send(subject=subject, body=body, to=user.email, message_id=digest_message_id(user_id, ids))
        Notification.objects.filter(pk__in=ids).update(
            email_status=EmailStatus.SENT, emailed_at=timezone.now()
        )
    return True
