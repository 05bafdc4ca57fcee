"""The schema declares each operation's refusals and headers (core.api.schema): what the views'
code does is what the schema says, and real refusals are what their declared schema says."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import EndpointEnumerator

from core.models import IdempotencyKey
from tests.api.schema_check import JSON, check_answer, openapi_document
from tests.conftest import World, api_client
from tests.factories import PASSWORD

Operation = dict[str, Any]
SUCCESS = {"200", "201", "202", "204"}


def _operations() -> Iterator[tuple[str, str, Operation]]:
    for path, methods in openapi_document()["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _handlers() -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """Each operation's path and method with the view method that answers it."""
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        name = getattr(callback, "actions", {}).get(method.lower(), method.lower())
        # The schema names a primary key "id", as the client sees it.
        yield path.replace("{pk}", "{id}"), method.lower(), getattr(callback.cls, name)


def _reads(pattern: str) -> set[tuple[str, str]]:
    """The operations whose view method's own code matches ``pattern``."""
    return {
        (path, method)
        for path, method, handler in _handlers()
        if re.search(pattern, inspect.getsource(handler))
    }


def _request_headers(operation: Operation) -> dict[str, Operation]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}


def _success(operation: Operation) -> Operation:
    (code,) = set(operation["responses"]) & SUCCESS
    return dict(operation["responses"][code])


def _intake(world: World, **names: str) -> dict[str, Any]:
    child = {"sex": "female", "estimated_age": 12, "location": world.pp_village.pk, **names}
    return {"child": child, "concerns": ["neglect"], "source": "community"}


def _declared(path: str, method: str) -> Operation:
    return dict(openapi_document()["paths"][path][method])


# --- What each operation declares ---------------------------------------------------------------


def test_every_operation_whose_path_names_an_object_declares_404() -> None:
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in _operations()
        if "{" in path and "404" not in operation["responses"]
    ]
    assert not missing


def test_every_operation_takes_a_request_id_and_every_answer_sends_one() -> None:
    for path, method, operation in _operations():
        assert not _request_headers(operation)["X-Request-ID"].get("required"), (path, method)
        for code, response in operation["responses"].items():
            assert response["headers"]["X-Request-ID"]["required"], (path, method, code)


def test_every_operation_that_reads_if_match_declares_it_its_412_and_the_new_etag() -> None:
    honoured = _reads(r"expected_version\(\s*request")
    declaring = {
        (path, method)
        for path, method, operation in _operations()
        if "If-Match" in _request_headers(operation)
    }
    assert honoured == declaring
    # The PATCH of cases, plans, service records, users, agencies and webhooks, and the case
    # and plan actions.
    assert len(honoured) == 15
    for path, method in honoured:
        operation = _declared(path, method)
        assert "412" in operation["responses"], path
        assert "ETag" in _success(operation)["headers"], path


def test_every_view_method_that_sends_an_etag_declares_it() -> None:
    for path, method in _reads(r"etag\("):
        assert "ETag" in _success(_declared(path, method))["headers"], (path, method)


def test_every_idempotent_creation_declares_its_key_the_replay_and_the_wait() -> None:
    idempotent = _reads(r"idempotent\(\s*request")
    declaring = {
        (path, method)
        for path, method, operation in _operations()
        if "Idempotency-Key" in _request_headers(operation)
    }
    assert idempotent == declaring
    assert {path for path, _method in idempotent} == {
        "/api/v1/cases/",
        "/api/v1/referrals/",
        "/api/v1/cases/{case_id}/risk-assessments/",
        "/api/v1/follow-ups/{id}/complete/",
        "/api/v1/calls/",
        "/api/v1/concern-reports/",
    }
    for path, method in idempotent:
        operation = _declared(path, method)
        assert _request_headers(operation)["Idempotency-Key"]["schema"]["maxLength"] == 255
        assert "Idempotent-Replayed" in _success(operation)["headers"]
        assert "Retry-After" in operation["responses"]["409"]["headers"]


def test_signing_in_declares_the_lockout_and_everything_else_declares_401() -> None:
    for path, _method, operation in _operations():
        responses = operation["responses"]
        if path == "/api/v1/auth/token/":
            assert "401" not in responses
            assert responses["429"]["headers"]["Retry-After"]["required"]
        else:
            assert "401" in responses, path
            assert "WWW-Authenticate" in responses["401"]["headers"]
            assert "429" not in responses, path


# The one body that is not JSON: a document's file, uploaded as a form (docs/api.md, "Documents").
MULTIPART_BODIES = {
    ("/api/v1/cases/{case_id}/documents/", "post"),
    ("/api/v1/imports/", "post"),
}


def test_every_request_body_declares_400_and_415() -> None:
    for path, method, operation in _operations():
        if "requestBody" in operation:
            media = "multipart/form-data" if (path, method) in MULTIPART_BODIES else JSON
            assert list(operation["requestBody"]["content"]) == [media], path
            assert {"400", "415"} <= set(operation["responses"]), (path, method)


