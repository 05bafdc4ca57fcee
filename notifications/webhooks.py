"""Webhooks for partner systems: an agency registers endpoints, and domain services announce
events to them with ``webhook_emit`` inside their own transaction.

Deliveries are rows created with the change and sent by Celery only once the transaction has
committed: a rolled-back change sends nothing, and the user's request never waits on a partner.
What a payload carries is the emitting service's decision; the referral events carry the
referral's state and no child data, because one payload goes to both agencies.

This module imports no domain app. Who may manage which agency's endpoints is decided by the
caller (the accounts API knows roles) and passed down as plain values, which every service
checks again. Each service that changes a registration opens its own transaction and locks the
endpoint's row there; an edit compares the version the caller read.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.services import Actor
from core.errors import StateConflictError
from core.versions import check_version, save_versioned
from notifications import destinations
from notifications.delivery import sign, verify
from notifications.models import (
    WEBHOOK_EVENTS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    new_secret,
)
from notifications.tasks import deliver_webhook, queue_on_commit

__all__ = [
    "WEBHOOK_EVENTS",
    "sign",
    "verify",
    "webhook_deliveries",
    "webhook_emit",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_rotate_secret",
    "webhook_endpoint_update",
    "webhook_endpoints_visible",
    "webhook_endpoints_with_last_delivery",
    "webhook_listeners",
    "webhook_redeliver",
]

# --- Emitting events ---------------------------------------------------------------------------


def webhook_emit(
    *, event: str, agency_ids: Collection[int], payload: Mapping[str, Any]
) -> list[WebhookDelivery]:
    """Records one delivery of ``event`` for every active endpoint of ``agency_ids`` subscribed
    to it, and queues each for sending once the caller's transaction commits. The body sent is
    ``payload`` plus ``event``, ``delivery_id`` and ``occurred_at``."""
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"Unknown webhook event: {event}")
    # Subscriptions are filtered here rather than in SQL: JSON containment is not available on
    # every database, and an agency has a handful of endpoints.
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            agency_id__in=set(agency_ids), is_active=True
        ).order_by("pk")
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    now = timezone.now()
    deliveries = []
    for endpoint in endpoints:
        delivery_id = uuid.uuid4()
        body = {
            **payload,
            "event": event,
            "delivery_id": str(delivery_id),
            "occurred_at": now.isoformat(),
        }
        deliveries.append(
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                delivery_id=delivery_id,
                payload=body,
                next_attempt_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        queue_on_commit(deliver_webhook, delivery.pk)
    return deliveries


def webhook_listeners(*, event: str, agency_ids: Collection[int]) -> set[int]:
    """The agencies among ``agency_ids`` with an active endpoint subscribed to ``event``. One
    query: a service builds an event's body (which may cost queries) only when someone
    listens."""
    endpoints = WebhookEndpoint.objects.filter(
        agency_id__in=set(agency_ids), is_active=True
    ).values_list("agency_id", "events")
    return {agency_id for agency_id, events in endpoints if event in events}


# --- Reading registrations ---------------------------------------------------------------------


def webhook_endpoints_visible(
    *, admin_of_agency_id: int | None, is_system_admin: bool
) -> QuerySet[WebhookEndpoint]:
    """The endpoints a person may manage: all for system admins, their agency's for an agency
    admin (``admin_of_agency_id``), none for anybody else."""
    endpoints = WebhookEndpoint.objects.order_by("id")
    if is_system_admin:
        return endpoints
    if admin_of_agency_id is not None:
        return endpoints.filter(agency_id=admin_of_agency_id)
    return endpoints.none()


def webhook_endpoints_with_last_delivery(
    endpoints: QuerySet[WebhookEndpoint],
) -> QuerySet[WebhookEndpoint]:
    """``endpoints`` with the status and time of each one's newest delivery
    (``last_delivery_status``, ``last_delivery_at``; None before any), in the same query."""
    newest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-id")
    return endpoints.annotate(
        last_delivery_status=Subquery(newest.values("status")[:1]),
        last_delivery_at=Subquery(newest.values("created_at")[:1]),
    )


def webhook_deliveries(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries, newest first (index ``webhook_delivery_recent``)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("redelivery_of")
        .order_by("-created_at", "-id")
    )


# --- Changing registrations --------------------------------------------------------------------


def _check_may_manage(
    *, agency_id: int, admin_of_agency_id: int | None, is_system_admin: bool
) -> None:
    if is_system_admin:
        return
    if admin_of_agency_id is None or admin_of_agency_id != agency_id:
        raise PermissionDenied(_("Agency admins manage the webhooks of their own agency only."))


def _clean_url(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ValidationError({"url": [_("Enter a valid URL.")]}) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError({"url": [_("Enter an http or https URL.")]})
    if parts.username or parts.password:
        raise ValidationError({"url": [_("Credentials do not belong in the URL.")]})
    # A child protection system's events never cross a network unencrypted, whatever the
    # mode: plain http only to a private host the operator named.
    if parts.scheme != "https" and not destinations.is_allowed_private_host(parts.hostname):
        raise ValidationError({"url": [_("Webhook URLs must use https.")]})
    try:
        destinations.vetted_addresses(
            parts.hostname, port or (443 if parts.scheme == "https" else 80)
        )
    except destinations.DestinationRefusedError:
        raise ValidationError(
            {
                "url": [
                    _(
                        "Webhooks go only to addresses on the public internet; this host is, "
                        "or resolves to, a private, local or reserved address."
                    )
                ]
            }
        ) from None
    except (OSError, UnicodeError):
        # A name that does not resolve (yet) reaches nothing; every delivery checks it again.
        pass
    return url


def _clean_events(events: Sequence[str]) -> list[str]:
    unknown = [event for event in events if event not in WEBHOOK_EVENTS]
    if unknown:
        raise ValidationError({"events": [_("Unknown event: %s.") % ", ".join(unknown)]})
    if not events:
        raise ValidationError({"events": [_("Subscribe to at least one event.")]})
    return list(dict.fromkeys(events))


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """The endpoint's row, read again and locked (404 when it was deleted meanwhile)."""
    return get_object_or_404(WebhookEndpoint.objects.select_for_update(), pk=endpoint.pk)


