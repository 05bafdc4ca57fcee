from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from accounts.choices import Role
from accounts.models import User
from audit.models import AuditEvent
from notifications import delivery as webhook_delivery
from notifications import webhooks
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import World, api_client
from tests.factories import UserFactory
from tests.notifications.conftest import Receiver

URL = "https://partner.example.org/cpims-hooks"


def _register(user: User, **body: Any) -> Any:
    return api_client(user).post(
        "/api/v1/webhooks/", {"url": URL, "events": ["referral.created"], **body}
    )


def _endpoint_of(agency_id: int) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        agency_id=agency_id, url=URL, events=["referral.created", "referral.accepted"]
    )


def test_an_agency_admin_registers_an_endpoint_and_sees_the_secret_only_once(
    world: World,
) -> None:
    response = _register(world.agency_admin)
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == {"id", "agency", "url", "events", "is_active", "created_at", "secret"}
    assert created["agency"] == world.ngo.pk
    assert created["events"] == ["referral.created"]
    assert created["is_active"] is True
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    assert created["secret"] == endpoint.secret
    assert endpoint.created_by_id == world.agency_admin.pk

    client = api_client(world.agency_admin)
    detail = client.get(f"/api/v1/webhooks/{endpoint.pk}/")
    assert detail.status_code == 200
    assert "secret" not in detail.json()
    assert "ETag" in detail.headers
    listed = client.get("/api/v1/webhooks/").json()["results"]
    assert [item["id"] for item in listed] == [endpoint.pk]
    assert "secret" not in listed[0]
    assert (
        endpoint.secret
        not in client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").content.decode()
    )


def test_registering_is_audited_with_the_secret_masked(world: World) -> None:
    response = _register(world.agency_admin)
    event = AuditEvent.objects.get(action="webhook.create")
    assert event.actor_id == world.agency_admin.pk
    assert event.object_type == "notifications.webhookendpoint"
    assert event.object_id == str(response.json()["id"])
    assert event.changes["secret"] == "***"
    assert event.changes["url"] == URL
    assert response.json()["secret"] not in str(
        AuditEvent.objects.values_list("changes", flat=True)
    )


def test_a_system_admin_registers_for_any_agency_but_must_name_it(world: World) -> None:
    missing = _register(world.system_admin)
    assert missing.status_code == 400
    assert "agency" in missing.json()
    response = _register(world.system_admin, agency=world.other_ngo.pk)
    assert response.status_code == 201, response.content
    assert response.json()["agency"] == world.other_ngo.pk


def test_an_agency_admin_cannot_register_for_another_agency(world: World) -> None:
    assert _register(world.agency_admin, agency=world.other_ngo.pk).status_code == 403
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("persona", ["worker", "supervisor", "police", "analyst"])
def test_people_who_are_not_admins_are_refused(world: World, persona: str) -> None:
    user = getattr(world, persona)
    endpoint = _endpoint_of(user.agency_id)
    client = api_client(user)
    assert client.get("/api/v1/webhooks/").status_code == 403
    assert _register(user).status_code == 403
    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
    assert client.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"is_active": False}).status_code == 403
    assert client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").status_code == 403
    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").status_code == 403
    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).exists()


def test_anonymous_callers_are_asked_to_sign_in(world: World) -> None:
    assert api_client().get("/api/v1/webhooks/").status_code in {401, 403}


def test_another_agencys_endpoint_is_not_found_for_an_agency_admin(world: World) -> None:
    theirs = _endpoint_of(world.other_ngo.pk)
    client = api_client(world.agency_admin)
    assert client.get("/api/v1/webhooks/").json()["results"] == []
    assert client.get(f"/api/v1/webhooks/{theirs.pk}/").status_code == 404
    assert client.patch(f"/api/v1/webhooks/{theirs.pk}/", {"is_active": False}).status_code == 404
    assert client.post(f"/api/v1/webhooks/{theirs.pk}/rotate-secret/").status_code == 404
    assert client.get(f"/api/v1/webhooks/{theirs.pk}/deliveries/").status_code == 404
    assert client.delete(f"/api/v1/webhooks/{theirs.pk}/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=theirs.pk, is_active=True).exists()
    # The other agency's own admin manages it.
    their_admin = UserFactory.create(
        username="other_admin", role=Role.AGENCY_ADMIN, agency=world.other_ngo
    )
    assert api_client(their_admin).get(f"/api/v1/webhooks/{theirs.pk}/").status_code == 200
    assert api_client(world.system_admin).get(f"/api/v1/webhooks/{theirs.pk}/").status_code == 200


def test_editing_an_endpoint_is_checked_and_audited(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    client = api_client(world.agency_admin)
    etag = client.get(f"/api/v1/webhooks/{endpoint.pk}/").headers["ETag"]

    response = client.patch(
        f"/api/v1/webhooks/{endpoint.pk}/",
        {"events": ["referral.completed"], "is_active": False},
        headers={"If-Match": etag},
    )
    assert response.status_code == 200, response.content
    assert response.json()["events"] == ["referral.completed"]
    assert response.json()["is_active"] is False
    assert "secret" not in response.json()
    assert etag == f'"{endpoint.pk}-1"'
    assert response.headers["ETag"] == f'"{endpoint.pk}-2"'
    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/").headers["ETag"] == f'"{endpoint.pk}-2"'
    event = AuditEvent.objects.get(action="webhook.update")
    assert event.changes == {
        "events": [["referral.created", "referral.accepted"], ["referral.completed"]],
        "is_active": [True, False],
    }
    stale = client.patch(
        f"/api/v1/webhooks/{endpoint.pk}/", {"is_active": True}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.version) == (False, 2)
    assert AuditEvent.objects.filter(action="webhook.update").count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"events": ["case.created"]},
        {"events": []},
        {"url": "http://partner.example.org/hooks"},
        {"url": "not a url"},
        {"url": "https://169.254.169.254/latest/meta-data/"},
        {"url": "https://[fd00::1]/hooks"},
        {"url": "http://127.0.0.1:8080/hooks"},
        {"agency": 1},
    ],
)
def test_bad_edits_are_refused_and_nothing_changes(world: World, body: dict[str, Any]) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    response = api_client(world.agency_admin).patch(f"/api/v1/webhooks/{endpoint.pk}/", body)
    assert response.status_code == 400, response.content
    refreshed = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (refreshed.url, refreshed.events) == (endpoint.url, endpoint.events)
    assert not AuditEvent.objects.filter(action="webhook.update").exists()


