"""External ids: how other systems (Primero, OSCaR, a partner's database) name a case. Written
on registration and by PATCH (which replaces the list), one (system, id) for one case, shown
with the administrative fields, found by ``?external_id=``, and carried by the referral
webhooks."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from cases.models import Case, CaseExternalId
from notifications.models import WebhookDelivery, WebhookEndpoint
from referrals import services as referrals
from tests.api.test_cases_api import CASES, case_url, intake_body
from tests.conftest import World, api_client

pytestmark = pytest.mark.django_db


def _named(case: Case, **ids: str) -> None:
    for system, external_id in ids.items():
        CaseExternalId.objects.create(case=case, system=system, external_id=external_id)


def _patch(world: World, case: Case, external_ids: list[dict[str, str]]) -> Any:
    return api_client(world.worker).patch(
        case_url(case.pk), {"external_ids": external_ids}, format="json"
    )


def test_a_registration_keeps_the_external_ids_shows_them_and_records_them(world: World) -> None:
    body = {**intake_body(world.pp_village), "external_ids": [{"system": "primero", "id": "P-1"}]}
    response = api_client(world.worker).post(CASES, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["external_ids"] == [{"system": "primero", "id": "P-1"}]
    case = Case.objects.get(pk=response.json()["id"])
    event = AuditEvent.objects.get(action="case.create", case_id=case.pk)
    assert event.changes["external_ids"] == ["primero:P-1"]


def test_an_id_naming_another_case_is_refused_naming_it_only_to_who_sees_it(
    world: World,
) -> None:
    _named(world.teammates_case, oscar="7")
    _named(world.other_agency_case, oscar="8")
    # The worker's supervisor sees her team's cases: she is told which case holds the id.
    seen = api_client(world.supervisor).patch(
        case_url(world.own_case.pk),
        {"external_ids": [{"system": "oscar", "id": "7"}]},
        format="json",
    )
    assert seen.status_code == 400
    assert world.teammates_case.case_number in seen.json()["external_ids"][0]
    hidden = _patch(world, world.own_case, [{"system": "oscar", "id": "8"}])
    assert hidden.status_code == 400
    message = hidden.json()["external_ids"][0]
    assert "another case" in message
    assert world.other_agency_case.case_number not in message
    assert not CaseExternalId.objects.filter(case=world.own_case).exists()


def test_a_system_given_twice_is_refused(world: World) -> None:
    response = _patch(
        world, world.own_case, [{"system": "oscar", "id": "1"}, {"system": "oscar", "id": "2"}]
    )
    assert response.status_code == 400
    assert "external_ids" in response.json()
    registration = api_client(world.worker).post(
        CASES,
        {
            **intake_body(world.pp_village),
            "external_ids": [{"system": "x", "id": "1"}, {"system": "x", "id": "1"}],
        },
        format="json",
    )
    assert registration.status_code == 400
    assert "external_ids" in registration.json()


def test_a_malformed_system_code_or_an_entry_missing_a_part_is_refused(world: World) -> None:
    for entry in ({"system": "Primero CPIMS", "id": "1"}, {"id": "1"}, {"system": "oscar"}):
        response = _patch(world, world.own_case, [entry])
        assert response.status_code == 400, entry
        assert "external_ids" in response.json()


def test_a_patch_replaces_the_list_bumps_the_version_and_is_audited(world: World) -> None:
    _named(world.own_case, primero="P-1", oscar="O-1")
    version = Case.objects.get(pk=world.own_case.pk).version
    response = _patch(
        world, world.own_case, [{"system": "oscar", "id": "O-2"}, {"system": "partner", "id": "9"}]
    )
    assert response.status_code == 200, response.content
    assert response.json()["external_ids"] == [
        {"system": "oscar", "id": "O-2"},
        {"system": "partner", "id": "9"},
    ]
    assert response.json()["version"] == version + 1
    event = AuditEvent.objects.filter(action="case.update", case_id=world.own_case.pk).last()
    assert event is not None
    assert event.changes["external_ids"] == [
        ["oscar:O-1", "primero:P-1"],
        ["oscar:O-2", "partner:9"],
    ]
    emptied = _patch(world, world.own_case, [])
    assert emptied.status_code == 200
    assert emptied.json()["external_ids"] == []


def test_the_same_list_again_changes_nothing(world: World) -> None:
    _named(world.own_case, primero="P-1")
    version = Case.objects.get(pk=world.own_case.pk).version
    response = _patch(world, world.own_case, [{"system": "primero", "id": "P-1"}])
    assert response.status_code == 200
    assert response.json()["version"] == version


def test_the_filter_finds_a_visible_case_and_never_one_out_of_reach(world: World) -> None:
    _named(world.own_case, primero="P-1")
    _named(world.other_agency_case, primero="P-2")
    client = api_client(world.worker)
    found = client.get(CASES, {"external_id": "primero:P-1"}).json()["results"]
    assert [case["id"] for case in found] == [world.own_case.pk]
    assert client.get(CASES, {"external_id": "primero:P-2"}).json()["results"] == []
    assert client.get(CASES, {"external_id": "primero:P-"}).json()["results"] == []
    assert client.get(CASES, {"external_id": "no-colon"}).status_code == 400


def test_an_agency_admin_sees_the_external_ids_with_the_administrative_fields(
    world: World,
) -> None:
    _named(world.own_case, primero="P-1")
    answer = api_client(world.agency_admin).get(case_url(world.own_case.pk)).json()
    assert "child" not in answer  # she sees the case by number only
    assert answer["external_ids"] == [{"system": "primero", "id": "P-1"}]


def test_the_referral_webhooks_carry_the_case_external_ids_and_nothing_of_the_child(
    world: World,
) -> None:
    _named(world.own_case, primero="P-1")
    WebhookEndpoint.objects.create(
        agency_id=world.other_ngo.pk,
        url="https://partner.example.org/hook",
        events=["referral.created"],
    )
    referrals.referral_create(
        actor=world.supervisor, case=world.own_case, to_agency=world.other_ngo, type="service",
        urgency="urgent", services=["shelter"], reason="Safety", shared_sections=["profile"],
        consent_override_reason="Emergency",
    )  # fmt: skip
    payload = WebhookDelivery.objects.get(event="referral.created").payload
    assert payload["case"] == {"external_ids": [{"system": "primero", "id": "P-1"}]}
    assert world.own_case.child.given_name not in str(payload)
