"""Two-factor sign-in: turning it on and off, the login page and the token endpoint asking for
the code, the lockout counting wrong codes, and people without it signing in as before."""

from __future__ import annotations

from base64 import b32decode
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from audit.models import AuditEvent
from tests.conftest import World
from tests.factories import PASSWORD
from tests.web.conftest import signed_in

PAGE = "/accounts/two-factor/"
LOGIN = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token/"
FAILURE_LIMIT = 10


@pytest.fixture(autouse=True)
def _no_throttling(settings: Any) -> None:
    # django-otp slows down verification after a wrong code; the tests check codes back to back.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _code(device: TOTPDevice) -> str:
    """The current code, usable again: each code is accepted once, so forget the last one."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _enable(user: User) -> TOTPDevice:
    client = signed_in(user)
    client.post(PAGE, {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    answer = client.post(PAGE, {"action": "enable", "code": _code(device)})
    assert answer.status_code == 302, answer.content
    device.refresh_from_db()
    assert device.confirmed
    return device


def _login(**data: str) -> Any:
    return Client().post(LOGIN, {"username": "worker", "password": PASSWORD, **data})


def _token(**data: str) -> Any:
    body = {"username": "worker", "password": PASSWORD, **data}
    return APIClient().post(TOKEN_URL, body, format="json")


# --- Turning it on and off ---------------------------------------------------------------------


def test_the_page_shows_the_secret_and_the_address_for_the_app(world: World) -> None:
    client = signed_in(world.worker)
    assert "Set up two-factor sign-in" in client.get(PAGE).content.decode()

    assert client.post(PAGE, {"action": "start"}).status_code == 302
    page = client.get(PAGE).content.decode()

    device = TOTPDevice.objects.get(user=world.worker)
    assert not device.confirmed
    uri = urlparse(device.config_url)
    secret = parse_qs(uri.query)["secret"][0]
    assert uri.scheme == "otpauth"
    assert b32decode(secret) == device.bin_key
    assert secret in page
    assert "otpauth://totp/CPIMS%3Aworker?" in page.replace("&amp;", "&")
    assert '<script src="http' not in page


def test_turning_it_on_needs_a_right_code(world: World) -> None:
    client = signed_in(world.worker)
    client.post(PAGE, {"action": "start"})
    device = TOTPDevice.objects.get(user=world.worker)

    refused = client.post(PAGE, {"action": "enable", "code": _wrong(_code(device))})

    assert refused.status_code == 400
    assert "The code is wrong" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    assert client.post(PAGE, {"action": "enable", "code": _code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "Two-factor sign-in is on." in client.get(PAGE).content.decode()
    assert AuditEvent.objects.filter(action="two_factor.enable", actor_id=world.worker.pk).exists()


def test_turning_it_off_needs_a_right_code_and_asks_for_confirmation(world: World) -> None:
    device = _enable(world.worker)
    client = signed_in(world.worker)
    page = client.get(PAGE).content.decode()
    assert "data-confirm=" in page
    assert 'value="disable"' in page

    refused = client.post(PAGE, {"action": "disable", "code": _wrong(_code(device))})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=world.worker, confirmed=True).exists()

    assert client.post(PAGE, {"action": "disable", "code": _code(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=world.worker).exists()
    assert AuditEvent.objects.filter(action="two_factor.disable", actor_id=world.worker.pk).exists()
    assert _login().status_code == 302  # the password alone again


def test_the_page_needs_a_signed_in_person(db: None) -> None:
    answer = Client().get(PAGE)

    assert answer.status_code == 302
    assert answer["Location"].startswith(LOGIN)


# --- The login page ----------------------------------------------------------------------------


def test_with_it_on_the_login_needs_the_code(world: World) -> None:
    device = _enable(world.worker)

    missing = _login()
    assert missing.status_code == 200
    assert "Enter the code from your authenticator app." in missing.content.decode()
    assert "_auth_user_id" not in missing.wsgi_request.session

    wrong = _login(otp_token=_wrong(_code(device)))
    assert wrong.status_code == 200
    assert "The code is wrong" in wrong.content.decode()

    browser = Client()
    right = browser.post(
        LOGIN, {"username": "worker", "password": PASSWORD, "otp_token": _code(device)}
    )
    assert right.status_code == 302
    assert right.wsgi_request.user.is_authenticated
    # The session remembers the second factor (request.user.is_verified() on later requests).
    assert browser.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert browser.get("/").status_code == 200


def test_wrong_codes_count_towards_the_lockout(world: World) -> None:
    device = _enable(world.worker)
    for attempt in range(FAILURE_LIMIT - 1):
        assert _login(otp_token=_wrong(_code(device))).status_code == 200, attempt

    locked = _login(otp_token=_wrong(_code(device)))

    assert locked.status_code == 429
    assert "locked" in locked.content.decode()
    assert _login(otp_token=_code(device)).status_code == 429


def test_a_person_without_it_signs_in_with_the_password_alone(world: World) -> None:
    _enable(world.teammate)  # somebody else's device changes nothing for the worker

    answer = _login()

    assert answer.status_code == 302
    assert answer.wsgi_request.user.username == "worker"
    assert _token().status_code == 200


def test_an_unconfirmed_device_does_not_ask_for_a_code(world: World) -> None:
    signed_in(world.worker).post(PAGE, {"action": "start"})

    assert _login().status_code == 302
    assert _token().status_code == 200


def test_the_login_page_offers_the_code_field(db: None) -> None:
    page = Client().get(LOGIN).content.decode()

    assert 'name="otp_token"' in page
    assert 'autocomplete="one-time-code"' in page


# --- The token endpoint ------------------------------------------------------------------------


def test_with_it_on_the_token_endpoint_needs_the_code(world: World) -> None:
    device = _enable(world.worker)

    missing = _token()
    assert missing.status_code == 400
    assert missing.json()["otp_token"]
    wrong = _token(otp_token=_wrong(_code(device)))
    assert wrong.status_code == 400
    assert wrong.json()["otp_token"]
    assert not ApiToken.objects.filter(user=world.worker).exists()

    right = _token(otp_token=_code(device))
    assert right.status_code == 200, right.content
    assert right.json()["token"]


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_turning_it_on_revokes_the_tokens_issued_on_the_password_alone(world: World) -> None:
    old = _token().json()["token"]
    colleagues = _token(username=world.teammate.username).json()["token"]
    assert _bearer(old).get("/api/v1/users/me/").status_code == 200
    client = signed_in(world.worker)
    client.post(PAGE, {"action": "start"})
    device = TOTPDevice.objects.get(user=world.worker)

    turned_on = client.post(PAGE, {"action": "enable", "code": _code(device)})

    assert turned_on.status_code == 302, turned_on.content
    assert _bearer(old).get("/api/v1/users/me/").status_code == 401
    assert _bearer(colleagues).get("/api/v1/users/me/").status_code == 200
    assert client.get(PAGE).status_code == 200  # the session that turned it on stays
    event = AuditEvent.objects.get(action="two_factor.enable", actor_id=world.worker.pk)
    assert event.changes["api_tokens_revoked"] == 1
    fresh = _token(otp_token=_code(device)).json()["token"]
    assert _bearer(fresh).get("/api/v1/users/me/").status_code == 200


def test_wrong_codes_on_the_token_endpoint_count_towards_the_lockout(world: World) -> None:
    device = _enable(world.worker)
    for attempt in range(FAILURE_LIMIT - 1):
        assert _token(otp_token=_wrong(_code(device))).status_code == 400, attempt

    locked = _token(otp_token=_wrong(_code(device)))

    assert locked.status_code == 429
    assert locked.json()["code"] == "account_locked"


def test_the_admin_login_leads_to_the_login_page_with_the_code(world: World) -> None:
    answer = Client().get("/admin/login/?next=/admin/")

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    posted = Client().post("/admin/login/", {"username": "worker", "password": PASSWORD})
    assert posted.status_code == 302
    assert "_auth_user_id" not in posted.wsgi_request.session
    assert signed_in(world.worker).get("/admin/login/").status_code == 403
    assert signed_in(world.system_admin).get("/admin/login/")["Location"] == "/admin/"
