"""Sending one webhook delivery: signing, the HTTP request, and the record of each attempt.

The delivery row is the truth. An attempt first claims the row with a conditional UPDATE that
only a pending, due delivery passes, so two workers holding the same task message (a retry and
a sweep's re-queue, or a redelivered ``acks_late`` message) never send it at the same time, and
a delivered one is never sent again.

The request goes only to an address checked at that moment, and to that very address
(notifications.destinations); the row records no more than whether an answer came and its
status code, so the deliveries list cannot be used to explore the networks the worker sees.

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
import logging
import random
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from notifications.destinations import DestinationRefusedError, PinnedAddressAdapter
from notifications.models import DeliveryStatus, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_PREFIX = "sha256="
USER_AGENT = "CPIMS-Webhooks/1"
# What a delivery records when no answer came: its address was not allowed, or it could not
# be reached. Nothing more specific (docs/api.md, "Webhooks").
REFUSED = "refused"
FAILED = "failed"

# How long a claimed attempt keeps other workers off the row beyond the request's own timeout.
_LEASE_MARGIN = timedelta(seconds=30)


def _timeout() -> float:
    return settings.WEBHOOK_TIMEOUT_SECONDS


def max_attempts() -> int:
    """Attempts before a delivery is given up as failed: the first and eight retries, by
    default about two hours of trying with the default backoff."""
    return settings.WEBHOOK_MAX_ATTEMPTS


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failure: doubling from
    ``WEBHOOK_RETRY_BASE_SECONDS`` up to ``WEBHOOK_RETRY_CAP_SECONDS``, with jitter so that
    deliveries which failed together (a partner's outage) do not all come back at once."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS
    cap = settings.WEBHOOK_RETRY_CAP_SECONDS
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


def _post(url: str, *, body: bytes, headers: dict[str, str]) -> int:
    """Sends the request to the address checked for the URL's host and returns the response's
    status code. Raises ``DestinationRefusedError`` when the host's address is not allowed now,
    and ``requests.RequestException`` when it cannot be reached."""
    with requests.Session() as session:
        # No proxy from the environment: it would resolve the name itself, unchecked.
        session.trust_env = False
        adapter = PinnedAddressAdapter()
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        # stream=True: the receiver's answer body is never read, so a huge one costs nothing.
        # Redirects are not followed: the signed request goes only where it was registered.
        with session.post(
            url,
            data=body,
            headers=headers,
            timeout=_timeout(),
            allow_redirects=False,
            stream=True,
        ) as response:
            return response.status_code


def _attempt_outcome(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """The status code of the receiver's answer, if one came, and what the delivery records as
    the error: empty for a 2xx answer, else only "HTTP <code>", "refused" or "failed". How a
    connection failed (refused, reset, TLS, timeout) would let whoever reads the deliveries
    map ports and hosts, so that detail goes to the log for operators only."""
    endpoint = delivery.endpoint
    body = body_of(delivery)
    try:
        code = _post(
            endpoint.url,
            body=body,
            headers=headers_for(delivery, secret=endpoint.secret, body=body),
        )
    except DestinationRefusedError as refused:
        logger.warning(
            "Webhook delivery %s to endpoint %s refused: %s is, or resolves to, an address "
            "that is not allowed.",
            delivery.delivery_id,
            endpoint.pk,
            refused,
        )
        return None, REFUSED
    except requests.RequestException as error:
        logger.warning(
            "Webhook delivery %s to endpoint %s failed: %s: %s",
            delivery.delivery_id,
            endpoint.pk,
            type(error).__name__,
            error,
        )
        return None, FAILED
    if 200 <= code < 300:
        return code, ""
    return code, f"HTTP {code}"


def webhook_attempt(delivery_id: int) -> float | None:
    """One attempt at sending a delivery. Returns None when nothing more is to be done
    (delivered now or before, given up, refused, or being sent by another worker), else the
    seconds to wait before the next attempt, which the row records as ``next_attempt_at``."""
    if not _claim(delivery_id):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:  # its endpoint was deleted meanwhile
        return None
    pending = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
    if not delivery.endpoint.is_active:
        pending.update(
            status=DeliveryStatus.FAILED,
            last_error="The endpoint was deactivated.",
            next_attempt_at=None,
        )
        return None
    code, error = _attempt_outcome(delivery)
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
    # A refusal is final: trying again would only knock at the same address.
    if error == REFUSED or delivery.attempts >= max_attempts():
        pending.update(
            status=DeliveryStatus.REFUSED if error == REFUSED else DeliveryStatus.FAILED,
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
