"""The agency directory: readable by everybody signed in, written by system admins only."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from accounts.choices import AgencyType, ServiceCode
from accounts.models import Agency, AgencyService
from audit.models import AuditEvent
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, LocationFactory

AGENCIES_URL = "/api/v1/agencies/"
CONTRACT_FIELDS = {"id", "name", "type", "location", "services", "coverage"}
KHMER_NAME = "អង្គការការពារកុមារកម្ពុជា"


def _detail(agency: Agency) -> str:
    return f"{AGENCIES_URL}{agency.pk}/"


def _new_agency(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Safe Haven",
        "type": AgencyType.NGO,
        "location": world.phnom_penh.pk,
        "services": [ServiceCode.SHELTER, ServiceCode.MEDICAL],
        "coverage": [world.phnom_penh.pk, world.banteay_meanchey.pk],
    } | overrides


def _offer(agency: Agency) -> tuple[set[str], set[int]]:
    services = set(AgencyService.objects.filter(agency=agency).values_list("service", flat=True))
    return services, set(agency.coverage.values_list("id", flat=True))


def _create(world: World, **overrides: Any) -> Agency:
    response = api_client(world.system_admin).post(
        AGENCIES_URL, _new_agency(world, **overrides), format="json"
    )
    assert response.status_code == 201, response.content
    return Agency.objects.get(pk=response.json()["id"])


# --- Reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["worker", "commune_member", "police", "analyst"])
def test_any_signed_in_user_lists_the_agencies(world: World, persona: str) -> None:
    safe_haven = _create(world)

    response = api_client(getattr(world, persona)).get(AGENCIES_URL, {"page_size": 200})

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == set(Agency.objects.values_list("id", flat=True))
    row = rows[safe_haven.pk]
    assert set(row) >= CONTRACT_FIELDS
    assert row["name"] == "Safe Haven"
    assert row["type"] == AgencyType.NGO
    assert row["location"] == world.phnom_penh.pk
    assert sorted(row["services"]) == [ServiceCode.MEDICAL, ServiceCode.SHELTER]
    assert sorted(row["coverage"]) == sorted([world.phnom_penh.pk, world.banteay_meanchey.pk])


def test_any_signed_in_user_reads_one_agency(world: World) -> None:
    response = api_client(world.worker).get(_detail(world.other_ngo))

    assert response.status_code == 200
    assert response.json()["name"] == "Family First"


def test_the_list_filters_by_type(world: World) -> None:
    response = api_client(world.worker).get(AGENCIES_URL, {"type": AgencyType.DOSVY})

    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == {
        "DoSVY Phnom Penh",
        "DoSVY Banteay Meanchey",
    }


def test_an_unknown_agency_is_not_found(world: World) -> None:
    assert api_client(world.worker).get(f"{AGENCIES_URL}999999/").status_code == 404


def _agencies_with_offers(count: int) -> None:
    for _n in range(count):
        agency = AgencyFactory.create()
        AgencyService.objects.bulk_create(
            AgencyService(agency=agency, service_id=code)
            for code in (ServiceCode.SHELTER, ServiceCode.LEGAL_AID, ServiceCode.EDUCATION)
        )
        agency.coverage.set([LocationFactory.create(), LocationFactory.create()])


@pytest.mark.parametrize("count", [3, 30])
def test_listing_agencies_takes_the_same_queries_however_many_there_are(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries, count: int
) -> None:
    _agencies_with_offers(count)
    client = api_client(world.worker)

    # count, agencies, their services, their coverage
    with django_assert_max_num_queries(4):
        response = client.get(AGENCIES_URL, {"page_size": 200})

    assert response.status_code == 200
    assert len(response.json()["results"]) == Agency.objects.count()


# --- Writing -----------------------------------------------------------------------------------


def test_system_admin_creates_an_agency_with_services_and_coverage(world: World) -> None:
    response = api_client(world.system_admin).post(AGENCIES_URL, _new_agency(world), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["services"] == [ServiceCode.MEDICAL, ServiceCode.SHELTER]
    assert sorted(body["coverage"]) == sorted([world.phnom_penh.pk, world.banteay_meanchey.pk])
    agency = Agency.objects.get(pk=body["id"])
    assert (agency.type, agency.location) == (AgencyType.NGO, world.phnom_penh)
    assert _offer(agency) == (
        {ServiceCode.SHELTER, ServiceCode.MEDICAL},
        {world.phnom_penh.pk, world.banteay_meanchey.pk},
    )


def test_a_national_agency_needs_no_location_services_or_coverage(world: World) -> None:
    response = api_client(world.system_admin).post(
        AGENCIES_URL, {"name": "National Helpline", "type": AgencyType.HELPLINE}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["location"], body["services"], body["coverage"]) == (None, [], [])


def test_system_admin_replaces_services_and_coverage(world: World) -> None:
    agency = _create(world)

    response = api_client(world.system_admin).patch(
        _detail(agency),
        {"services": [ServiceCode.LEGAL_AID], "coverage": [world.pp_commune.pk]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["services"] == [ServiceCode.LEGAL_AID]
    assert response.json()["coverage"] == [world.pp_commune.pk]
    assert _offer(agency) == ({ServiceCode.LEGAL_AID}, {world.pp_commune.pk})


def test_a_patch_leaves_the_fields_it_does_not_name_alone(world: World) -> None:
    agency = _create(world)
    before = _offer(agency)

    response = api_client(world.system_admin).patch(
        _detail(agency), {"name": "Safe Haven Cambodia"}, format="json"
    )

    assert response.status_code == 200, response.content
    agency.refresh_from_db()
    assert agency.name == "Safe Haven Cambodia"
    assert agency.location == world.phnom_penh
    assert agency.is_active
    assert _offer(agency) == before


def test_emptying_services_and_coverage(world: World) -> None:
    agency = _create(world)

    response = api_client(world.system_admin).patch(
        _detail(agency), {"services": [], "coverage": []}, format="json"
    )

    assert response.status_code == 200, response.content
    assert _offer(agency) == (set(), set())


def test_khmer_agency_names_round_trip(world: World) -> None:
    agency = _create(world, name=KHMER_NAME)

    response = api_client(world.worker).get(_detail(agency))

    assert response.json()["name"] == KHMER_NAME
    assert KHMER_NAME.encode() in response.content
    agency.refresh_from_db()
    assert agency.name == KHMER_NAME


def test_agency_writes_are_audited(world: World) -> None:
    agency = _create(world)
    api_client(world.system_admin).patch(
        _detail(agency), {"services": [ServiceCode.LEGAL_AID]}, format="json"
    )

    created = AuditEvent.objects.get(action="agency.create")
    assert created.actor_id == world.system_admin.pk
    assert created.object_id == str(agency.pk)
    assert created.changes["services"] == [ServiceCode.MEDICAL, ServiceCode.SHELTER]
    updated = AuditEvent.objects.get(action="agency.update")
    assert updated.changes == {
        "services": [[ServiceCode.MEDICAL, ServiceCode.SHELTER], [ServiceCode.LEGAL_AID]]
    }


@pytest.mark.parametrize("persona", ["worker", "supervisor", "agency_admin", "dosvy_officer"])
def test_only_a_system_admin_creates_or_edits_agencies(world: World, persona: str) -> None:
    client = api_client(getattr(world, persona))
    before = Agency.objects.count()

    created = client.post(AGENCIES_URL, _new_agency(world), format="json")
    edited = client.patch(
        _detail(world.ngo),
        {"name": "Renamed", "services": [ServiceCode.SHELTER], "coverage": [world.pp_commune.pk]},
        format="json",
    )

    assert created.status_code == 403
    assert edited.status_code == 403
    assert Agency.objects.count() == before
    world.ngo.refresh_from_db()
    assert world.ngo.name == "Hope Shelter"
    assert _offer(world.ngo) == (set(), set())
    assert not AuditEvent.objects.filter(action__startswith="agency.").exists()


def test_a_user_who_is_no_admin_is_refused_even_with_invalid_input(world: World) -> None:
    client = api_client(world.worker)

    assert client.post(AGENCIES_URL, {"type": "castle"}, format="json").status_code == 403
    assert client.patch(_detail(world.ngo), {"type": "castle"}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "castle"}, "type"),
        ({"services": ["shelter", "massage"]}, "services"),
        ({"services": "shelter"}, "services"),
        ({"coverage": [999999]}, "coverage"),
        ({"location": 999999}, "location"),
        ({"name": ""}, "name"),
        ({"name": "Hope Shelter"}, "name"),
        ({"name": "hope shelter"}, "name"),
    ],
)
def test_invalid_agency_input_is_a_400_naming_the_field(
    world: World, overrides: dict[str, Any], field: str
) -> None:
    before = Agency.objects.count()

    response = api_client(world.system_admin).post(
        AGENCIES_URL, _new_agency(world, **overrides), format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Agency.objects.count() == before


def test_an_invalid_edit_changes_nothing(world: World) -> None:
    agency = _create(world)
    before = _offer(agency)

    response = api_client(world.system_admin).patch(
        _detail(agency), {"name": "Renamed", "services": ["massage"]}, format="json"
    )

    assert response.status_code == 400
    assert "services" in response.json()
    agency.refresh_from_db()
    assert agency.name == "Safe Haven"
    assert _offer(agency) == before


def test_an_agency_keeps_its_own_name_on_edit(world: World) -> None:
    agency = _create(world)

    response = api_client(world.system_admin).patch(
        _detail(agency), {"name": "Safe Haven", "type": AgencyType.SCHOOL}, format="json"
    )

    assert response.status_code == 200, response.content
    agency.refresh_from_db()
    assert agency.type == AgencyType.SCHOOL