def _snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "agency": endpoint.agency_id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "is_active": endpoint.is_active,
    }


@transaction.atomic(durable=True)
def webhook_endpoint_create(
    *,
    actor: Actor,
    actor_admin_of_agency_id: int | None,
    actor_is_system_admin: bool,
    agency_id: int,
    url: str,
    events: Sequence[str],
    is_active: bool = True,
) -> WebhookEndpoint:
    """Registers an endpoint; its new secret is on the returned object, to be shown once."""
    _check_may_manage(
        agency_id=agency_id,
        admin_of_agency_id=actor_admin_of_agency_id,
        is_system_admin=actor_is_system_admin,
    )
    endpoint = WebhookEndpoint(
        agency_id=agency_id,
        url=_clean_url(url),
        events=_clean_events(events),
        is_active=is_active,
        created_by_id=actor.pk,
    )
    endpoint.full_clean()
    endpoint.save()
    audit.record(
        actor=actor,
        action="webhook.create",
        obj=endpoint,
        changes={**_snapshot(endpoint), "secret": endpoint.secret},  # masked by the trail
    )
    return endpoint


WEBHOOK_EDITABLE_FIELDS = frozenset({"url", "events", "is_active"})


@transaction.atomic(durable=True)
def webhook_endpoint_update(
    *,
    actor: Actor,
    actor_admin_of_agency_id: int | None,
    actor_is_system_admin: bool,
    endpoint: WebhookEndpoint,
    expected_version: int | None = None,
    **changes: Any,
) -> WebhookEndpoint:
    """Edits a registration, refused (412) when ``expected_version`` is given and the endpoint
    changed since the caller read it."""
    endpoint = _locked(endpoint)
    _check_may_manage(
        agency_id=endpoint.agency_id,
        admin_of_agency_id=actor_admin_of_agency_id,
        is_system_admin=actor_is_system_admin,
    )
    unknown = set(changes) - WEBHOOK_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    check_version(endpoint, expected_version)
    before = _snapshot(endpoint)
    if "url" in changes:
        endpoint.url = _clean_url(changes["url"])
    if "events" in changes:
        endpoint.events = _clean_events(changes["events"])
    if "is_active" in changes:
        endpoint.is_active = bool(changes["is_active"])
    endpoint.full_clean()
    recorded = audit.diff(before, _snapshot(endpoint))
    if recorded:
        # Only a change bumps the version: an edit that changes nothing leaves ETags good.
        save_versioned(endpoint, list(changes))
    audit.record(actor=actor, action="webhook.update", obj=endpoint, changes=recorded)
    return endpoint


