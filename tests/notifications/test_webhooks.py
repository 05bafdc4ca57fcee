from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from notifications import delivery as webhook_delivery
from notifications import webhooks
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.notifications.conftest import RECEIVER_HOST, Receiver

AGENCY, OTHER_AGENCY = 101, 202
PAYLOAD = {"referral": {"id": 7, "status": "sent", "to_agency": OTHER_AGENCY, "services": []}}


class Robot:
    """An actor for the audit trail: the services take anything with a pk and a username."""

    pk = 1
    username = "robot"
    agency_id = AGENCY


def _endpoint(
    url: str = "https://partner.example.org/hooks",
    *,
    agency_id: int = AGENCY,
    events: list[str] | None = None,
    is_active: bool = True,
) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        agency_id=agency_id,
        url=url,
        events=events if events is not None else list(webhooks.WEBHOOK_EVENTS),
        is_active=is_active,
    )


def _emit(event: str = "referral.created", agency_ids: tuple[int, ...] = (AGENCY,)) -> Any:
    with transaction.atomic():
        return webhooks.webhook_emit(event=event, agency_ids=agency_ids, payload=PAYLOAD)


def test_an_event_reaches_only_active_subscribed_endpoints_of_the_agencies_named(
    db: None,
) -> None:
    subscribed = _endpoint()
    _endpoint(events=["referral.accepted"])
    _endpoint(is_active=False)
    _endpoint(agency_id=OTHER_AGENCY)
    deliveries = _emit("referral.created", (AGENCY,))
    assert [d.endpoint_id for d in deliveries] == [subscribed.pk]
    assert WebhookDelivery.objects.get().endpoint_id == subscribed.pk


def test_the_payload_is_what_was_emitted_plus_event_delivery_id_and_time(db: None) -> None:
    _endpoint()
    (delivery,) = _emit("referral.accepted")
    stored = WebhookDelivery.objects.get(pk=delivery.pk)
    assert stored.payload == {
        **PAYLOAD,
        "event": "referral.accepted",
        "delivery_id": str(stored.delivery_id),
        "occurred_at": stored.payload["occurred_at"],
    }
    assert stored.status == DeliveryStatus.PENDING
    assert stored.attempts == 0


def test_an_unknown_event_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="Unknown webhook event"):
        _emit("case.created")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_queued_when_the_emitting_transaction_rolls_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queued: list[int] = []

    class FakeTask:
        name = "deliver_webhook"

        @staticmethod
        def delay(pk: int) -> None:
            queued.append(pk)

    monkeypatch.setattr(webhooks, "deliver_webhook", FakeTask)
    _endpoint()

    def failing_change() -> None:
        with transaction.atomic():
            webhooks.webhook_emit(event="referral.created", agency_ids=[AGENCY], payload=PAYLOAD)
            raise RuntimeError("the referral's change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert queued == []
    assert not WebhookDelivery.objects.exists()

    with transaction.atomic():
        (committed,) = webhooks.webhook_emit(
            event="referral.created", agency_ids=[AGENCY], payload=PAYLOAD
        )
        assert queued == []
    assert queued == [committed.pk]


# --- Signing -----------------------------------------------------------------------------------


def test_verify_accepts_a_good_signature_and_rejects_tampering() -> None:
    body = b'{"event":"referral.created"}'
    now = int(time.time())
    header = "sha256=" + webhooks.sign("s3cret", now, body)
    assert webhooks.verify("s3cret", now, body, header)
    assert webhooks.verify("s3cret", str(now), body, header)
    assert not webhooks.verify("s3cret", now, body + b" ", header)
    assert not webhooks.verify("other", now, body, header)
    assert not webhooks.verify("s3cret", now + 1, body, header)
    assert not webhooks.verify("s3cret", now, body, header.removeprefix("sha256="))
    assert not webhooks.verify("s3cret", "soon", body, header)


def test_verify_rejects_an_old_timestamp_even_when_correctly_signed() -> None:
    body = b"{}"
    then = int(time.time()) - 301
    assert not webhooks.verify(
        "s3cret", then, body, "sha256=" + webhooks.sign("s3cret", then, body)
    )


# --- One attempt against a real receiver -------------------------------------------------------


def test_a_receiver_gets_a_signed_delivery_that_it_can_verify(
    db: None, make_receiver: Callable[[list[int]], Receiver]
) -> None:
    receiver = make_receiver([200])
    endpoint = _endpoint(receiver.url)
    (delivery,) = _emit("referral.created")

    assert webhook_delivery.webhook_attempt(delivery.pk) is None

    (request,) = receiver.requests()
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-CPIMS-Event"] == "referral.created"
    assert uuid.UUID(headers["X-CPIMS-Delivery"]) == delivery.delivery_id
    assert webhooks.verify(
        endpoint.secret, headers["X-CPIMS-Timestamp"], request.body, headers["X-CPIMS-Signature"]
    )
    assert not webhooks.verify(
        endpoint.secret,
        headers["X-CPIMS-Timestamp"],
        request.body.replace(b"sent", b"done"),
        headers["X-CPIMS-Signature"],
    )
    assert json.loads(request.body) == {
        **PAYLOAD,
        "event": "referral.created",
        "delivery_id": str(delivery.delivery_id),
        "occurred_at": delivery.payload["occurred_at"],
    }
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None


def test_a_delivered_delivery_is_never_sent_again(
    db: None, make_receiver: Callable[[list[int]], Receiver]
) -> None:
    receiver = make_receiver([200])
    _endpoint(receiver.url)
    (delivery,) = _emit()
    webhook_delivery.webhook_attempt(delivery.pk)
    assert webhook_delivery.webhook_attempt(delivery.pk) is None
    assert len(receiver.requests()) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_failed_attempt_is_recorded_and_the_next_waits_for_its_time(
    db: None, make_receiver: Callable[[list[int]], Receiver]
) -> None:
    receiver = make_receiver([500, 200])
    _endpoint(receiver.url)
    (delivery,) = _emit()

    delay = webhook_delivery.webhook_attempt(delivery.pk)

    assert delay is not None
    assert 30 * 0.75 <= delay <= 30 * 1.25
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at is not None
    # A second task message arriving early (a duplicate) sends nothing.
    assert webhook_delivery.webhook_attempt(delivery.pk) is None
    assert len(receiver.requests()) == 1


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    db: None, make_receiver: Callable[[list[int]], Receiver]
) -> None:
    receiver = make_receiver([302])
    _endpoint(receiver.url)
    (delivery,) = _emit()
    assert webhook_delivery.webhook_attempt(delivery.pk) is not None
    assert len(receiver.requests()) == 1
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302
    assert delivery.status == DeliveryStatus.PENDING


