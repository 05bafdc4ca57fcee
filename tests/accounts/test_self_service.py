"""A person's own account: the account page, where they are signed in (and ending a session),
changing the password (also when forced to), a forgotten password by email (the same answer for
every address, a limit per hour, the email in the person's language, old sessions and tokens
dead afterwards), and recovery codes standing in for the authenticator app once each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import password_email, self_service, services, two_factor
from accounts.models import ApiToken, SignedInSession, User
from audit.models import AuditEvent
from cpims.celery import app as celery_app
from tests.conftest import World
from tests.factories import PASSWORD
from tests.notifications.conftest import wait_until
from tests.web.conftest import signed_in

ACCOUNT = "/accounts/"
PASSWORD_PAGE = "/accounts/password/"
RESET = "/accounts/password/reset/"
RESET_SENT = "/accounts/password/reset/sent/"
LOGIN = "/accounts/login/"
TWO_FACTOR = "/accounts/two-factor/"
TOKEN_URL = "/api/v1/auth/token/"
NEW_PASSWORD = "a quiet river at dawn 42"
LINK = re.compile(r"https?://\S+/accounts/password/reset/[^/\s]+/[^/\s]+/")


@pytest.fixture(autouse=True)
def _clean_slate(settings: Any) -> None:
    # django-otp slows down verification after a wrong code; the tests check codes back to back.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    # The reset limit counts in the real cache (this test run's own Redis database).
    cache.clear()


def _sign_in(username: str = "worker", password: str = PASSWORD, **extra: str) -> Client:
    """A browser that signed in through the login page, as a person does."""
    client = Client(headers={"user-agent": "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile"})
    answer = client.post(LOGIN, {"username": username, "password": password, **extra})
    assert answer.status_code == 302, answer.content.decode()
    return client


def _token(username: str = "worker", password: str = PASSWORD, **extra: str) -> Any:
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )


def _issue_token(user: User) -> ApiToken:
    answer = _token(user.username)
    assert answer.status_code == 200, answer.content
    return ApiToken.objects.filter(user=user).latest("created_at")


def _current_code(device: TOTPDevice) -> str:
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enable_two_factor(client: Client, user: User) -> list[str]:
    """Turns two-factor sign-in on through the page; returns the recovery codes it showed."""
    client.post(TWO_FACTOR, {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    answer = client.post(TWO_FACTOR, {"action": "enable", "code": _current_code(device)})
    assert answer.status_code == 302
    page = client.get(TWO_FACTOR).content.decode()
    return re.findall(r"<code>(\d{5} \d{5})</code>", page)


# --- The account page --------------------------------------------------------------------------


def test_the_account_page_shows_who_i_am_and_my_preferences(world: World) -> None:
    page = signed_in(world.worker).get(ACCOUNT)

    assert page.status_code == 200
    html = page.content.decode()
    assert world.worker.full_name in html
    assert "worker@example.org" in html
    assert "Hope Shelter" in html
    assert 'href="/accounts/password/"' in html
    assert 'href="/accounts/two-factor/"' in html
    assert 'lang="km"' in html  # the language offered in its own script


def test_the_header_name_leads_to_the_account_page(world: World) -> None:
    html = signed_in(world.worker).get("/").content.decode()

    assert f'<a href="/accounts/" title="Your account">{world.worker.full_name}</a>' in html


def test_preferences_are_saved_through_the_account_page(world: World) -> None:
    client = signed_in(world.worker)

    answer = client.post(ACCOUNT, {"preferred_language": "km", "email_delivery": "digest"})

    assert answer.status_code == 302
    world.worker.refresh_from_db()
    assert (world.worker.preferred_language, world.worker.email_delivery) == ("km", "digest")
    assert AuditEvent.objects.filter(action="user.preferences", actor_id=world.worker.pk).exists()
    refused = client.post(ACCOUNT, {"preferred_language": "fr", "email_delivery": "digest"})
    assert refused.status_code == 400


def test_the_account_page_costs_the_same_queries_however_many_sessions_and_tokens(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = _sign_in()
    for _ in range(6):
        _sign_in()
        _issue_token(world.worker)
    assert SignedInSession.objects.filter(user=world.worker).count() == 7

    with django_assert_max_num_queries(11):
        page = client.get(ACCOUNT)

    assert page.status_code == 200
    assert len(page.context["sessions"]) == 7
    assert len(page.context["tokens"]) == 6


# --- Sessions ----------------------------------------------------------------------------------


def test_signing_in_records_the_session_and_signing_out_ends_it(world: World) -> None:
    client = _sign_in()
    key = client.session.session_key
    row = SignedInSession.objects.get(session_key=key)
    assert row.user == world.worker
    assert row.ip_address == "127.0.0.1"
    assert "Android" in row.user_agent

    client.post("/accounts/logout/")

    row.refresh_from_db()
    assert row.ended_at is not None


def test_the_list_shows_open_sessions_only_and_marks_this_device(world: World) -> None:
    mine = _sign_in()
    other = _sign_in()
    expired = _sign_in()
    ended = _sign_in()
    Session.objects.filter(session_key=expired.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    ended.post("/accounts/logout/")
    _sign_in("teammate")  # someone else's

    page = mine.get(ACCOUNT)

    listed = {entry["row"].session_key: entry for entry in page.context["sessions"]}
    assert set(listed) == {mine.session.session_key, other.session.session_key}
    assert listed[mine.session.session_key]["current"]
    assert not listed[other.session.session_key]["current"]
    assert "This device" in page.content.decode()
    assert "Chrome · Android" in page.content.decode()
    last = listed[other.session.session_key]["row"].last_activity
    assert abs((timezone.now() - last).total_seconds()) < 60
    shown = date_format(timezone.localtime(last), "DATETIME_FORMAT")
    assert f"last active {shown}" in page.content.decode()


def test_ending_another_session_signs_that_browser_out(world: World) -> None:
    mine, other = _sign_in(), _sign_in()
    row = SignedInSession.objects.get(session_key=other.session.session_key)

    answer = mine.post(f"/accounts/sessions/{row.pk}/end/")

    assert answer.status_code == 302
    row.refresh_from_db()
    assert row.ended_at is not None
    assert other.get(ACCOUNT).status_code == 302  # back to the login page
    assert mine.get(ACCOUNT).status_code == 200
    assert AuditEvent.objects.filter(action="session.end", actor_id=world.worker.pk).exists()


def test_another_persons_session_is_answered_as_missing(world: World) -> None:
    theirs = _sign_in("teammate")
    row = SignedInSession.objects.get(session_key=theirs.session.session_key)
    mine = _sign_in()

    assert mine.post(f"/accounts/sessions/{row.pk}/end/").status_code == 404
    assert mine.post("/accounts/sessions/999999/end/").status_code == 404
    row.refresh_from_db()
    assert row.ended_at is None
    assert theirs.get(ACCOUNT).status_code == 200
    with pytest.raises(SignedInSession.DoesNotExist):
        self_service.session_end(actor=world.worker, session_id=row.pk)


def test_signing_out_everywhere_else_keeps_this_session(world: World) -> None:
    mine, first, second = _sign_in(), _sign_in(), _sign_in()

    answer = mine.post("/accounts/sessions/end-others/")

    assert answer.status_code == 302
    assert first.get(ACCOUNT).status_code == 302
    assert second.get(ACCOUNT).status_code == 302
    assert mine.get(ACCOUNT).status_code == 200
    open_keys = {row.session_key for row in self_service.open_sessions(world.worker)}
    assert open_keys == {mine.session.session_key}


# --- API tokens --------------------------------------------------------------------------------


def test_tokens_are_listed_while_usable_and_revoked_from_the_page(world: World) -> None:
    usable = _issue_token(world.worker)
    expired = _issue_token(world.worker)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    client = signed_in(world.worker)

    listed = client.get(ACCOUNT).context["tokens"]
    assert [token.pk for token in listed] == [usable.pk]

    assert client.post(f"/accounts/tokens/{usable.pk}/revoke/").status_code == 302
    usable.refresh_from_db()
    assert usable.revoked_at is not None
    assert client.get(ACCOUNT).context["tokens"] == []


def test_another_persons_token_cannot_be_revoked_from_the_page(world: World) -> None:
    theirs = _issue_token(world.teammate)

    answer = signed_in(world.worker).post(f"/accounts/tokens/{theirs.pk}/revoke/")

    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# --- Changing the password ---------------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_ends_the_others(world: World) -> None:
    mine, other = _sign_in(), _sign_in()
    token = _issue_token(world.worker)
    before = mine.session.session_key

    answer = mine.post(
        PASSWORD_PAGE,
        {
            "old_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )

    assert answer.status_code == 302
    assert mine.get(ACCOUNT).status_code == 200
    assert other.get(ACCOUNT).status_code == 302
    # The session now has a new key, and the list follows it.
    assert mine.session.session_key != before
    assert SignedInSession.objects.filter(
        session_key=mine.session.session_key, ended_at__isnull=True
    ).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    world.worker.refresh_from_db()
    assert world.worker.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.password_change", actor_id=world.worker.pk)
    assert PASSWORD not in str(event.changes)
    assert NEW_PASSWORD not in str(event.changes)


def test_a_wrong_current_password_or_a_weak_new_one_is_refused(world: World) -> None:
    client = signed_in(world.worker)

    wrong = client.post(
        PASSWORD_PAGE,
        {"old_password": "nope", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    weak = client.post(
        PASSWORD_PAGE,
        {"old_password": PASSWORD, "new_password": "12345678", "new_password_again": "12345678"},
    )

    assert wrong.status_code == 400
    assert "Your current password is not that." in wrong.content.decode()
    assert weak.status_code == 400
    assert "data-error-summary" in weak.content.decode()
    world.worker.refresh_from_db()
    assert world.worker.check_password(PASSWORD)


def test_a_temporary_password_leads_every_page_to_the_password_form(world: World) -> None:
    User.objects.filter(pk=world.worker.pk).update(must_change_password=True)
    client = _sign_in()

    for path in ("/", "/cases/", ACCOUNT):
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert answer["Location"] == PASSWORD_PAGE
    htmx = client.get("/cases/", headers={"hx-request": "true"})
    assert htmx["HX-Redirect"] == PASSWORD_PAGE
    form = client.get(PASSWORD_PAGE)
    assert form.status_code == 200
    assert 'id="password-forced"' in form.content.decode()
    assert client.get("/static/cpims/app.css").status_code == 200

    client.post(
        PASSWORD_PAGE,
        {
            "old_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )

    world.worker.refresh_from_db()
    assert not world.worker.must_change_password
    assert client.get("/").status_code == 200


def test_the_token_endpoint_refuses_a_temporary_password(world: World) -> None:
    User.objects.filter(pk=world.worker.pk).update(must_change_password=True)

    answer = _token()

    assert answer.status_code == 400
    assert "choose your own password first" in answer.content.decode()
    assert not ApiToken.objects.filter(user=world.worker).exists()


# --- A forgotten password ----------------------------------------------------------------------


@pytest.fixture
def tasks_in_place() -> Iterator[None]:
    """Celery runs each task where it is queued (its own eager mode), so that these tests read
    the email a request queued at once; test_a_worker_sends_the_link runs the same task in a
    real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_the_request_looks_nothing_up_and_sends_nothing(
    world: World, django_assert_num_queries: Any
) -> None:
    """Known or not, an address costs the request the same work: the lookup and the email
    happen in a task, so neither the answer nor its time tells who has an account."""
    answers = []
    for address in ("worker@example.org", "nobody@example.org"):
        with django_assert_num_queries(0) as done:
            answers.append(Client().post(RESET, {"email": address}))
        assert not done.captured_queries
    assert [answer.status_code for answer in answers] == [302, 302]
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("celery_worker_thread")
def test_a_worker_sends_the_link(world: World) -> None:
    assert Client().post(RESET, {"email": "worker@example.org"}).status_code == 302
    wait_until(lambda: len(mail.outbox) == 1)
    (message,) = mail.outbox
    assert message.to == ["worker@example.org"]
    assert LINK.search(str(message.body))


