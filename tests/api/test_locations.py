"""The gazetteer through the API: the migrated provinces, the list filters and pages, and
creation by system admins only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from accounts.choices import LocationLevel
from accounts.models import Location
from audit.models import AuditEvent
from tests.conftest import World, api_client
from tests.factories import LocationFactory, province

LOCATIONS_URL = "/api/v1/locations/"
LOCATION_FIELDS = {"id", "code", "name_en", "name_km", "level", "parent", "path"}
KHMER_BLOCK = range(0x1780, 0x1800)
# Subscript consonants and a zero-width space between the two words, as Khmer text is written.
KHMER_NAME = "ស្រុក\u200bសាកល្បង"


@dataclass
class Places:
    chamkar_mon: Location
    tonle_basak: Location
    tonle_basak_village: Location
    serei_saophoan: Location


@pytest.fixture
def places(world: World) -> Places:
    chamkar_mon = LocationFactory.create(
        code="1201",
        name_en="Chamkar Mon",
        name_km="ចំការមន",
        level=LocationLevel.DISTRICT,
        parent=world.phnom_penh,
    )
    tonle_basak = LocationFactory.create(
        code="120101",
        name_en="Tonle Basak",
        name_km="ទន្លេបាសាក់",
        level=LocationLevel.COMMUNE,
        parent=chamkar_mon,
    )
    village = LocationFactory.create(
        code="12010101",
        name_en="Phum 1",
        name_km="ភូមិ១",
        level=LocationLevel.VILLAGE,
        parent=tonle_basak,
    )
    serei_saophoan = LocationFactory.create(
        code="0106",
        name_en="Serei Saophoan",
        name_km="សិរីសោភ័ណ",
        level=LocationLevel.DISTRICT,
        parent=world.banteay_meanchey,
    )
    return Places(chamkar_mon, tonle_basak, village, serei_saophoan)


def _list(world: World, **params: Any) -> list[dict[str, Any]]:
    response = api_client(world.worker).get(LOCATIONS_URL, {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    results: list[dict[str, Any]] = body["results"]
    return results


def _codes(world: World, **params: Any) -> set[str]:
    return {location["code"] for location in _list(world, **params)}


# --- The provinces -----------------------------------------------------------------------------


def test_the_25_provinces_exist_after_the_migrations_with_english_and_khmer_names(
    world: World,
) -> None:
    provinces = list(Location.objects.filter(level=LocationLevel.PROVINCE).order_by("code"))

    assert [location.code for location in provinces] == [f"{n:02d}" for n in range(1, 26)]
    names = {location.code: (location.name_en, location.name_km) for location in provinces}
    assert names["01"] == ("Banteay Meanchey", "បន្ទាយមានជ័យ")
    assert names["12"] == ("Phnom Penh", "ភ្នំពេញ")
    assert names["17"] == ("Siem Reap", "សៀមរាប")
    assert names["25"] == ("Tboung Khmum", "ត្បូងឃ្មុំ")
    for location in provinces:
        assert location.name_km
        assert all(ord(character) in KHMER_BLOCK for character in location.name_km)
        assert (location.parent_id, location.path) == (None, f"{location.code}/")
    assert _codes(world, level=LocationLevel.PROVINCE) == set(names)


# --- Reading and filtering ---------------------------------------------------------------------


def test_filtering_by_code_returns_that_location(world: World, places: Places) -> None:
    [found] = _list(world, code="1201")

    assert found == {
        "id": places.chamkar_mon.pk,
        "code": "1201",
        "name_en": "Chamkar Mon",
        "name_km": "ចំការមន",
        "level": LocationLevel.DISTRICT,
        "parent": world.phnom_penh.pk,
        "path": "12/1201/",
    }
    assert _list(world, code="120") == []


def test_filtering_by_parent_returns_its_children_only(world: World, places: Places) -> None:
    children = _list(world, parent=world.phnom_penh.pk)

    assert {location["parent"] for location in children} == {world.phnom_penh.pk}
    assert {location["code"] for location in children} == set(
        Location.objects.filter(parent=world.phnom_penh).values_list("code", flat=True)
    )
    assert "1201" in {location["code"] for location in children}
    assert _codes(world, parent=places.tonle_basak.pk) == {"12010101"}


@pytest.mark.parametrize("level", LocationLevel.values)
def test_filtering_by_level_returns_that_level_only(
    world: World, places: Places, level: str
) -> None:
    found = _list(world, level=level)

    assert {location["level"] for location in found} == {level}
    assert {location["code"] for location in found} == set(
        Location.objects.filter(level=level).values_list("code", flat=True)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("chamkar", {"1201"}, id="English, any case"),
        pytest.param(" Tonle ", {"120101"}, id="English, spaces around"),
        pytest.param("ចំការ", {"1201"}, id="Khmer"),
        pytest.param("សោភ័ណ", {"0106"}, id="Khmer, part of the name"),
        pytest.param("1201", {"1201", "120101", "12010101"}, id="code prefix"),
        pytest.param("0106", {"0106"}, id="code prefix with a leading zero"),
    ],
)
def test_searching_matches_english_and_khmer_names_and_code_prefixes(
    world: World, places: Places, query: str, expected: set[str]
) -> None:
    assert _codes(world, q=query) == expected


def test_filters_combine(world: World, places: Places) -> None:
    assert _codes(world, parent=world.phnom_penh.pk, level=LocationLevel.DISTRICT, q="mon") == {
        "1201"
    }
    assert _codes(world, parent=world.banteay_meanchey.pk, q="chamkar") == set()


@pytest.mark.parametrize("params", [{"level": "hamlet"}, {"parent": "999999999"}])
def test_an_unknown_filter_value_is_a_bad_request(world: World, params: dict[str, str]) -> None:
    response = api_client(world.worker).get(LOCATIONS_URL, params)

    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_list_is_paginated_and_a_page_holds_at_most_200(world: World) -> None:
    commune = world.pp_commune
    Location.objects.bulk_create(
        LocationFactory.build(
            code=f"X{n:04d}",
            level=LocationLevel.VILLAGE,
            parent=commune,
            path=Location.path_for(parent=commune, code=f"X{n:04d}"),
        )
        for n in range(250)
    )
    client = api_client(world.worker)

    default = client.get(LOCATIONS_URL).json()
    capped = client.get(LOCATIONS_URL, {"page_size": 200}).json()
    refused = client.get(LOCATIONS_URL, {"page_size": 1000})

    assert set(default) == {"count", "next", "previous", "results"}
    assert default["count"] is None  # not counted before the last page
    assert len(default["results"]) == 50
    assert default["previous"] is None
    assert "page=2" in default["next"]
    assert set(default["results"][0]) == LOCATION_FIELDS
    assert len(capped["results"]) == 200
    assert capped["next"] is not None
    paths = [location["path"] for location in capped["results"]]
    assert paths == sorted(paths)
    last = client.get(capped["next"]).json()
    assert last["next"] is None
    assert last["count"] == Location.objects.count() == 200 + len(last["results"])
    assert client.get(LOCATIONS_URL, {"page": 9}).status_code == 404
    assert refused.status_code == 400  # more than a page holds is refused, not cut short
    assert list(refused.json()) == ["page_size"]


@pytest.mark.parametrize("page_size", [5, 200])
def test_the_list_runs_the_same_few_queries_whatever_the_page_size(
    world: World,
    places: Places,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    page_size: int,
) -> None:
    client = api_client(world.worker)

    with django_assert_max_num_queries(2):
        response = client.get(LOCATIONS_URL, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, Location.objects.count())


def test_a_location_is_read_by_its_id(world: World, places: Places) -> None:
    response = api_client(world.worker).get(f"{LOCATIONS_URL}{places.tonle_basak.pk}/")

    assert response.status_code == 200
    assert response.json()["path"] == "12/1201/120101/"
    assert response.json()["name_km"] == "ទន្លេបាសាក់"


def test_an_anonymous_request_is_unauthorised(world: World) -> None:
    count = Location.objects.count()

    listed = api_client().get(LOCATIONS_URL)
    created = api_client().post(LOCATIONS_URL, _new_district(world), format="json")

    assert listed.status_code == created.status_code == 401
    assert Location.objects.count() == count


# --- Creating ----------------------------------------------------------------------------------


def _new_district(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "code": "1299",
        "name_en": "Test district",
        "name_km": KHMER_NAME,
        "level": LocationLevel.DISTRICT,
        "parent": world.phnom_penh.pk,
    } | overrides


def test_a_system_admin_adds_a_location_and_its_khmer_name_round_trips(world: World) -> None:
    response = api_client(world.system_admin).post(
        LOCATIONS_URL, _new_district(world), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == LOCATION_FIELDS
    created = Location.objects.get(pk=body["id"])
    assert created.name_km.encode() == body["name_km"].encode() == KHMER_NAME.encode()
    assert (created.code, created.level, created.parent, created.path) == (
        "1299",
        LocationLevel.DISTRICT,
        world.phnom_penh,
        "12/1299/",
    )
    fetched = api_client(world.worker).get(f"{LOCATIONS_URL}{created.pk}/").json()
    assert fetched["name_km"].encode() == KHMER_NAME.encode()
    event = AuditEvent.objects.get(action="location.create", object_id=str(created.pk))
    assert event.actor_id == world.system_admin.pk


@pytest.mark.parametrize("persona", ["worker", "agency_admin", "dosvy_officer"])
def test_only_a_system_admin_adds_a_location(world: World, persona: str) -> None:
    count, events = Location.objects.count(), AuditEvent.objects.count()

    response = api_client(getattr(world, persona)).post(
        LOCATIONS_URL, _new_district(world), format="json"
    )

    assert response.status_code == 403
    assert Location.objects.count() == count
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"level": "hamlet"}, "level", id="unknown level"),
        pytest.param({"parent": None}, "parent", id="district without parent"),
        pytest.param(
            {"code": "129901", "level": LocationLevel.COMMUNE},
            "parent",
            id="commune whose parent is a province",
        ),
        pytest.param({"code": "12"}, "code", id="duplicate code"),
        pytest.param({"code": "12/99"}, "code", id="code with a slash"),
        pytest.param({"name_km": ""}, "name_km", id="no Khmer name"),
        pytest.param({"parent": 999999999}, "parent", id="unknown parent"),
    ],
)
def test_a_bad_location_is_refused_naming_the_field_and_nothing_is_saved(
    world: World, overrides: dict[str, Any], field: str
) -> None:
    count, events = Location.objects.count(), AuditEvent.objects.count()

    response = api_client(world.system_admin).post(
        LOCATIONS_URL, _new_district(world, **overrides), format="json"
    )

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert Location.objects.count() == count
    assert AuditEvent.objects.count() == events


def test_a_province_added_through_the_api_has_no_parent(world: World) -> None:
    client = api_client(world.system_admin)

    with_parent = client.post(
        LOCATIONS_URL,
        _new_district(world, code="99", level=LocationLevel.PROVINCE),
        format="json",
    )
    without = client.post(
        LOCATIONS_URL,
        _new_district(world, code="99", level=LocationLevel.PROVINCE, parent=None),
        format="json",
    )

    assert with_parent.status_code == 400
    assert list(with_parent.json()) == ["parent"]
    assert without.status_code == 201, without.content
    assert province("99").path == "99/"
