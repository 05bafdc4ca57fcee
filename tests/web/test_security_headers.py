"""Case pages and API answers stay out of browser and proxy caches (``Cache-Control: no-store``),
and pages carry the strict Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import World, api_client
from tests.web.conftest import signed_in

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def _not_stored(response: Any) -> bool:
    directives = {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}
    return "no-store" in directives and response.headers.get("Pragma") == "no-cache"


def test_a_case_file_and_its_print_page_are_not_stored_and_carry_the_policy(
    world: World,
) -> None:
    client = signed_in(world.worker)
    for address in (f"/cases/{world.own_case.pk}/", f"/cases/{world.own_case.pk}/print/"):
        response = client.get(address)

        assert response.status_code == 200, address
        assert _not_stored(response), address
        assert response.headers["Content-Security-Policy"] == POLICY, address


def test_a_case_api_answer_is_not_stored(world: World) -> None:
    response = api_client(world.worker).get(f"/api/v1/cases/{world.own_case.pk}/")

    assert response.status_code == 200
    assert _not_stored(response)
    assert response.headers["ETag"]  # If-Match still works with what was read


def test_an_api_answer_to_nobody_signed_in_is_not_stored_either(db: None) -> None:
    response = api_client().get("/api/v1/cases/")

    assert response.status_code == 401
    assert _not_stored(response)


def test_the_sign_in_page_carries_the_policy(db: None) -> None:
    response = Client().get("/accounts/login/")

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == POLICY
