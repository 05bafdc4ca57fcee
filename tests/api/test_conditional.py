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


def test_an_edit_without_if_match_is_accepted(world: World) -> None:
    response = api_client(world.system_admin).patch(
        f"/api/v1/agencies/{world.ngo.pk}/", {"name": "Hope Shelter Cambodia"}
    )
    assert response.status_code == 200
    assert "ETag" in response.headers


def test_agency_edits_honour_if_match(world: World) -> None:
    client = api_client(world.system_admin)
    etag = client.get(f"/api/v1/agencies/{world.ngo.pk}/").headers["ETag"]
    assert (
        client.patch(
            f"/api/v1/agencies/{world.ngo.pk}/",
            {"services": ["shelter"]},
            headers={"If-Match": etag},
        ).status_code
        == 200
    )
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