def _silent_port() -> socket.socket:
    """A port that accepts connections and never answers (a receiver that hangs)."""
    listener = socket.socket()
    listener.bind((RECEIVER_HOST, 0))
    listener.listen(8)
    return listener


@pytest.mark.parametrize("failure", ["closed port", "not TLS", "no answer"])
def test_a_receiver_that_cannot_be_reached_is_recorded_as_failed_whatever_the_cause(
    db: None,
    make_receiver: Callable[[list[int]], Receiver],
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    failure: str,
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver = make_receiver([200])
    with closing(_silent_port()) as silent:
        url = {
            "closed port": receiver.url,
            "not TLS": receiver.url.replace("http://", "https://"),
            "no answer": f"http://{RECEIVER_HOST}:{silent.getsockname()[1]}/hooks",
        }[failure]
        if failure == "closed port":
            receiver.stop()  # nothing listens on its port any more
        _endpoint(url)
        (delivery,) = _emit()
        with caplog.at_level(logging.WARNING, logger="notifications.delivery"):
            assert webhook_delivery.webhook_attempt(delivery.pk) is not None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.PENDING,
        None,
        "failed",
    )
    assert delivery.attempts == 1
    # Operators still learn what went wrong, from the log.
    assert str(delivery.delivery_id) in caplog.text
    assert "Error" in caplog.text or "Timeout" in caplog.text


def test_a_delivery_to_an_address_no_longer_allowed_is_refused_without_sending_anything(
    db: None,
    make_receiver: Callable[[list[int]], Receiver],
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver = make_receiver([200])
    endpoint = _create(url=receiver.url)  # allowed when registered
    # Now the host leads to an address that is not allowed, as when its DNS changed.
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = []
    (delivery,) = _emit()

    with caplog.at_level(logging.WARNING, logger="notifications.delivery"):
        assert webhook_delivery.webhook_attempt(delivery.pk) is None

    assert receiver.requests() == []
    delivery.refresh_from_db()
    assert delivery.endpoint_id == endpoint.pk
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.REFUSED,
        None,
        "refused",
    )
    assert delivery.next_attempt_at is None
    assert "refused" in caplog.text
    # A refusal is final: another task message for it sends nothing either.
    assert webhook_delivery.webhook_attempt(delivery.pk) is None
    assert receiver.requests() == []


