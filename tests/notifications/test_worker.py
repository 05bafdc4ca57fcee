"""Deliveries sent by a real Celery worker thread through the Redis broker, retried with
backoff (made instant here) until the receiver answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from notifications import webhooks
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from notifications.tasks import deliver_webhook
from tests.notifications.conftest import Receiver, wait_until

AGENCY = 101
PAYLOAD = {"referral": {"id": 9, "status": "accepted"}}

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("celery_worker_thread"),
]


def _subscribe(receiver: Receiver) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        agency_id=AGENCY, url=receiver.url, events=["referral.accepted"]
    )


def _emit() -> WebhookDelivery:
    with transaction.atomic():
        (delivery,) = webhooks.webhook_emit(
            event="referral.accepted", agency_ids=[AGENCY], payload=PAYLOAD
        )
    return delivery


def _status(delivery: WebhookDelivery) -> str:
    return WebhookDelivery.objects.values_list("status", flat=True).get(pk=delivery.pk)


def test_a_receiver_that_fails_twice_then_succeeds_gets_the_event_exactly_once_more(
    make_receiver: Callable[[list[int]], Receiver],
) -> None:
    receiver = make_receiver([500, 500, 200])
    endpoint = _subscribe(receiver)

    delivery = _emit()
    wait_until(lambda: _status(delivery) == DeliveryStatus.DELIVERED)

    requests = receiver.requests()
    assert [request.answered for request in requests] == [500, 500, 200]
    assert {request.headers["X-CPIMS-Delivery"] for request in requests} == {
        str(delivery.delivery_id)
    }
    for request in requests:
        assert webhooks.verify(
            endpoint.secret,
            request.headers["X-CPIMS-Timestamp"],
            request.body,
            request.headers["X-CPIMS-Signature"],
        )
        assert json.loads(request.body)["referral"] == PAYLOAD["referral"]
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert delivery.last_status_code == 200
    assert delivery.last_error == ""
    assert delivery.delivered_at is not None


def test_a_receiver_that_always_fails_leaves_the_delivery_failed_after_the_last_attempt(
    make_receiver: Callable[[list[int]], Receiver], settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver = make_receiver([500])
    _subscribe(receiver)

    delivery = _emit()
    wait_until(lambda: _status(delivery) == DeliveryStatus.FAILED)

    assert len(receiver.requests()) == 3
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500"
    assert delivery.delivered_at is None


def test_the_worker_refuses_a_delivery_whose_address_is_no_longer_allowed(
    make_receiver: Callable[[list[int]], Receiver], settings: Any
) -> None:
    receiver = make_receiver([200])
    _subscribe(receiver)
    # The host now leads to an address that is not allowed, as when its DNS changed.
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = []

    delivery = _emit()
    wait_until(lambda: _status(delivery) == DeliveryStatus.REFUSED)

    assert receiver.requests() == []
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        1,
        None,
        "refused",
    )


def test_running_the_task_again_for_a_delivered_delivery_sends_nothing(
    make_receiver: Callable[[list[int]], Receiver],
) -> None:
    receiver = make_receiver([200])
    _subscribe(receiver)
    first = _emit()
    wait_until(lambda: _status(first) == DeliveryStatus.DELIVERED)

    deliver_webhook.delay(first.pk)
    # The worker takes one task at a time, in order: once the next delivery has arrived, the
    # repeated task has run.
    second = _emit()
    wait_until(lambda: _status(second) == DeliveryStatus.DELIVERED)

    assert [request.headers["X-CPIMS-Delivery"] for request in receiver.requests()] == [
        str(first.delivery_id),
        str(second.delivery_id),
    ]
    first.refresh_from_db()
    assert first.attempts == 1
