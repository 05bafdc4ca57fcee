"""Input no client should send (a page number past any list, a NUL in a code, JSON nested a
thousand deep, an id that is not a number) is refused with a clear 400 or 404 in the API's error
shape, never answered with a server error."""

from __future__ import annotations

import json

import pytest
from django.core.paginator import EmptyPage

from accounts.models import Agency, Location
from core.api.parsers import MAX_JSON_DEPTH
from core.pagination import LookAheadPaginator
from tests.conftest import World, api_client

HUGE_PAGE = 2**62
LISTS = [
    "/api/v1/cases/",
    "/api/v1/referrals/",
    "/api/v1/users/",
    "/api/v1/agencies/",
    "/api/v1/locations/",
    "/api/v1/follow-ups/",
    "/api/v1/notifications/",
]


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- Page numbers -------------------------------------------------------------------------------


def test_a_page_number_past_any_list_is_a_page_that_does_not_exist(world: World) -> None:
    paginator = LookAheadPaginator(Location.objects.order_by("path"), 50)

    with pytest.raises(EmptyPage):
        paginator.page(HUGE_PAGE)
    assert paginator.get_page(HUGE_PAGE).number == 1


@pytest.mark.parametrize("url", LISTS)
def test_a_huge_page_number_on_a_list_is_not_found(world: World, url: str) -> None:
    reader = world.agency_admin if url == "/api/v1/users/" else world.dosvy_officer
    response = api_client(reader).get(url, {"page": HUGE_PAGE})

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Invalid page."}


# --- NUL characters -----------------------------------------------------------------------------


def test_a_nul_in_a_service_code_of_a_referral_is_refused(world: World) -> None:
    response = api_client(world.worker).post(
        "/api/v1/referrals/",
        {"case": world.own_case.pk, "to_agency": world.other_ngo.pk, "services": ["shel\x00ter"]},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["detail"]


def test_a_nul_in_an_agencys_services_is_refused_and_an_escaped_backslash_is_not_one(
    world: World,
) -> None:
    client = api_client(world.system_admin)
    response = client.post(
        "/api/v1/agencies/",
        {"name": "New Shelter", "type": "ngo", "services": ["\x00"]},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["detail"]
    # "\\u0000" in JSON is a backslash followed by "u0000": text, not a NUL.
    body = json.dumps({"name": "Literal \\u0000 in a name", "type": "ngo"})
    response = client.post("/api/v1/agencies/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Literal \\u0000 in a name"


def test_a_nul_in_the_service_of_a_case_service_is_refused(world: World) -> None:
    response = api_client(world.worker).post(
        f"/api/v1/cases/{world.own_case.pk}/services/",
        {"service": "coun\x00selling", "status": "planned"},
        format="json",
    )

    assert response.status_code == 400, response.content


def test_a_nul_in_a_json_string_is_refused(world: World) -> None:
    response = api_client(world.system_admin).post(
        "/api/v1/agencies/", {"name": "New Shelter", "type": "ngo", "services": "\x00"}
    )

    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize("encoding", ["multipart", "form"])
def test_the_api_reads_json_only(world: World, encoding: str) -> None:
    """One content type per request body, so what a generated client sends is what is read."""
    client = api_client(world.system_admin)
    body = {"name": "New Shelter", "type": "ngo"}
    if encoding == "multipart":
        response = client.post("/api/v1/agencies/", body, format="multipart")
    else:
        response = client.post(
            "/api/v1/agencies/",
            "name=New+Shelter&type=ngo",
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 415, response.content
    assert not Agency.objects.filter(name="New Shelter").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/service-directory/?service=\x00",
        "/api/v1/locations/?code=\x00",
        "/api/v1/cases/?concern=\x00",
        "/api/v1/agencies/?type=ngo\x00",
    ],
)
def test_a_nul_in_a_query_parameter_is_refused(world: World, url: str) -> None:
    response = api_client(world.worker).get(url)

    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["detail"]


# --- Deep JSON ----------------------------------------------------------------------------------


def test_json_nested_a_thousand_deep_is_refused_before_sign_in(db: None) -> None:
    response = api_client().post(
        "/api/v1/auth/token/", _nested(1000), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert f"{MAX_JSON_DEPTH} levels" in response.json()["detail"]
    # Just within the limit (brackets inside strings do not count): parsed, then validated.
    body = '{"username": ' + _nested(MAX_JSON_DEPTH - 1) + ', "password": "[[[[{{{{"}'
    response = api_client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "username" in response.json()


def test_json_nested_a_thousand_deep_inside_an_object_is_refused(world: World) -> None:
    body = '{"summary": ' + _nested(1000) + "}"

    response = api_client(world.worker).patch(
        f"/api/v1/cases/{world.own_case.pk}/", body, content_type="application/json"
    )

    assert response.status_code == 400, response.content


# --- Ids in paths -------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", ["users", "agencies"])
@pytest.mark.parametrize("bad_id", ["abc", "%C2%B2", "9" * 5000])
def test_an_id_that_is_not_a_number_is_not_found(
    world: World, collection: str, bad_id: str
) -> None:
    client = api_client(world.system_admin)

    assert client.get(f"/api/v1/{collection}/{bad_id}/").status_code == 404
    response = client.patch(f"/api/v1/{collection}/{bad_id}/", {}, format="json")
    assert response.status_code == 404, response.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/%C2%B2/",
        "/api/v1/referrals/" + "9" * 5000 + "/",
    ],
)
def test_a_superscript_or_overlong_id_is_not_found(world: World, url: str) -> None:
    assert api_client(world.worker).get(url).status_code == 404
