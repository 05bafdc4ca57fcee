"""follow_up.recorded: recording a visit tells the partner systems of the case's agency, which
receive the visit's date and outcome and their own ids for the case, and nothing of the child."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.utils import timezone

from cases.models import Case, CaseExternalId, CaseNamedUser
from notifications import webhooks
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from reintegration import services
from tests.conftest import World
from tests.notifications.conftest import Receiver, wait_until
from tests.reintegration.helpers import SCORES, months_ago, reintegrate, visits

NOTES = "Grandmother drinks; the child sleeps at the neighbours'"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("celery_worker_thread")
def test_a_recorded_visit_reaches_the_cases_agency_without_child_data(
    world: World, make_receiver: Callable[[list[int]], Receiver]
) -> None:
    receiver = make_receiver([200])
    endpoint = WebhookEndpoint.objects.create(
        agency_id=world.ngo.pk, url=receiver.url, events=["follow_up.recorded"]
    )
    # Another agency's partner, and one of this agency's not subscribed, hear nothing.
    WebhookEndpoint.objects.create(
        agency_id=world.other_ngo.pk, url=receiver.url, events=["follow_up.recorded"]
    )
    WebhookEndpoint.objects.create(
        agency_id=world.ngo.pk, url=receiver.url, events=["referral.created"]
    )
    reintegration = reintegrate(world, on=months_ago(2))
    case = reintegration.case
    assert case.agency_id == world.ngo.pk
    CaseExternalId.objects.create(case=case, system="oscar", external_id="OS-123")
    visit = visits(reintegration)[0]

    services.follow_up_complete(
        actor=case.owner,
        follow_up=visit,
        visit_date=timezone.localdate(),
        outcome="at_risk",
        scores=SCORES,
        notes=NOTES,
    )

    delivery = WebhookDelivery.objects.get(event="follow_up.recorded")
    assert delivery.endpoint_id == endpoint.pk
    wait_until(lambda: _status(delivery) == DeliveryStatus.DELIVERED)
    (request,) = receiver.requests()
    assert request.headers["X-CPIMS-Event"] == "follow_up.recorded"
    assert webhooks.verify(
        endpoint.secret,
        request.headers["X-CPIMS-Timestamp"],
        request.body,
        request.headers["X-CPIMS-Signature"],
    )
    body = json.loads(request.body)
    assert set(body) == {"follow_up", "case", "event", "delivery_id", "occurred_at"}
    assert body["follow_up"] == {
        "id": visit.pk,
        "visit_date": timezone.localdate().isoformat(),
        "outcome": "at_risk",
    }
    assert body["case"] == {"id": case.pk, "external_ids": [{"system": "oscar", "id": "OS-123"}]}
    text = request.body.decode()
    child = case.child
    for private in (child.given_name, child.family_name, case.case_number, NOTES):
        if private:
            assert private not in text


def _status(delivery: WebhookDelivery) -> str:
    return WebhookDelivery.objects.values_list("status", flat=True).get(pk=delivery.pk)


@pytest.mark.django_db
def test_a_restricted_cases_visit_is_not_announced(world: World) -> None:
    WebhookEndpoint.objects.create(
        agency_id=world.ngo.pk,
        url="https://partner.example.org/hooks",
        events=["follow_up.recorded"],
    )
    reintegration = reintegrate(world, on=months_ago(2))
    case = reintegration.case
    # Restricted once back home, its owner named on it (who alone may record the visit).
    Case.objects.filter(pk=case.pk).update(restricted=True)
    CaseNamedUser.objects.create(case=case, user=case.owner, named_by=case.owner)
    visit = visits(reintegration)[0]

    services.follow_up_complete(
        actor=reintegration.case.owner,
        follow_up=visit,
        visit_date=timezone.localdate(),
        outcome="stable",
        scores=SCORES,
    )

    assert not WebhookDelivery.objects.exists()