def test_refusals_share_the_error_components() -> None:
    components = openapi_document()["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    assert "additionalProperties" in components["ValidationError"]
    for path, method, operation in _operations():
        for code, response in operation["responses"].items():
            if code in SUCCESS:
                continue
            schema = response["content"]["application/json"]["schema"]
            expected = (
                {
                    "oneOf": [
                        {"$ref": f"#/components/schemas/{name}"}
                        for name in ("ValidationError", "Error")
                    ]
                }
                if code == "400"
                else {"$ref": "#/components/schemas/Error"}
            )
            assert schema == expected, (path, method, code)


def test_page_size_is_declared_with_its_bounds() -> None:
    pages = [
        {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
        for _path, _method, operation in _operations()
    ]
    paginated = [query for query in pages if "page" in query]
    assert len(paginated) > 10
    for query in paginated:
        assert query["page"] == {"type": "integer", "minimum": 1}
        assert query["page_size"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 200,
            "default": 50,
        }


# --- Real refusals are what the schema says ------------------------------------------------------


@pytest.mark.parametrize("size", ["0", "201", "ten", "", "1.5", "-3"])
def test_a_page_size_out_of_bounds_is_refused_on_the_field(world: World, size: str) -> None:
    response = api_client(world.worker).get("/api/v1/cases/", {"page_size": size})

    assert response.status_code == 400
    assert list(check_answer(response)) == ["page_size"]


@pytest.mark.parametrize("size", [1, 200])
def test_a_page_size_within_bounds_gives_that_many_rows_at_most(world: World, size: int) -> None:
    response = api_client(world.worker).get("/api/v1/locations/", {"page_size": size})

    assert response.status_code == 200
    assert len(check_answer(response)["results"]) == min(size, response.json()["count"] or size)


def test_a_missing_case_is_a_declared_404(world: World) -> None:
    response = api_client(world.worker).get(f"/api/v1/cases/{world.other_agency_case.pk}/")

    assert response.status_code == 404
    assert set(check_answer(response)) == {"detail"}
    assert response["X-Request-ID"]


def test_an_address_under_the_api_that_names_nothing_is_a_json_404(world: World) -> None:
    response = api_client(world.worker).get("/api/v1/cases/1/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert Client().get("/nothing-here/")["Content-Type"].startswith("text/html")


def test_field_errors_and_nested_ones_are_a_declared_400(world: World) -> None:
    response = api_client(world.worker).post(
        "/api/v1/cases/",
        {"child": {"sex": "dragon"}, "family": [{}, {"relation": 7}], "concerns": []},
        format="json",
    )

    assert response.status_code == 400
    body = check_answer(response)
    assert isinstance(body["child"]["sex"][0], str)
    assert body["family"]["1"]["relation"]  # a list's errors, by the item's position
    assert all(isinstance(message, str) for message in body["concerns"])


def test_an_unreadable_body_is_a_declared_400_of_the_error_shape(world: World) -> None:
    response = api_client(world.worker).post(
        "/api/v1/cases/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert set(check_answer(response)) == {"detail"}


def test_a_form_body_is_a_declared_415(world: World) -> None:
    response = api_client(world.worker).post(
        "/api/v1/cases/", {"source": "police"}, format="multipart"
    )

    assert response.status_code == 415
    check_answer(response)


def test_a_stale_if_match_is_a_declared_412(world: World) -> None:
    case = world.own_case
    response = api_client(world.worker).patch(
        f"/api/v1/cases/{case.pk}/",
        {"summary": "Moved in with her aunt."},
        format="json",
        headers={"If-Match": f'"{case.pk}-{case.version + 1}"'},
    )

    assert response.status_code == 412
    assert set(check_answer(response)) == {"detail"}


def test_a_state_conflict_is_a_declared_409(world: World) -> None:
    response = api_client(world.worker).post(
        f"/api/v1/cases/{world.own_case.pk}/reopen/", {"reason": "New facts."}, format="json"
    )

    assert response.status_code == 409
    check_answer(response)


def test_a_retry_while_the_first_is_processed_is_a_declared_409_with_retry_after(
    world: World,
) -> None:
    client = api_client(world.worker)
    intake = _intake(world, given_name_km="ស្រីលក្ខណ៍", family_name_km="មាស")
    key = {"Idempotency-Key": "intake-1"}
    assert client.post("/api/v1/cases/", intake, format="json", headers=key).status_code == 201
    # As the claim stands while its creation runs: claimed, no answer yet.
    IdempotencyKey.objects.filter(key="intake-1").update(status_code=0, response={})

    retry = client.post("/api/v1/cases/", intake, format="json", headers=key)

    assert retry.status_code == 409
    assert int(retry["Retry-After"]) > 0
    check_answer(retry)


def test_a_replayed_creation_says_so_in_a_declared_header(world: World) -> None:
    client = api_client(world.worker)
    intake = _intake(world, given_name="Dara", family_name="Sok")
    key = {"Idempotency-Key": "intake-2"}
    first = client.post("/api/v1/cases/", intake, format="json", headers=key)
    replayed = client.post("/api/v1/cases/", intake, format="json", headers=key)

    assert "Idempotent-Replayed" not in first
    assert (replayed.status_code, replayed["Idempotent-Replayed"]) == (201, "true")
    assert check_answer(replayed)["id"] == first.json()["id"]


def test_no_credentials_is_a_declared_401(db: None) -> None:
    response = api_client().get("/api/v1/cases/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    check_answer(response)


def test_a_role_refused_is_a_declared_403(world: World) -> None:
    response = api_client(world.worker).get("/api/v1/users/")

    assert response.status_code == 403
    check_answer(response)


def test_the_account_lockout_is_a_declared_429(world: World) -> None:
    client = api_client()
    for _attempt in range(10):
        client.post(
            "/api/v1/auth/token/", {"username": "worker", "password": "wrong"}, format="json"
        )

    response = client.post(
        "/api/v1/auth/token/", {"username": "worker", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 429
    assert check_answer(response)["code"] == "account_locked"
    assert int(response["Retry-After"]) > 0
