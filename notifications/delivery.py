"""Sending one webhook delivery: signing, the HTTP request, and the record of each attempt.

The delivery row is the truth. An attempt first claims the row with a conditional UPDATE that
only a pending, due delivery passes, so two workers holding the same task message (a retry and
a sweep's re-queue, or a redelivered ``acks_late`` message) never send it at the same time, and
a delivered one is never sent again.

Partners check a delivery as ``verify`` does: recompute
``HMAC-SHA256(secret, f"{X-CPIMS-Timestamp}." + raw body)`` in hex, compare it in constant time
with the ``sha256=`` value of ``X-CPIMS-Signature``, refuse timestamps more than five minutes
away from their clock (a replayed request), and drop a second delivery with an
``X-CPIMS-Delivery`` they have already processed (retries reuse it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from notifications.models import DeliveryStatus, WebhookDelivery

SIGNATURE_PREFIX = "sha256="
USER_AGENT = "CPIMS-Webhooks/1"

# How long a claimed attempt keeps other workers off the row beyond the request's own timeout.
_LEASE_MARGIN = timedelta(seconds=30)
_ERROR_LENGTH = 1000


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))


def max_attempts() -> int:
    """Attempts before a delivery is given up as failed: the first and eight retries, by
    default about two hours of trying with the default backoff."""
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 9))


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failure: doubling from
    ``WEBHOOK_RETRY_BASE_SECONDS`` up to ``WEBHOOK_RETRY_CAP_SECONDS``, with jitter so that
    deliveries which failed together (a partner's outage) do not all come back at once."""
    base = float(getattr(settings, "WEBHOOK_RETRY_BASE_SECONDS", 30))
    cap = float(getattr(settings, "WEBHOOK_RETRY_CAP_SECONDS", 3600))
    delay = min(base * 2 ** max(attempts - 1, 0), cap)
    # Spreading retries needs no unpredictability, so the plain generator does.
    return min(delay * random.uniform(0.75, 1.25), cap)  # noqa: S311


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>." + body`` under the endpoint's secret. The
    timestamp is signed too, so an old request cannot be replayed with a fresh one."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: int | str,
    body: bytes,
    signature_header: str,
    tolerance: int = 300,
) -> bool:
    """What a receiver runs on a delivery: the signature matches the raw body and the
    timestamp is within ``tolerance`` seconds of now."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(time.time() - sent_at) > tolerance:
        return False
    if not signature_header.startswith(SIGNATURE_PREFIX):
        return False
    expected = sign(secret, sent_at, body)
    return hmac.compare_digest(expected, signature_header.removeprefix(SIGNATURE_PREFIX))


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        delivery.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode()


def headers_for(delivery: WebhookDelivery, *, secret: str, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-CPIMS-Event": delivery.event,
        "X-CPIMS-Delivery": str(delivery.delivery_id),
        "X-CPIMS-Timestamp": str(timestamp),
        "X-CPIMS-Signature": SIGNATURE_PREFIX + sign(secret, timestamp, body),
    }


def _claim(delivery_id: int) -> bool:
    """Takes the delivery for one attempt when it is pending and due; commits at once (no
    surrounding transaction), so the claim holds while the request is under way."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=_timeout()) + _LEASE_MARGIN,
        )
    )


def _post(url: str, *, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """The response's status code, or None and what went wrong."""
    try:
        # stream=True: the receiver's answer body is never read, so a huge one costs nothing.
        # Redirects are not followed: the signed request goes only where it was registered.
        with requests.post(
            url,
            data=body,
            headers=headers,
            timeout=_timeout(),
            allow_redirects=False,
            stream=True,
        ) as response:
            code = response.status_code
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:_ERROR_LENGTH]
    if 200 <= code < 300:
        return code, ""
    return code, f"HTTP {code}"


def webhook_attempt(delivery_id: int) -> float | None:
    """One attempt at sending a delivery. Returns None when nothing more is to be done
    (delivered now or before, given up, or being sent by another worker), else the seconds to
    wait before the next attempt, which the row records as ``next_attempt_at``."""
    if not _claim(delivery_id):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:  # its endpoint was deleted meanwhile
        return None
    pending = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        pending.update(
            status=DeliveryStatus.FAILED,
            last_error="The endpoint was deactivated.",
            next_attempt_at=None,
        )
        return None
    body = body_of(delivery)
    code, error = _post(
        endpoint.url, body=body, headers=headers_for(delivery, secret=endpoint.secret, body=body)
    )
    now = timezone.now()
    if not error:
        pending.update(
            status=DeliveryStatus.DELIVERED,
            last_status_code=code,
            last_error="",
            delivered_at=now,
            next_attempt_at=None,
        )
        return None
    if delivery.attempts >= max_attempts():
        pending.update(
            status=DeliveryStatus.FAILED,
            last_status_code=code,
            last_error=error,
            next_attempt_at=None,
        )
        return None
    delay = retry_delay(delivery.attempts)
    pending.update(
        last_status_code=code,
        last_error=error,
        next_attempt_at=now + timedelta(seconds=delay),
    )
    return delay


def webhook_give_up(delivery_id: int) -> None:
    """Marks a delivery failed when its task has used up its retries."""
    WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None
    )


def overdue_delivery_ids(*, grace: timedelta, limit: int = 500) -> list[int]:
    """Pending deliveries whose attempt is overdue by more than ``grace``: their task message
    was lost (a broker restart, a worker killed mid-attempt), so the sweep queues them again."""
    cutoff = timezone.now() - grace
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
