"""The service directory: who offers all the services asked and covers the child's place, nearest
first; in a fixed number of queries, through the API and on its page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.choices import AgencyType, LocationLevel
from accounts.models import Agency, AgencyService, Location
from referrals.directory import NATIONAL, agencies_for, ancestor_paths
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, LocationFactory

URL = "/api/v1/service-directory/"


def _agency(
    name: str,
    services: Sequence[str],
    coverage: Sequence[Location] = (),
    *,
    is_active: bool = True,
    location: Location | None = None,
) -> Agency:
    agency = AgencyFactory.create(
        name=name, type=AgencyType.NGO, is_active=is_active, location=location
    )
    AgencyService.objects.bulk_create(
        [AgencyService(agency=agency, service_id=code) for code in services]
    )
    agency.coverage.set(coverage)
    return agency


def _chain(village: Location) -> tuple[Location, Location, Location, Location]:
    """Province, district, commune and village of ``village``."""
    commune = village.parent
    assert commune is not None
    district = commune.parent
    assert district is not None
    province = district.parent
    assert province is not None
    return province, district, commune, village


@pytest.fixture
def directory(world: World) -> dict[str, Agency]:
    """An agency at each coverage level around the world's Phnom Penh village, a national one,
    and some that must not be listed for shelter and psychosocial support there."""
    province, district, commune, village = _chain(world.pp_village)
    elsewhere = LocationFactory.village_in(world.phnom_penh)
    both = ["shelter", "psychosocial"]
    return {
        "village": _agency("Village Haven", [*both, "medical"], [village]),
        "commune": _agency("Commune Care", both, [commune, elsewhere]),
        "district": _agency("District Home", both, [district]),
        # Two matching entries: the nearer one (district) is the one reported.
        "province": _agency("Banyan Shelter", both, [province]),
        "province_too": _agency("Angkor Shelter", both, [province, district]),
        "national": _agency("National Refuge", both, []),
        "other_province": _agency("Sisophon Shelter", both, [world.banteay_meanchey]),
        "other_village": _agency("Next Village House", both, [elsewhere]),
        "inactive": _agency("Closed Shelter", both, [province], is_active=False),
        "shelter_only": _agency("Only Beds", ["shelter"], [village]),
    }


def test_ancestor_paths_run_from_the_province_down() -> None:
    assert ancestor_paths("12/1201/120101/") == ["12/", "12/1201/", "12/1201/120101/"]
    assert ancestor_paths("12/") == ["12/"]


def test_lists_who_offers_every_service_and_covers_the_place_nearest_first(
    world: World, directory: dict[str, Agency]
) -> None:
    province, district, commune, village = _chain(world.pp_village)

    entries = agencies_for(services=["shelter", "psychosocial"], location=village)

    assert [(entry.agency.name, entry.level) for entry in entries] == [
        ("Village Haven", LocationLevel.VILLAGE),
        ("Commune Care", LocationLevel.COMMUNE),
        ("Angkor Shelter", LocationLevel.DISTRICT),
        ("District Home", LocationLevel.DISTRICT),
        ("Banyan Shelter", LocationLevel.PROVINCE),
        ("National Refuge", NATIONAL),
    ]
    covers = {entry.agency.name: entry.covers for entry in entries}
    assert covers["Village Haven"] == village
    assert covers["Commune Care"] == commune
    assert covers["Angkor Shelter"] == district
    assert covers["Banyan Shelter"] == province
    assert covers["National Refuge"] is None
    assert entries[0].services == ["medical", "psychosocial", "shelter"]


def test_a_place_higher_up_matches_only_coverage_at_or_above_it(
    world: World, directory: dict[str, Agency]
) -> None:
    _province, district, _commune, _village = _chain(world.pp_village)

    names = [e.agency.name for e in agencies_for(services=["shelter"], location=district)]

    # The village and commune agencies cover less than the whole district.
    assert names == ["Angkor Shelter", "District Home", "Banyan Shelter", "National Refuge"]


def test_without_a_place_every_agency_offering_the_services_is_listed(
    world: World, directory: dict[str, Agency]
) -> None:
    entries = agencies_for(services=["shelter", "psychosocial"], location=None)

    assert [entry.agency.name for entry in entries] == sorted(
        agency.name for key, agency in directory.items() if key not in {"inactive", "shelter_only"}
    )
    levels = {entry.agency.name: entry.level for entry in entries}
    assert levels["National Refuge"] == NATIONAL
    assert levels["Village Haven"] is None


def test_the_answer_takes_two_queries_whatever_the_number_of_agencies(
    world: World, directory: dict[str, Agency], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        few = agencies_for(services=["shelter", "psychosocial"], location=world.pp_village)
    for number in range(10):
        _agency(
            f"More Shelter {number}", ["shelter", "psychosocial", "medical"], [world.phnom_penh]
        )
    with django_assert_num_queries(2):
        many = agencies_for(services=["shelter", "psychosocial"], location=world.pp_village)
    assert len(many) == len(few) + 10


# --- API ---------------------------------------------------------------------------------------


def test_api_answers_any_signed_in_user_with_the_entries(
    world: World, directory: dict[str, Agency]
) -> None:
    response = api_client(world.commune_member).get(
        URL, {"services": "shelter,psychosocial", "location": str(world.pp_village.pk)}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    first = body["results"][0]
    village = world.pp_village
    assert first == {
        "agency": {
            "id": directory["village"].pk,
            "name": "Village Haven",
            "type": "ngo",
            "location": None,
        },
        "services": ["medical", "psychosocial", "shelter"],
        "covers": {
            "id": village.pk,
            "code": village.code,
            "name_en": village.name_en,
            "name_km": village.name_km,
            "level": "village",
        },
        "level": "village",
    }
    last = body["results"][-1]
    assert last["agency"]["name"] == "National Refuge"
    assert last["covers"] is None
    assert last["level"] == "national"


def test_api_pages_the_entries(world: World, directory: dict[str, Agency]) -> None:
    response = api_client(world.worker).get(
        URL,
        {
            "services": "shelter,psychosocial",
            "location": str(world.pp_village.pk),
            "page_size": "2",
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert [entry["agency"]["name"] for entry in body["results"]] == [
        "Village Haven",
        "Commune Care",
    ]
    assert body["next"] is not None
    assert body["count"] is None  # counted on the last page
    last = api_client(world.worker).get(body["next"].replace("page=2", "page=3")).json()
    assert last["next"] is None
    assert last["count"] == 6


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"services": "shelter,teleportation"}, "services"),
        ({"services": "shelter", "location": "999999"}, "location"),
        ({"services": "shelter", "location": "north"}, "location"),
    ],
)
def test_api_refuses_unknown_services_and_places(
    world: World, params: dict[str, str], field: str
) -> None:
    response = api_client(world.worker).get(URL, params)

    assert response.status_code == 400
    assert field in response.json()


def test_api_needs_a_signed_in_user(world: World) -> None:
    assert api_client().get(URL, {"services": "shelter"}).status_code in {401, 403}


def test_api_query_count_does_not_grow_with_the_agencies(
    world: World, directory: dict[str, Agency]
) -> None:
    client = api_client(world.worker)
    params = {"services": "shelter,psychosocial", "location": str(world.pp_village.pk)}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, params).status_code == 200
        return len(queries)

    before = count()
    for number in range(10):
        _agency(f"More Shelter {number}", ["shelter", "psychosocial"], [world.pp_commune])
    assert count() == before


# --- The page ----------------------------------------------------------------------------------


def _page(world: World, params: dict[str, Any] | None = None, language: str = "en") -> Any:
    client = Client()
    client.force_login(world.worker)
    return client.get("/referrals/directory/", params or {}, headers={"accept-language": language})


def test_page_shows_the_form_then_the_agencies_found(
    world: World, directory: dict[str, Agency]
) -> None:
    empty = _page(world)
    assert empty.status_code == 200
    assert b'name="services"' in empty.content
    assert b"Village Haven" not in empty.content

    found = _page(world, {"services": ["shelter", "psychosocial"], "code": world.pp_village.code})

    html = found.content.decode()
    assert found.status_code == 200
    assert html.index("Village Haven") < html.index("Commune Care") < html.index("National Refuge")
    assert "Sisophon Shelter" not in html
    assert "Only Beds" not in html
    assert "Psychosocial support" in html


def test_page_searches_by_province(world: World, directory: dict[str, Agency]) -> None:
    found = _page(world, {"services": "shelter", "province": world.banteay_meanchey.pk})

    html = found.content.decode()
    assert "Sisophon Shelter" in html
    assert "Village Haven" not in html
    assert "National Refuge" in html


def test_page_speaks_khmer_to_khmer_readers(world: World, directory: dict[str, Agency]) -> None:
    found = _page(world, {"services": "shelter"}, language="km")

    assert "ជម្រកសុវត្ថិភាព" in found.content.decode()


def test_page_says_when_a_code_is_unknown(world: World) -> None:
    answer = _page(world, {"services": "shelter", "code": "NOWHERE"})

    assert answer.status_code == 200
    assert 'aria-invalid="true"' in answer.content.decode()


def test_page_needs_a_signed_in_user(world: World) -> None:
    answer = Client().get("/referrals/directory/")

    assert answer.status_code == 302
    assert "/accounts/login/" in answer["Location"]