@pytest.mark.usefixtures("tasks_in_place")
def test_known_and_unknown_addresses_get_the_same_answer(world: World) -> None:
    known = Client().post(RESET, {"email": "worker@example.org"})
    unknown = Client().post(RESET, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == RESET_SENT
    assert Client().get(RESET_SENT).status_code == 200
    assert [message.to for message in mail.outbox] == [["worker@example.org"]]


@pytest.mark.usefixtures("tasks_in_place")
def test_the_address_is_matched_whatever_its_case_and_inactive_people_get_nothing(
    world: World,
) -> None:
    User.objects.filter(pk=world.teammate.pk).update(is_active=False)

    Client().post(RESET, {"email": "WORKER@Example.org"})
    Client().post(RESET, {"email": "teammate@example.org"})

    assert [message.to for message in mail.outbox] == [["worker@example.org"]]


def _without_csrf(content: bytes) -> str:
    """A page's HTML without its CSRF token, which differs from one browser to the next."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", content.decode())


@pytest.mark.usefixtures("tasks_in_place")
def test_requests_past_the_limit_get_the_same_429_for_every_address(
    world: World, settings: Any
) -> None:
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 2
    # Per email address, from different client addresses.
    for number in range(2):
        answer = Client(REMOTE_ADDR=f"10.0.0.{number}").post(RESET, {"email": "worker@example.org"})
        assert answer.status_code == 302
    known = Client(REMOTE_ADDR="10.0.0.9").post(RESET, {"email": "worker@example.org"})
    for number in range(2):
        Client(REMOTE_ADDR=f"10.0.1.{number}").post(RESET, {"email": "nobody@example.org"})
    unknown = Client(REMOTE_ADDR="10.0.1.9").post(RESET, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 429
    assert _without_csrf(known.content) == _without_csrf(unknown.content)
    assert "Try again in an hour." in known.content.decode()
    assert len(mail.outbox) == 2

    # Per client address, whatever the email.
    browser = Client(REMOTE_ADDR="10.0.2.1")
    answers = [browser.post(RESET, {"email": f"x{n}@example.org"}).status_code for n in range(3)]
    assert answers == [302, 302, 429]
    # Another address and another email are not held back.
    assert Client(REMOTE_ADDR="10.0.3.1").post(RESET, {"email": "a@example.org"}).status_code == 302


@pytest.mark.usefixtures("tasks_in_place")
def test_the_email_is_written_in_the_persons_language(world: World) -> None:
    User.objects.filter(pk=world.teammate.pk).update(preferred_language="km")

    Client(headers={"accept-language": "km"}).post(RESET, {"email": "worker@example.org"})
    Client().post(RESET, {"email": "teammate@example.org"})

    in_english, in_khmer = mail.outbox
    ignore = "If it was not you, ignore this email: your password stays as it is."
    subject = "Choose a new password for CPIMS"
    with translation.override("km"):
        ignore_km, subject_km = translation.gettext(ignore), translation.gettext(subject)
    assert in_english.subject == subject
    assert ignore in in_english.body
    assert in_khmer.subject == subject_km
    assert ignore_km in in_khmer.body
    assert LINK.search(str(in_khmer.body))
    assert subject_km != subject, "the email's words need their Khmer translation"


def _reset_link(address: str = "worker@example.org") -> str:
    mail.outbox.clear()
    assert Client().post(RESET, {"email": address}).status_code == 302
    (message,) = mail.outbox
    found = LINK.search(str(message.body))
    assert found, message.body
    return "/" + found.group(0).split("/", 3)[3]


@pytest.mark.usefixtures("tasks_in_place")
def test_a_reset_sets_the_password_and_kills_old_sessions_tokens_and_failures(
    world: World,
) -> None:
    session = _sign_in()
    token = _issue_token(world.worker)
    User.objects.filter(pk=world.worker.pk).update(must_change_password=True)
    for _ in range(3):
        Client().post(LOGIN, {"username": "worker", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="worker").exists()
    browser = Client()

    opened = browser.get(_reset_link())
    # Django takes the token out of the address before the form is shown.
    assert opened.status_code == 302
    form_url = opened["Location"]
    assert browser.get(form_url).status_code == 200
    weak = browser.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400
    done = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/done/"
    world.worker.refresh_from_db()
    assert world.worker.check_password(NEW_PASSWORD)
    assert not world.worker.must_change_password
    assert session.get(ACCOUNT).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not AccessAttempt.objects.filter(username="worker").exists()
    assert not self_service.open_sessions(world.worker).exists()
    assert AuditEvent.objects.filter(
        action="user.password_reset", actor_id=world.worker.pk
    ).exists()
    assert _sign_in(password=NEW_PASSWORD).get(ACCOUNT).status_code == 200


@pytest.mark.usefixtures("tasks_in_place")
def test_a_used_link_no_longer_works(world: World) -> None:
    link = _reset_link()
    browser = Client()
    form_url = browser.get(link)["Location"]
    browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    answer = Client().get(link)

    assert answer.status_code == 200
    assert 'id="password-reset-invalid"' in answer.content.decode()


def test_send_password_reset_link_needs_an_address(world: World, rf: Any) -> None:
    User.objects.filter(pk=world.worker.pk).update(email="")
    world.worker.refresh_from_db()

    with pytest.raises(Exception, match="no email address"):
        password_email.send_password_reset_link(user=world.worker)

    world.teammate.preferred_language = "km"
    password_email.send_password_reset_link(user=world.teammate)
    (message,) = mail.outbox
    assert message.to == ["teammate@example.org"]
    assert LINK.search(str(message.body))


# --- Recovery codes ----------------------------------------------------------------------------


def test_turning_two_factor_on_shows_ten_codes_once(world: World) -> None:
    client = signed_in(world.worker)

    codes = _enable_two_factor(client, world.worker)

    assert len(codes) == 10 == len(set(codes))
    assert StaticToken.objects.filter(device__user=world.worker).count() == 10
    again = client.get(TWO_FACTOR).content.decode()
    assert codes[0] not in again
    assert "10 recovery codes left." in again
    assert "10 recovery codes left" in client.get(ACCOUNT).content.decode()


def test_a_recovery_code_signs_in_once_in_place_of_the_app(world: World) -> None:
    codes = _enable_two_factor(signed_in(world.worker), world.worker)

    client = Client()
    right = client.post(LOGIN, {"username": "worker", "password": PASSWORD, "otp_token": codes[0]})
    assert right.status_code == 302
    assert client.get(ACCOUNT).status_code == 200
    # The session passed the second factor, as with the app's code.
    device = TOTPDevice.objects.get(user=world.worker)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id

    reused = Client().post(
        LOGIN, {"username": "worker", "password": PASSWORD, "otp_token": codes[0]}
    )
    assert reused.status_code == 200
    assert "The code is wrong" in reused.content.decode()
    assert two_factor.recovery_codes_left(world.worker) == 9
    event = AuditEvent.objects.get(action="two_factor.recovery_code_used")
    assert event.actor_id == world.worker.pk
    assert event.changes["recovery_codes_left"] == 9


def test_the_token_endpoint_takes_a_recovery_code_once(world: World) -> None:
    codes = _enable_two_factor(signed_in(world.worker), world.worker)

    first = _token(otp_token=codes[1].replace(" ", ""))
    second = _token(otp_token=codes[1])

    assert first.status_code == 200
    assert second.status_code == 400
    assert "otp_token" in second.json()
    assert two_factor.recovery_codes_left(world.worker) == 9


def test_new_recovery_codes_need_the_apps_code_and_replace_the_old(world: World) -> None:
    client = signed_in(world.worker)
    old = _enable_two_factor(client, world.worker)
    device = TOTPDevice.objects.get(user=world.worker)

    refused = client.post(TWO_FACTOR, {"action": "new_codes", "renew-code": old[0]})
    assert refused.status_code == 400
    assert two_factor.recovery_codes_left(world.worker) == 10  # not spent, not replaced

    made = client.post(TWO_FACTOR, {"action": "new_codes", "renew-code": _current_code(device)})
    assert made.status_code == 302
    new = re.findall(r"<code>(\d{5} \d{5})</code>", client.get(TWO_FACTOR).content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    assert _token(otp_token=old[2]).status_code == 400
    assert _token(otp_token=new[2]).status_code == 200


def test_turning_two_factor_off_removes_the_codes_and_a_recovery_code_may_do_it(
    world: World,
) -> None:
    client = signed_in(world.worker)
    codes = _enable_two_factor(client, world.worker)

    answer = client.post(TWO_FACTOR, {"action": "disable", "code": codes[0]})

    assert answer.status_code == 302
    assert not StaticDevice.objects.filter(user=world.worker).exists()
    assert not TOTPDevice.objects.filter(user=world.worker).exists()


def test_an_admin_resets_two_factor_for_a_person_she_manages(world: World) -> None:
    _enable_two_factor(signed_in(world.worker), world.worker)
    token = ApiToken.objects.create(
        user=world.worker,
        key_hash="x" * 64,
        prefix="cpims_xxxx",
        expires_at=timezone.now() + timedelta(hours=1),
    )

    with pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(actor=world.other_worker, user=world.worker)
    assert TOTPDevice.objects.filter(user=world.worker).exists()

    two_factor.two_factor_reset(actor=world.agency_admin, user=world.worker)

    assert not TOTPDevice.objects.filter(user=world.worker).exists()
    assert not StaticDevice.objects.filter(user=world.worker).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="two_factor.reset")
    assert event.actor_id == world.agency_admin.pk
    assert _sign_in().get(ACCOUNT).status_code == 200  # the password alone again


def test_the_services_refuse_what_the_pages_never_offer(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=world.worker, token=_issue_token(world.teammate))
