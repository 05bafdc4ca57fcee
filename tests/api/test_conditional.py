"""ETag and If-Match on editable objects: a stale edit is refused and changes nothing."""

from __future__ import annotations

from django.db import IntegrityError
from django.test import RequestFactory
from rest_framework.views import APIView

from core.api.exceptions import exception_handler
from tests.conftest import World, api_client


def test_user_detail_carries_an_etag_that_changes_with_the_user(world: World) -> None:
    client = api_client(world.system_admin)
    first = client.get(f"/api/v1/users/{world.worker.pk}/")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert client.get(f"/api/v1/users/{world.worker.pk}/").headers["ETag"] == etag

    updated = client.patch(
        f"/api/v1/users/{world.worker.pk}/",
        {"full_name": "Chea Sreymom"},
        headers={"If-Match": etag},
    )
    assert updated.status_code == 200, updated.content
    assert updated.headers["ETag"] != etag
    assert (
        updated.headers["ETag"] == client.get(f"/api/v1/users/{world.worker.pk}/").headers["ETag"]
    )


def test_a_stale_if_match_is_refused_with_412_and_nothing_changes(world: World) -> None:
    client = api_client(world.system_admin)
    stale = client.get(f"/api/v1/users/{world.worker.pk}/").headers["ETag"]
    assert (
        client.patch(
            f"/api/v1/users/{world.worker.pk}/",
            {"full_name": "First edit"},
            headers={"If-Match": stale},
        ).status_code
        == 200
    )

    second = client.patch(
        f"/api/v1/users/{world.worker.pk}/",
        {"full_name": "Second edit"},
        headers={"If-Match": stale},
    )
    assert second.status_code == 412
    world.worker.refresh_from_db()
    assert world.worker.full_name == "First edit"


def test_the_etag_names_the_object_and_its_version(world: World) -> None:
    client = api_client(world.system_admin)
    user_url = f"/api/v1/users/{world.worker.pk}/"
    agency_url = f"/api/v1/agencies/{world.ngo.pk}/"
    assert client.get(user_url).headers["ETag"] == f'"{world.worker.pk}-1"'
    assert client.get(agency_url).headers["ETag"] == f'"{world.ngo.pk}-1"'

    user = client.patch(user_url, {"email": "sreymom@example.org"}, headers={"If-Match": "*"})
    agency = client.patch(agency_url, {"requires_referral_approval": True})
    assert user.headers["ETag"] == f'"{world.worker.pk}-2"'
    assert agency.headers["ETag"] == f'"{world.ngo.pk}-2"'


def test_the_etag_of_another_user_does_not_match(world: World) -> None:
    client = api_client(world.system_admin)
    teammates = client.get(f"/api/v1/users/{world.teammate.pk}/").headers["ETag"]
    response = client.patch(
        f"/api/v1/users/{world.worker.pk}/",
        {"full_name": "Wrong person"},
        headers={"If-Match": teammates},
    )
    assert response.status_code == 412
    world.worker.refresh_from_db()
    assert world.worker.full_name != "Wrong person"


def test_an_edit_that_changes_nothing_keeps_the_etag(world: World) -> None:
    client = api_client(world.system_admin)
    etag = client.get(f"/api/v1/users/{world.worker.pk}/").headers["ETag"]
    response = client.patch(
        f"/api/v1/users/{world.worker.pk}/",
        {"full_name": world.worker.full_name},
        headers={"If-Match": etag},
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == etag


def test_choosing_ones_language_changes_ones_etag(world: World) -> None:
    url = f"/api/v1/users/{world.worker.pk}/"
    etag = api_client(world.worker).get(url).headers["ETag"]
    assert (
        api_client(world.worker)
        .patch("/api/v1/users/me/", {"preferred_language": "km"})
        .status_code
        == 200
    )
    stale = api_client(world.system_admin).patch(
        url, {"full_name": "Read before"}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert api_client(world.worker).get(url).headers["ETag"] != etag


def test_an_edit_without_if_match_is_accepted(world: World) -> None:
    response = api_client(world.system_admin).patch(
        f"/api/v1/agencies/{world.ngo.pk}/", {"name": "Hope Shelter Cambodia"}
    )
    assert response.status_code == 200
    assert "ETag" in response.headers


def test_agency_edits_honour_if_match(world: World) -> None:
    client = api_client(world.system_admin)
    etag = client.get(f"/api/v1/agencies/{world.ngo.pk}/").headers["ETag"]
    edited = client.patch(
        f"/api/v1/agencies/{world.ngo.pk}/", {"services": ["shelter"]}, headers={"If-Match": etag}
    )
    assert edited.status_code == 200
    assert edited.headers["ETag"] != etag
    assert edited.headers["ETag"] == client.get(f"/api/v1/agencies/{world.ngo.pk}/").headers["ETag"]
    stale = client.patch(
        f"/api/v1/agencies/{world.ngo.pk}/", {"services": ["medical"]}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert client.get(f"/api/v1/agencies/{world.ngo.pk}/").json()["services"] == ["shelter"]


def test_a_unique_clash_from_a_concurrent_write_answers_409_not_500() -> None:
    request = RequestFactory().post("/api/v1/users/")
    response = exception_handler(
        IntegrityError("duplicate key"), {"view": APIView(), "request": request}
    )
    assert response is not None
    assert response.status_code == 409
