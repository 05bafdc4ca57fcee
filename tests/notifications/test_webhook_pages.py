"""The webhook pages (/manage/webhooks/): agency admins register, change, re-key and delete
their agency's endpoints and see how deliveries went; the services' checks answer as in the
API (a private address is refused on the field, another agency's endpoint is 404)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from audit.models import AuditEvent
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import World
from tests.factories import UserFactory
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

URL = "https://partner.example.org/cpims-hooks"


def _endpoint_of(agency_id: int, **fields: object) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        **{"agency_id": agency_id, "url": URL, "events": ["referral.created"], **fields}
    )


def test_an_agency_admin_registers_a_webhook_and_sees_its_secret_once(world: World) -> None:
    client = signed_in(world.agency_admin)
    assert client.get("/manage/webhooks/new/").status_code == 200

    response = client.post(
        "/manage/webhooks/new/",
        {"url": URL, "events": ["follow_up.recorded", "case.gone"], "is_active": "on"},
    )

    assert response.status_code == 200, response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.agency_id, endpoint.url, endpoint.is_active) == (world.ngo.pk, URL, True)
    assert endpoint.events == ["follow_up.recorded", "case.gone"]
    assert endpoint.created_by_id == world.agency_admin.pk
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]
    page = client.get(f"/manage/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    assert endpoint.secret not in client.get("/manage/webhooks/").content.decode()
    assert AuditEvent.objects.filter(
        action="webhook.create", actor_id=world.agency_admin.pk
    ).exists()


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1/hooks", "https://localhost/hooks", "https://10.1.2.3/hooks"]
)
def test_a_private_or_loopback_address_is_refused_on_its_field(world: World, url: str) -> None:
    response = signed_in(world.agency_admin).post(
        "/manage/webhooks/new/", {"url": url, "events": ["referral.created"]}
    )

    assert response.status_code == 400
    assert "url" in response.context["form"].errors
    assert "public internet" in " ".join(response.context["form"].errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_needs_at_least_one_event(world: World) -> None:
    response = signed_in(world.agency_admin).post("/manage/webhooks/new/", {"url": URL})
    assert response.status_code == 400
    assert "events" in response.context["form"].errors
    assert not WebhookEndpoint.objects.exists()


def test_the_list_shows_each_webhook_with_how_its_last_delivery_went(world: World) -> None:
    failing = _endpoint_of(world.ngo.pk, events=["case.updated"])
    quiet = _endpoint_of(world.ngo.pk, is_active=False)
    WebhookDelivery.objects.create(
        endpoint=failing,
        event="case.updated",
        payload={},
        status=DeliveryStatus.DELIVERED,
    )
    WebhookDelivery.objects.create(
        endpoint=failing,
        event="case.updated",
        payload={},
        status=DeliveryStatus.FAILED,
        last_error="HTTP 500",
    )
    _endpoint_of(world.other_ngo.pk)  # not theirs

    response = signed_in(world.agency_admin).get("/manage/webhooks/")

    assert response.status_code == 200
    rows = {row["endpoint"].pk: row for row in response.context["rows"]}
    assert set(rows) == {failing.pk, quiet.pk}
    assert rows[failing.pk]["failed"] is True
    assert rows[failing.pk]["last_status"] == DeliveryStatus.FAILED.label
    assert (rows[quiet.pk]["failed"], rows[quiet.pk]["last_status"]) == (False, "")
    assert '<li class="notice">' in response.content.decode()


def test_a_system_admin_sees_every_agencys_webhooks_with_the_agency_named(world: World) -> None:
    _endpoint_of(world.ngo.pk)
    _endpoint_of(world.other_ngo.pk)
    response = signed_in(world.system_admin).get("/manage/webhooks/")
    assert response.status_code == 200
    assert {row["agency"] for row in response.context["rows"]} == {
        world.ngo.name,
        world.other_ngo.name,
    }


def test_an_agency_admin_changes_the_events_and_deactivates(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    client = signed_in(world.agency_admin)

    response = client.post(
        f"/manage/webhooks/{endpoint.pk}/",
        {"events": ["case.updated", "follow_up.recorded"], "version": endpoint.version},
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["case.updated", "follow_up.recorded"]
    assert endpoint.is_active is False
    assert AuditEvent.objects.filter(action="webhook.update").exists()


def test_rotating_the_secret_shows_the_new_one_once(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    old = endpoint.secret

    response = signed_in(world.agency_admin).post(f"/manage/webhooks/{endpoint.pk}/rotate-secret/")

    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]


def test_deleting_asks_first_then_removes_the_webhook(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    client = signed_in(world.agency_admin)

    confirm = client.get(f"/manage/webhooks/{endpoint.pk}/delete/")
    assert confirm.status_code == 200
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()

    response = client.post(f"/manage/webhooks/{endpoint.pk}/delete/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/webhooks/"
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert AuditEvent.objects.filter(action="webhook.delete").exists()


def test_the_page_shows_recent_deliveries_with_failures_highlighted(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    failed = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="referral.created",
        payload={},
        status=DeliveryStatus.FAILED,
        attempts=9,
        last_status_code=503,
        last_error="HTTP 503",
    )
    pending = WebhookDelivery.objects.create(
        endpoint=endpoint, event="referral.created", payload={}
    )

    response = signed_in(world.agency_admin).get(f"/manage/webhooks/{endpoint.pk}/")

    assert response.status_code == 200
    rows = {row["delivery"].pk: row for row in response.context["deliveries"]}
    assert (rows[failed.pk]["failed"], rows[failed.pk]["may_redeliver"]) == (True, True)
    assert (rows[pending.pk]["failed"], rows[pending.pk]["may_redeliver"]) == (False, False)
    html = response.content.decode()
    assert "HTTP 503" in html
    assert f"/manage/webhooks/{endpoint.pk}/deliveries/{failed.delivery_id}/redeliver/" in html
    assert f"/deliveries/{pending.delivery_id}/redeliver/" not in html


def test_another_agencys_admin_gets_404_on_every_page_of_the_webhook(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="referral.created", payload={}, status=DeliveryStatus.FAILED
    )
    other_admin = UserFactory.create(role=Role.AGENCY_ADMIN, agency=world.other_ngo)
    client = signed_in(other_admin)
    base = f"/manage/webhooks/{endpoint.pk}"

    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/", {"events": ["case.gone"]}).status_code == 404
    assert client.post(f"{base}/rotate-secret/").status_code == 404
    assert client.get(f"{base}/delete/").status_code == 404
    assert client.post(f"{base}/delete/").status_code == 404
    assert client.post(f"{base}/deliveries/{delivery.delivery_id}/redeliver/").status_code == 404
    assert client.get("/manage/webhooks/").context["rows"] == []
    endpoint.refresh_from_db()
    assert endpoint.events == ["referral.created"]
    assert WebhookDelivery.objects.count() == 1


def test_a_social_worker_is_refused_every_webhook_page(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    client = signed_in(world.worker)
    assert client.get("/manage/webhooks/").status_code == 403
    assert client.get("/manage/webhooks/new/").status_code == 403
    assert (
        client.post(
            "/manage/webhooks/new/", {"url": URL, "events": ["referral.created"]}
        ).status_code
        == 403
    )
    assert client.get(f"/manage/webhooks/{endpoint.pk}/").status_code == 403
    assert client.post(f"/manage/webhooks/{endpoint.pk}/rotate-secret/").status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_the_agency_admins_home_links_to_the_webhooks(world: World) -> None:
    response = signed_in(world.agency_admin).get("/")
    assert 'href="/manage/webhooks/"' in response.content.decode()


def test_the_webhook_pages_speak_khmer(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    client = signed_in(world.agency_admin, language="km")
    for path in ("/manage/webhooks/", "/manage/webhooks/new/", f"/manage/webhooks/{endpoint.pk}/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Language"] == "km"


def _queries_of_list(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/manage/webhooks/").status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_however_many_webhooks(world: World) -> None:
    client = signed_in(world.system_admin)
    _endpoint_of(world.ngo.pk)
    few = _queries_of_list(client)
    for agency_id in (world.ngo.pk, world.other_ngo.pk, world.dosvy_pp.pk):
        endpoint = _endpoint_of(agency_id)
        WebhookDelivery.objects.create(endpoint=endpoint, event="referral.created", payload={})
    assert _queries_of_list(client) == few


def test_the_page_costs_the_same_queries_however_many_deliveries(world: World) -> None:
    endpoint = _endpoint_of(world.ngo.pk)
    client = signed_in(world.agency_admin)
    first = WebhookDelivery.objects.create(endpoint=endpoint, event="referral.created", payload={})
    with CaptureQueriesContext(connection) as few:
        client.get(f"/manage/webhooks/{endpoint.pk}/")
    for _ in range(5):
        WebhookDelivery.objects.create(
            endpoint=endpoint, event="referral.created", payload={}, redelivery_of=first
        )
    with CaptureQueriesContext(connection) as many:
        client.get(f"/manage/webhooks/{endpoint.pk}/")
    assert len(many) == len(few)