def test_registering_a_plain_http_url_elsewhere_is_refused(world: World) -> None:
    response = _register(world.agency_admin, url="http://partner.example.org/hooks")
    assert response.status_code == 400
    assert "url" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/hooks",
        "https://172.16.0.1/hooks",
        "https://192.168.1.10/hooks",
        "https://100.64.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://127.0.0.1:6379/",
        "https://[::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://[fe80::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://localhost/hooks",
        "http://127.0.0.1:8080/hooks",
    ],
)
def test_registering_a_webhook_to_an_internal_address_is_refused_in_any_mode(
    world: World, settings: Any, url: str
) -> None:
    settings.DEBUG = True
    response = _register(world.agency_admin, url=url)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"url"}
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_list_does_not_say_how_reaching_a_receiver_failed(
    world: World, make_receiver: Callable[[list[int]], Receiver]
) -> None:
    answering = make_receiver([500])
    closed = make_receiver([200])
    closed.stop()
    not_tls = make_receiver([200])
    client = api_client(world.agency_admin)
    last_errors = {}
    for name, url in {
        "answered 500": answering.url,
        "closed port": closed.url,
        "not TLS": not_tls.url.replace("http://", "https://"),
    }.items():
        WebhookEndpoint.objects.update(is_active=False)  # one delivery per round
        endpoint = WebhookEndpoint.objects.create(
            agency_id=world.ngo.pk, url=url, events=["referral.created"]
        )
        with transaction.atomic():
            (delivery,) = webhooks.webhook_emit(
                event="referral.created", agency_ids=[world.ngo.pk], payload={}
            )
        webhook_delivery.webhook_attempt(delivery.pk)
        listed = client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
        last_errors[name] = (listed[0]["last_status_code"], listed[0]["last_error"])
    assert last_errors == {
        "answered 500": (500, "HTTP 500"),
        "closed port": (None, "failed"),
        "not TLS": (None, "failed"),
    }


def test_rotating_the_secret_shows_the_new_one_once_and_audits_it_masked(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    old_secret = endpoint.secret
    client = api_client(world.agency_admin)

    response = client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/")

    assert response.status_code == 200
    new_secret = response.json()["secret"]
    assert response.json()["id"] == endpoint.pk
    assert new_secret != old_secret
    endpoint.refresh_from_db()
    assert endpoint.secret == new_secret
    assert new_secret not in client.get(f"/api/v1/webhooks/{endpoint.pk}/").content.decode()
    event = AuditEvent.objects.get(action="webhook.rotate_secret")
    assert event.changes == {"secret": "***"}


def test_an_edit_read_before_the_secret_was_rotated_is_stale(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    client = api_client(world.agency_admin)
    etag = client.get(f"/api/v1/webhooks/{endpoint.pk}/").headers["ETag"]
    assert client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").status_code == 200

    stale = client.patch(
        f"/api/v1/webhooks/{endpoint.pk}/", {"is_active": False}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).is_active


def test_deleting_an_endpoint_removes_it_and_is_audited(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    response = api_client(world.agency_admin).delete(f"/api/v1/webhooks/{endpoint.pk}/")
    assert response.status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    event = AuditEvent.objects.get(action="webhook.delete")
    assert event.object_id == str(endpoint.pk)
    assert event.changes["url"] == URL


@pytest.mark.parametrize("count", [1, 30])
def test_the_delivery_list_shows_how_sending_went_in_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any, count: int
) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    other = _endpoint_of(world.other_ngo.pk)
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event="referral.created",
                payload={"n": n},
                status=DeliveryStatus.FAILED if n == 0 else DeliveryStatus.DELIVERED,
                attempts=n % 4 + 1,
                last_status_code=500 if n == 0 else 200,
            )
            for n in range(count)
        ]
        + [WebhookDelivery(endpoint=other, event="referral.created", payload={})]
    )
    client = api_client(world.agency_admin)
    with django_assert_max_num_queries(4):
        response = client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/?page_size=50")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == count
    assert {"delivery_id", "event", "status", "attempts", "last_status_code"} <= set(results[0])
    assert {item["status"] for item in results} <= {"failed", "delivered"}
