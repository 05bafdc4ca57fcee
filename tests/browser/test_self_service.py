"""A person looking after their own account in the browser: a forgotten password from the sign-in
page to the new password (the link read from the email), two-factor sign-in turned on with its
recovery codes shown once and one of them signing in, and the account page listing where they
are signed in and signing another browser out. At 360 px and 1280 px, in English and Khmer."""

from __future__ import annotations

import re
from base64 import b32decode
from typing import Any

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import totp
from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import User
from tests.browser.conftest import DESKTOP, PHONE, Photographer
from tests.browser.test_phone_layout import assert_no_sideways_scroll, boxes, speaking
from tests.conftest import World
from tests.factories import PASSWORD
from tests.notifications.conftest import wait_until

# The live server commits for real: every test empties the tables afterwards, and the data the
# migrations loaded is put back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = [("en", "en-GB"), ("km", "km-KH")]
NEW_PASSWORD = "a quiet river at dawn 42"
LINK_PATH = re.compile(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def assert_fits(page: Page, selector: str = "main *") -> None:
    """Nothing on the page is wider than the screen: no sideways scrolling, and every visible
    element of ``selector`` ends inside the viewport's width."""
    assert_no_sideways_scroll(page)
    width = page.viewport_size["width"] if page.viewport_size else 0
    for box in boxes(page, selector):
        if box["width"]:
            assert box["right"] <= width + 0.5, box


def at_both_widths(page: Page, photograph: Photographer, step: str) -> None:
    """Checks and photographs the page at a phone's width and a desktop's, and leaves it at the
    width it had."""
    before = page.viewport_size or PHONE
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        assert_fits(page)
        photograph(page, f"{step}-{viewport['width']}")
    page.set_viewport_size(before)


def _submit(page: Page) -> None:
    page.locator("main form button[type=submit]").last.click()


def _sign_in(page: Page, username: str, password: str = PASSWORD, code: str = "") -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    if code:
        page.locator("#id_otp_token").fill(code)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/")


def _open(open_page: Any, user: User, language: str, locale: str, viewport: ViewportSize) -> Page:
    page = open_page(viewport=viewport, locale=locale)
    _sign_in(page, user.username)
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


@pytest.mark.usefixtures("celery_worker_thread")  # the email is sent by a task
@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_a_forgotten_password_from_the_sign_in_page_to_the_new_one(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    speaking(world.worker, language)
    page = open_page(viewport=PHONE, locale=locale)
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#forgot-password").click()
    page.wait_for_url("**/accounts/password/reset/")
    expect(page.locator("h1")).to_have_text(_in(language, "Forgot your password?"))
    at_both_widths(page, photograph, f"ask-{language}")

    page.locator("#id_email").fill("worker@example.org")
    _submit(page)
    page.wait_for_url("**/accounts/password/reset/sent/")
    expect(page.locator("#password-reset-sent")).to_be_visible()
    at_both_widths(page, photograph, f"sent-{language}")

    wait_until(lambda: len(mail.outbox) == 1)
    (message,) = mail.outbox
    assert message.to == ["worker@example.org"]
    assert message.subject == _in(language, "Choose a new password for CPIMS")
    found = LINK_PATH.search(str(message.body))
    assert found, message.body
    page.goto(found.group(1))
    # Django takes the token out of the address before the form is shown.
    page.wait_for_url("**/set-password/")
    at_both_widths(page, photograph, f"choose-{language}")

    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    _submit(page)
    page.wait_for_url("**/accounts/password/reset/done/")
    expect(page.locator("#password-reset-complete")).to_be_visible()
    at_both_widths(page, photograph, f"done-{language}")

    _sign_in(page, "worker", NEW_PASSWORD)
    expect(page.locator(".who a")).to_have_text(world.worker.get_short_name())
    # The link was for one use.
    page.goto(found.group(1))
    expect(page.locator("#password-reset-invalid")).to_be_visible()
    photograph(page, f"spent-{language}")


def _codes_on(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("#recovery-codes li code").all_inner_texts()]


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_two_factor_shows_recovery_codes_once_and_one_signs_in(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    page = _open(open_page, world.worker, language, locale, PHONE)
    page.locator(".who a").click()
    page.wait_for_url("**/accounts/")
    page.locator("#two-factor-state a").click()
    page.wait_for_url("**/accounts/two-factor/")
    _submit(page)  # set it up
    secret = page.locator("#two-factor-secret").inner_text().strip()
    code = totp(b32decode(secret), step=30, t0=0, digits=6)
    page.locator("#id_code").fill(f"{code:06d}")
    _submit(page)  # turn it on
    page.wait_for_url("**/accounts/two-factor/")

    codes = _codes_on(page)
    assert len(codes) == 10
    assert all(re.fullmatch(r"\d{5} \d{5}", each) for each in codes), codes
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        assert_fits(page)
        listed = boxes(page, "#recovery-codes li")
        # Side by side even on a phone: two columns at least, each code on one line.
        assert len({round(box["left"]) for box in listed}) >= 2
        for box in listed:
            assert box["height"] < 2 * box["lineHeight"], box
        photograph(page, f"codes-{language}-{viewport['width']}")
    page.set_viewport_size(PHONE)

    page.reload()
    expect(page.locator("#recovery-codes")).to_have_count(0)  # shown once only
    expect(page.locator("#recovery-codes-left")).to_contain_text("10")

    page.locator(".tools form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/")
    _sign_in(page, "worker", code=codes[3])
    page.goto("/accounts/")
    expect(page.locator("#two-factor-state")).to_contain_text("9")
    at_both_widths(page, photograph, f"account-{language}")


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_the_account_page_lists_sessions_and_signs_another_out(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    phone = _open(open_page, world.worker, language, locale, PHONE)
    desk = _open(open_page, world.worker, language, locale, DESKTOP)
    third = _open(open_page, world.worker, language, locale, DESKTOP)

    phone.goto("/accounts/")
    sessions = phone.locator("#sessions > li")
    expect(sessions).to_have_count(3)
    this_device = phone.locator("#sessions > li[aria-current='true']")
    expect(this_device).to_have_count(1)
    expect(this_device).to_contain_text(_in(language, "This device"))
    expect(this_device.locator("button")).to_have_count(0)  # one does not end it from here
    # When it was opened and last used.
    expect(this_device).to_contain_text(re.compile(r"\d{4}, \d\d:\d\d.*\d{4}, \d\d:\d\d"))
    at_both_widths(phone, photograph, f"sessions-{language}")

    # The desktop browser's session is the one opened second.
    phone.locator("#sessions > li:not([aria-current]) button").last.click()
    expect(phone.locator("#sessions > li")).to_have_count(2)
    desk.goto("/accounts/")
    desk.wait_for_url("**/accounts/login/**")
    photograph(desk, f"signed-out-{language}")

    phone.locator("#end-other-sessions").click()  # confirmed (the fixture accepts dialogs)
    expect(phone.locator("#sessions > li")).to_have_count(1)
    expect(phone.locator("#end-other-sessions")).to_have_count(0)
    third.goto("/cases/")
    third.wait_for_url("**/accounts/login/**")
    phone.goto("/cases/")
    expect(phone).to_have_url(re.compile(r"/cases/$"))
    phone.goto("/accounts/")
    at_both_widths(phone, photograph, f"alone-{language}")
