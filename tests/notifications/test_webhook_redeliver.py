"""Redelivery on demand: an admin has a delivery sent again, through the API or the page; a
real Celery worker sends the new delivery to a real receiver, signed, with the address checked
at sending time like every delivery."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from accounts.choices import Role
from audit.models import AuditEvent
from notifications import webhooks
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import World, api_client
from tests.factories import UserFactory
from tests.notifications.conftest import Receiver, wait_until
from tests.web.conftest import signed_in

PAYLOAD = {"referral": {"id": 9, "status": "accepted"}}

with_worker = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("celery_worker_thread"),
]


def _status(delivery: WebhookDelivery) -> str:
    return WebhookDelivery.objects.values_list("status", flat=True).get(pk=delivery.pk)


def _failed_delivery(world: World, receiver: Receiver, settings: Any) -> WebhookDelivery:
    """A delivery the receiver refused once, given up at once (one attempt allowed)."""
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    WebhookEndpoint.objects.create(
        agency_id=world.ngo.pk, url=receiver.url, events=["referral.accepted"]
    )
    with transaction.atomic():
        (delivery,) = webhooks.webhook_emit(
            event="referral.accepted", agency_ids=[world.ngo.pk], payload=PAYLOAD
        )
    wait_until(lambda: _status(delivery) == DeliveryStatus.FAILED)
    settings.WEBHOOK_MAX_ATTEMPTS = 9
    return delivery


def _check_redelivered(
    receiver: Receiver, original: WebhookDelivery, redelivery: WebhookDelivery
) -> None:
    wait_until(lambda: _status(redelivery) == DeliveryStatus.DELIVERED)
    first, second = receiver.requests()
    assert (first.answered, second.answered) == (500, 200)
    assert second.headers["X-CPIMS-Delivery"] == str(redelivery.delivery_id)
    assert second.headers["X-CPIMS-Delivery"] != first.headers["X-CPIMS-Delivery"]
    endpoint = WebhookEndpoint.objects.get(pk=original.endpoint_id)
    assert webhooks.verify(
        endpoint.secret,
        second.headers["X-CPIMS-Timestamp"],
        second.body,
        second.headers["X-CPIMS-Signature"],
    )
    body = json.loads(second.body)
    was = json.loads(first.body)
    assert body["referral"] == PAYLOAD["referral"]
    assert body["event"] == "referral.accepted"
    assert body["occurred_at"] == was["occurred_at"]
    assert body["delivery_id"] == str(redelivery.delivery_id)
    assert body["redelivery_of"] == str(original.delivery_id)
    # The original keeps the record of its own attempts.
    original.refresh_from_db()
    assert (original.status, original.attempts, original.last_error) == (
        DeliveryStatus.FAILED,
        1,
        "HTTP 500",
    )
    assert AuditEvent.objects.filter(action="webhook.redeliver").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("celery_worker_thread")
def test_redelivery_through_the_api_is_sent_again_and_signed(
    world: World, make_receiver: Callable[[list[int]], Receiver], settings: Any
) -> None:
    receiver = make_receiver([500, 200])
    original = _failed_delivery(world, receiver, settings)

    response = api_client(world.agency_admin).post(
        f"/api/v1/webhooks/{original.endpoint_id}/deliveries/{original.delivery_id}/redeliver/"
    )

    assert response.status_code == 202, response.content
    redelivery = WebhookDelivery.objects.get(delivery_id=response.json()["delivery_id"])
    assert redelivery.redelivery_of_id == original.pk
    assert response.json()["redelivery_of"] == str(original.delivery_id)
    _check_redelivered(receiver, original, redelivery)
    listed = api_client(world.agency_admin).get(
        f"/api/v1/webhooks/{original.endpoint_id}/deliveries/"
    )
    assert [item["redelivery_of"] for item in listed.json()["results"]] == [
        str(original.delivery_id),
        None,
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("celery_worker_thread")
def test_redelivery_through_the_page_is_sent_again_and_signed(
    world: World, make_receiver: Callable[[list[int]], Receiver], settings: Any
) -> None:
    receiver = make_receiver([500, 200])
    original = _failed_delivery(world, receiver, settings)

    response = signed_in(world.agency_admin).post(
        f"/manage/webhooks/{original.endpoint_id}/deliveries/{original.delivery_id}/redeliver/"
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/webhooks/{original.endpoint_id}/"
    redelivery = WebhookDelivery.objects.get(redelivery_of=original)
    _check_redelivered(receiver, original, redelivery)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("celery_worker_thread")
def test_a_redelivery_to_an_address_no_longer_allowed_is_refused_when_sent(
    world: World, make_receiver: Callable[[list[int]], Receiver], settings: Any
) -> None:
    receiver = make_receiver([500, 200])
    original = _failed_delivery(world, receiver, settings)
    # The receiver's private host is no longer allowed: the check at sending time refuses it.
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = []

    response = api_client(world.agency_admin).post(
        f"/api/v1/webhooks/{original.endpoint_id}/deliveries/{original.delivery_id}/redeliver/"
    )

    assert response.status_code == 202
    redelivery = WebhookDelivery.objects.get(redelivery_of=original)
    wait_until(lambda: _status(redelivery) == DeliveryStatus.REFUSED)
    assert len(receiver.requests()) == 1


def _endpoint_with(world: World, status: str) -> tuple[WebhookEndpoint, WebhookDelivery]:
    endpoint = WebhookEndpoint.objects.create(
        agency_id=world.ngo.pk, url="https://partner.example.org/hooks", events=["case.gone"]
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="case.gone", payload={"case": {"id": 1}}, status=status
    )
    return endpoint, delivery


def _redeliver_url(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> str:
    return f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.delivery_id}/redeliver/"


@pytest.mark.django_db
def test_a_delivery_still_being_tried_is_not_redelivered(world: World) -> None:
    endpoint, delivery = _endpoint_with(world, DeliveryStatus.PENDING)
    response = api_client(world.agency_admin).post(_redeliver_url(endpoint, delivery))
    assert response.status_code == 409
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_a_deactivated_endpoint_gets_no_redelivery(world: World) -> None:
    endpoint, delivery = _endpoint_with(world, DeliveryStatus.FAILED)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    response = api_client(world.agency_admin).post(_redeliver_url(endpoint, delivery))
    assert response.status_code == 409
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_only_the_endpoints_agency_admin_or_a_system_admin_redelivers(world: World) -> None:
    endpoint, delivery = _endpoint_with(world, DeliveryStatus.DELIVERED)
    other_admin = UserFactory.create(role=Role.AGENCY_ADMIN, agency=world.other_ngo)
    url = _redeliver_url(endpoint, delivery)

    assert api_client(other_admin).post(url).status_code == 404
    assert api_client(world.worker).post(url).status_code == 403
    other_endpoint, other_delivery = _endpoint_with(world, DeliveryStatus.FAILED)
    # A delivery of another endpoint, named under this one, is not found either.
    assert (
        api_client(world.agency_admin)
        .post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{other_delivery.delivery_id}/redeliver/")
        .status_code
        == 404
    )
    assert WebhookDelivery.objects.count() == 2
    assert api_client(world.system_admin).post(url).status_code == 202
    assert WebhookDelivery.objects.filter(redelivery_of=delivery).count() == 1
    assert other_endpoint.pk != endpoint.pk