@transaction.atomic(durable=True)
def webhook_endpoint_rotate_secret(
    *,
    actor: Actor,
    actor_admin_of_agency_id: int | None,
    actor_is_system_admin: bool,
    endpoint: WebhookEndpoint,
) -> WebhookEndpoint:
    """Replaces the secret; deliveries not yet sent are signed with the new one."""
    endpoint = _locked(endpoint)
    _check_may_manage(
        agency_id=endpoint.agency_id,
        admin_of_agency_id=actor_admin_of_agency_id,
        is_system_admin=actor_is_system_admin,
    )
    endpoint.secret = new_secret()
    save_versioned(endpoint, ["secret"])
    audit.record(
        actor=actor,
        action="webhook.rotate_secret",
        obj=endpoint,
        changes={"secret": endpoint.secret},  # masked by the trail
    )
    return endpoint


@transaction.atomic(durable=True)
def webhook_endpoint_delete(
    *,
    actor: Actor,
    actor_admin_of_agency_id: int | None,
    actor_is_system_admin: bool,
    endpoint: WebhookEndpoint,
) -> None:
    """Removes the endpoint and its delivery records; deliveries under way stop."""
    endpoint = _locked(endpoint)
    _check_may_manage(
        agency_id=endpoint.agency_id,
        admin_of_agency_id=actor_admin_of_agency_id,
        is_system_admin=actor_is_system_admin,
    )
    audit.record(actor=actor, action="webhook.delete", obj=endpoint, changes=_snapshot(endpoint))
    endpoint.delete()


@transaction.atomic(durable=True)
def webhook_redeliver(
    *,
    actor: Actor,
    actor_admin_of_agency_id: int | None,
    actor_is_system_admin: bool,
    delivery: WebhookDelivery,
) -> WebhookDelivery:
    """Sends a delivery's event again, as asked by an admin once a partner has fixed its
    receiver (or lost what it received): a new delivery with the same body but a new
    ``delivery_id``, and ``redelivery_of`` naming the original, whose record stays as it was.
    It is sent like every delivery, to an address checked at that moment. Refused (409) while
    the original is still being tried, and for a deactivated endpoint."""
    endpoint = _locked(delivery.endpoint)
    _check_may_manage(
        agency_id=endpoint.agency_id,
        admin_of_agency_id=actor_admin_of_agency_id,
        is_system_admin=actor_is_system_admin,
    )
    original = get_object_or_404(WebhookDelivery, pk=delivery.pk, endpoint=endpoint)
    if original.status == DeliveryStatus.PENDING:
        raise StateConflictError(_("This delivery is still being tried: wait for its outcome."))
    if not endpoint.is_active:
        raise StateConflictError(_("The endpoint is deactivated: activate it first."))
    now = timezone.now()
    delivery_id = uuid.uuid4()
    # The event happened when it happened: occurred_at stays the original's.
    body = {
        **original.payload,
        "delivery_id": str(delivery_id),
        "redelivery_of": str(original.delivery_id),
    }
    redelivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=original.event,
        delivery_id=delivery_id,
        payload=body,
        redelivery_of=original,
        next_attempt_at=now,
    )
    audit.record(
        actor=actor,
        action="webhook.redeliver",
        obj=endpoint,
        changes={
            "event": original.event,
            "delivery": str(original.delivery_id),
            "redelivery": str(delivery_id),
        },
    )
    queue_on_commit(deliver_webhook, redelivery.pk)
    return redelivery
