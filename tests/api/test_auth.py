"""Signing in to the API: bearer tokens, the shared account lockout, browser sessions."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Agency, ApiToken, User
from tests.conftest import World, api_client
from tests.factories import PASSWORD

if TYPE_CHECKING:
    # The test client's response type exists only in the type stubs.
    from rest_framework.response import _MonkeyPatchedResponse as Response

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
ME_URL = "/api/v1/users/me/"
FAILURE_LIMIT = 10


def _request_token(username: str, password: str = PASSWORD) -> Response:
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


def _token_for(user: User) -> str:
    response = _request_token(user.username)
    assert response.status_code == 200, response.content
    token: str = response.json()["token"]
    return token


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _fail_to_sign_in(username: str, times: int) -> None:
    for _attempt in range(times):
        _request_token(username, "not the password")


# --- Tokens ------------------------------------------------------------------------------------


def test_right_credentials_give_a_token_that_signs_in_as_bearer(world: World) -> None:
    response = _request_token("worker")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {"token", "expires_at"}
    assert datetime.fromisoformat(body["expires_at"]) > timezone.now()
    me = _bearer(body["token"]).get(ME_URL)
    assert me.status_code == 200, me.content
    assert me.json()["username"] == "worker"


def test_a_token_is_stored_only_as_its_hash(world: World) -> None:
    token = _token_for(world.worker)

    record = ApiToken.objects.get(user=world.worker)
    assert record.key_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for row in ApiToken.objects.values() for value in row.values()]
    assert not any(token in value for value in stored)


def test_a_wrong_password_gives_an_error_and_no_token(world: World) -> None:
    response = _request_token("worker", "not the password")

    assert response.status_code == 400
    assert "token" not in response.json()
    assert response.json()["non_field_errors"]
    assert not ApiToken.objects.exists()


def test_an_unknown_username_gives_the_same_error_as_a_wrong_password(world: World) -> None:
    unknown = _request_token("nobody", "not the password")
    wrong = _request_token("worker", "not the password")

    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()


def test_a_token_request_without_a_password_names_the_field(world: World) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "worker"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()


def test_an_expired_token_is_refused(world: World) -> None:
    token = _token_for(world.worker)
    ApiToken.objects.filter(user=world.worker).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert _bearer(token).get(ME_URL).status_code == 401


def test_a_revoked_token_is_refused(world: World) -> None:
    token = _token_for(world.worker)
    client = _bearer(token)

    assert client.post(REVOKE_URL).status_code == 204
    assert client.get(ME_URL).status_code == 401
    assert ApiToken.objects.get(user=world.worker).revoked_at is not None


def test_revoking_one_token_leaves_the_users_other_tokens_working(world: World) -> None:
    first, second = _token_for(world.worker), _token_for(world.worker)

    assert _bearer(first).post(REVOKE_URL).status_code == 204
    assert _bearer(second).get(ME_URL).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer not-a-token",
        "Bearer two parts",
        "Bearer cpims_0000000000000000000000000000000000000000000",
        "Bearer \u00e9\u00e8",
    ],
)
def test_a_garbage_bearer_header_is_refused(world: World, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(ME_URL)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_users_token_is_refused(world: World) -> None:
    token = _token_for(world.worker)
    User.objects.filter(pk=world.worker.pk).update(is_active=False)

    assert _bearer(token).get(ME_URL).status_code == 401


def test_a_deactivated_user_gets_no_token(world: World) -> None:
    User.objects.filter(pk=world.worker.pk).update(is_active=False)

    assert _request_token("worker").status_code == 400


def test_a_password_change_revokes_the_users_tokens(world: World) -> None:
    token = _token_for(world.worker)
    admin = _bearer(_token_for(world.agency_admin))

    response = admin.patch(
        f"/api/v1/users/{world.worker.pk}/", {"password": "a brand new passphrase"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert _bearer(token).get(ME_URL).status_code == 401
    assert _request_token("worker", "a brand new passphrase").status_code == 200


def test_deactivating_a_user_revokes_their_tokens(world: World) -> None:
    token = _token_for(world.worker)
    admin = _bearer(_token_for(world.agency_admin))

    response = admin.patch(f"/api/v1/users/{world.worker.pk}/", {"is_active": False}, format="json")

    assert response.status_code == 200, response.content
    assert not ApiToken.objects.filter(user=world.worker, revoked_at__isnull=True).exists()
    assert _bearer(token).get(ME_URL).status_code == 401


def test_revoking_needs_a_bearer_token(world: World) -> None:
    client = APIClient()
    client.force_login(world.worker)

    assert client.post(REVOKE_URL).status_code == 403


# --- Lockout -----------------------------------------------------------------------------------


def test_ten_failed_token_requests_lock_the_account_even_for_the_right_password(
    world: World,
) -> None:
    for attempt in range(FAILURE_LIMIT - 1):
        assert _request_token("worker", "not the password").status_code == 400, attempt
    assert _request_token("worker", "not the password").status_code == 429

    response = _request_token("worker", PASSWORD)

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "account_locked"
    assert "locked" in body["detail"]
    assert "token" not in body
    assert int(response.headers["Retry-After"]) > 0
    assert not ApiToken.objects.filter(user=world.worker).exists()


def test_a_locked_account_cannot_sign_in_on_the_login_page_either(world: World) -> None:
    _fail_to_sign_in("worker", FAILURE_LIMIT)
    browser = Client(enforce_csrf_checks=False)

    response = browser.post("/accounts/login/", {"username": "worker", "password": PASSWORD})

    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Account locked" in page
    assert "Try again in 30 minutes" in page
    assert "_auth_user_id" not in browser.session
    assert browser.get(ME_URL).status_code in {401, 403}


def test_a_locked_account_gets_json_on_the_api_under_a_url_prefix(world: World) -> None:
    _fail_to_sign_in("worker", FAILURE_LIMIT)

    # As when the site is served under a sub-path by the reverse proxy.
    response = Client().post(
        TOKEN_URL,
        {"username": "worker", "password": PASSWORD},
        content_type="application/json",
        SCRIPT_NAME="/cpims",
    )

    assert response.status_code == 429
    assert response.json()["code"] == "account_locked"


def test_failed_login_page_attempts_lock_the_token_endpoint_too(world: World) -> None:
    browser = Client(enforce_csrf_checks=False)
    for _attempt in range(FAILURE_LIMIT):
        browser.post("/accounts/login/", {"username": "worker", "password": "not the password"})

    response = _request_token("worker", PASSWORD)

    assert response.status_code == 429
    assert response.json()["code"] == "account_locked"


def test_a_locked_account_leaves_other_users_unaffected(world: World) -> None:
    _fail_to_sign_in("worker", FAILURE_LIMIT)

    assert _request_token("teammate").status_code == 200
    browser = Client(enforce_csrf_checks=False)
    response = browser.post("/accounts/login/", {"username": "teammate", "password": PASSWORD})
    assert response.status_code == 302


def test_a_successful_token_request_clears_earlier_failures(world: World) -> None:
    _fail_to_sign_in("worker", FAILURE_LIMIT - 1)
    assert _request_token("worker").status_code == 200

    _fail_to_sign_in("worker", FAILURE_LIMIT - 1)

    assert _request_token("worker").status_code == 200


# --- Browser sessions --------------------------------------------------------------------------


def _sign_in_on_the_login_page(client: Client, user: User) -> None:
    client.get("/accounts/login/")
    # Form-encoded, as the browser sends it, whichever test client is used.
    form = {
        "username": user.username,
        "password": PASSWORD,
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
    }
    response = client.post(
        "/accounts/login/", urlencode(form), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302, response.content


def test_a_browser_session_works_on_the_api(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    _sign_in_on_the_login_page(browser, world.worker)

    response = browser.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["username"] == "worker"


def test_a_password_change_ends_the_users_browser_sessions(world: World) -> None:
    browser = Client()
    browser.force_login(world.worker)
    assert browser.get(ME_URL).status_code == 200

    response = api_client(world.agency_admin).patch(
        f"/api/v1/users/{world.worker.pk}/", {"password": "a brand new passphrase"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert browser.get(ME_URL).status_code == 401


def test_an_unsafe_session_request_without_the_csrf_token_is_refused(world: World) -> None:
    client = APIClient(enforce_csrf_checks=True)
    _sign_in_on_the_login_page(client, world.system_admin)
    agency = {"name": "Khmer Kids Home", "type": "ngo"}

    refused = client.post("/api/v1/agencies/", agency, format="json")

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Agency.objects.filter(name="Khmer Kids Home").exists()
    accepted = client.post(
        "/api/v1/agencies/",
        agency,
        format="json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert accepted.status_code == 201, accepted.content


def test_a_bearer_request_needs_no_csrf_token(world: World) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {_token_for(world.system_admin)}")

    response = client.post("/api/v1/agencies/", {"name": "Bearer Home", "type": "ngo"})

    assert response.status_code == 201, response.content


# --- Anonymous requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", REVOKE_URL),
        ("get", ME_URL),
        ("get", "/api/v1/users/"),
        ("post", "/api/v1/users/"),
        ("get", "/api/v1/users/{user}/"),
        ("patch", "/api/v1/users/{user}/"),
        ("get", "/api/v1/agencies/"),
        ("post", "/api/v1/agencies/"),
        ("get", "/api/v1/agencies/{agency}/"),
        ("patch", "/api/v1/agencies/{agency}/"),
    ],
)
def test_an_anonymous_request_is_unauthenticated(world: World, method: str, path: str) -> None:
    url = path.format(user=world.worker.pk, agency=world.ngo.pk)

    response = getattr(APIClient(), method)(url, {}, format="json")

    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_a_person_chooses_her_language_and_how_notifications_reach_her_by_email(
    world: World,
) -> None:
    client = api_client(world.commune_member)

    answer = client.patch(
        ME_URL, {"preferred_language": "km", "email_delivery": "digest"}, format="json"
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["email_delivery"] == "digest"
    world.commune_member.refresh_from_db()
    assert (world.commune_member.preferred_language, world.commune_member.email_delivery) == (
        "km",
        "digest",
    )


@pytest.mark.parametrize("change", [{"email_delivery": "hourly"}, {"preferred_language": "fr"}])
def test_an_unknown_preference_is_refused_and_nothing_changes(
    world: World, change: dict[str, str]
) -> None:
    answer = api_client(world.worker).patch(ME_URL, change, format="json")

    assert answer.status_code == 400
    assert set(answer.json()) == set(change)
    world.worker.refresh_from_db()
    assert (world.worker.preferred_language, world.worker.email_delivery) == ("", "immediate")