def test_a_private_host_is_allowed_by_the_name_the_url_gives_it_not_by_its_address(
    db: None, make_receiver: Callable[[list[int]], Receiver], settings: Any
) -> None:
    receiver = make_receiver([200])
    # "127.1" is a name the resolver turns into 127.0.0.1 without asking DNS.
    _endpoint(f"http://127.1:{receiver.port}/hooks/cpims")
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    (refused,) = _emit()
    assert webhook_delivery.webhook_attempt(refused.pk) is None
    assert receiver.requests() == []

    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.1"]
    (delivery,) = _emit()
    assert webhook_delivery.webhook_attempt(delivery.pk) is None
    # Sent to the address checked, with the host name the URL gives.
    (request,) = receiver.requests()
    assert request.headers["Host"] == f"127.1:{receiver.port}"
    assert WebhookDelivery.objects.get(pk=refused.pk).status == DeliveryStatus.REFUSED
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED


def test_the_last_allowed_attempt_that_fails_marks_the_delivery_failed(
    db: None, make_receiver: Callable[[list[int]], Receiver], settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    receiver = make_receiver([503])
    _endpoint(receiver.url)
    (delivery,) = _emit()
    assert webhook_delivery.webhook_attempt(delivery.pk) is not None
    assert webhook_delivery.webhook_attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.FAILED,
        2,
        503,
    )
    assert webhook_delivery.webhook_attempt(delivery.pk) is None
    assert len(receiver.requests()) == 2


def test_a_deactivated_endpoint_gets_no_more_deliveries(
    db: None, make_receiver: Callable[[list[int]], Receiver]
) -> None:
    receiver = make_receiver([200])
    endpoint = _endpoint(receiver.url)
    (delivery,) = _emit()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    assert webhook_delivery.webhook_attempt(delivery.pk) is None
    assert receiver.requests() == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_backoff_doubles_up_to_the_cap(settings: Any) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_CAP_SECONDS = 100
    assert 7.5 <= webhook_delivery.retry_delay(1) <= 12.5
    assert 30 <= webhook_delivery.retry_delay(3) <= 50
    assert webhook_delivery.retry_delay(10) <= 100


def test_overdue_pending_deliveries_are_found_for_the_sweep(db: None) -> None:
    _endpoint()
    (overdue,) = _emit()
    (recent,) = _emit()
    WebhookDelivery.objects.filter(pk=overdue.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=10)
    )
    assert webhook_delivery.overdue_delivery_ids(grace=timedelta(minutes=5)) == [overdue.pk]
    assert recent.pk not in webhook_delivery.overdue_delivery_ids(grace=timedelta(minutes=5))


# --- Registration rules ------------------------------------------------------------------------


def _create(**overrides: Any) -> WebhookEndpoint:
    arguments: dict[str, Any] = {
        "actor": Robot(),
        "actor_admin_of_agency_id": AGENCY,
        "actor_is_system_admin": False,
        "agency_id": AGENCY,
        "url": "https://partner.example.org/hooks",
        "events": ["referral.created"],
        **overrides,
    }
    return webhooks.webhook_endpoint_create(**arguments)


def test_webhook_urls_must_use_https_except_to_an_allowed_private_host(
    db: None, settings: Any
) -> None:
    settings.DEBUG = True  # no exception in development either
    for url in ("http://partner.example.org/hooks", "http://127.0.0.1:8080/hooks"):
        with pytest.raises(ValidationError) as error:
            _create(url=url)
        assert error.value.message_dict["url"] == ["Webhook URLs must use https."]
    with pytest.raises(ValidationError):
        _create(url="https://user:pass@partner.example.org/hooks")

    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1", "localhost"]
    assert _create(url="http://127.0.0.1:8080/hooks").url == "http://127.0.0.1:8080/hooks"
    assert _create(url="http://localhost/hooks").pk
    with pytest.raises(ValidationError):
        _create(url="http://partner.example.org/hooks")


def test_an_agency_admin_registers_only_for_their_own_agency(db: None) -> None:
    with pytest.raises(PermissionDenied):
        _create(agency_id=OTHER_AGENCY)
    with pytest.raises(PermissionDenied):
        _create(actor_admin_of_agency_id=None)
    assert _create(actor_admin_of_agency_id=None, actor_is_system_admin=True).agency_id == AGENCY


def test_subscriptions_name_known_events_only(db: None) -> None:
    with pytest.raises(ValidationError):
        _create(events=["case.created"])
    with pytest.raises(ValidationError):
        _create(events=[])
    endpoint = _create(events=["referral.created", "referral.created", "referral.declined"])
    assert endpoint.events == ["referral.created", "referral.declined"]
