"""Running the organisation in the browser, at 360 px and 1280 px, in English and Khmer: an
agency admin adds a person with a temporary password (shown once, in full, on the screen), the
person signs in with it and is made to choose their own; the admin deactivates an account and
keeps her agency's directory entry. The pages never scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts.choices import Role
from accounts.models import Agency, User
from tests.browser.conftest import DESKTOP, PHONE, Photographer
from tests.browser.test_phone_layout import (
    LANGUAGES,
    assert_no_sideways_scroll,
    boxes,
    open_signed_in,
)
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_PASSWORD = "river boat morning 2026"


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desk"])
def test_an_agency_admin_adds_a_person_who_then_chooses_a_password(
    world: World,
    *,
    open_page: Any,
    photograph: Photographer,
    language: str,
    locale: str,
    viewport: Any,
) -> None:
    width = viewport["width"]
    page = open_signed_in(open_page, world.agency_admin, language, locale, viewport)
    page.goto("/manage/users/")
    expect(page.locator("#people li")).to_have_count(
        User.objects.filter(agency=world.ngo, is_active=True).count()
    )
    assert_no_sideways_scroll(page)
    photograph(page, f"people-{language}-{width}")

    page.goto("/manage/users/new/")
    # Saved empty: the error summary comes first and takes the focus.
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    photograph(page, f"new-person-errors-{language}-{width}")
    page.locator("#id_username").fill("sokha.chan")
    page.locator("#id_full_name").fill("ចាន់ សុខា")
    page.locator("#id_role").select_option(Role.SOCIAL_WORKER)
    expect(page.locator(f"#id_role option[value={Role.SYSTEM_ADMIN}]")).to_have_count(0)
    page.locator("#id_supervisor").select_option(str(world.supervisor.pk))
    page.locator("#id_preferred_language").select_option(language)
    page.locator("input[name=password_by][value=temporary]").check()
    assert_no_sideways_scroll(page)
    photograph(page, f"new-person-{language}-{width}")
    page.locator("form.stack button[type=submit]").click()

    shown = page.locator("#temporary-password")
    expect(shown).to_be_visible()
    temporary = shown.inner_text().strip()
    # The whole password is on the screen, however narrow.
    (box,) = boxes(page, "#temporary-password")
    assert box["right"] <= width
    assert_no_sideways_scroll(page)
    photograph(page, f"temporary-password-{language}-{width}")
    person = User.objects.get(username="sokha.chan")
    assert person.full_name == "ចាន់ សុខា"
    assert person.check_password(temporary)
    assert person.must_change_password

    newcomer = open_page(viewport=viewport, locale=locale)
    newcomer.goto("/accounts/login/")
    newcomer.locator("#id_username").fill("sokha.chan")
    newcomer.locator("#id_password").fill(temporary)
    newcomer.locator("form.stack button[type=submit]").click()
    # Straight to choosing a password: nothing else opens before it.
    newcomer.wait_for_url("**/accounts/password/**")
    newcomer.goto("/cases/")
    newcomer.wait_for_url("**/accounts/password/**")
    photograph(newcomer, f"must-change-{language}-{width}")
    newcomer.locator("input[name=old_password]").fill(temporary)
    newcomer.locator("input[name=new_password]").fill(NEW_PASSWORD)
    newcomer.locator("input[name=new_password_again]").fill(NEW_PASSWORD)
    newcomer.locator("form.stack button[type=submit]").click()
    newcomer.goto("/cases/")
    expect(newcomer).to_have_url(f"{newcomer.url.split('/cases/')[0]}/cases/")
    person.refresh_from_db()
    assert not person.must_change_password
    assert person.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_an_account_is_deactivated_and_the_directory_entry_kept(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    page = open_signed_in(open_page, world.agency_admin, language, locale, PHONE)
    page.goto(f"/manage/users/{world.worker.pk}/")
    expect(page.locator("#account-facts")).to_be_visible()
    assert_no_sideways_scroll(page)
    photograph(page, f"person-{language}")
    page.locator("#account-actions button.danger").click()  # the confirmation is accepted
    with translation.override(language):
        deactivated = gettext(
            "This account is deactivated: it cannot sign in. Its cases stay with it until they "
            "are moved."
        )
    expect(page.locator(".notice")).to_contain_text(deactivated)
    assert not User.objects.get(pk=world.worker.pk).is_active
    photograph(page, f"person-deactivated-{language}")

    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(f"/manage/agencies/{world.ngo.pk}/")
        # Only what an agency admin keeps: no name, kind or seat to edit.
        expect(page.locator("#id_name")).to_have_count(0)
        assert_no_sideways_scroll(page)
        photograph(page, f"directory-entry-{language}-{viewport['width']}")
    page.locator("input[name=services][value=shelter]").check()
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()
    services = Agency.objects.get(pk=world.ngo.pk).service_rows.values_list("service", flat=True)
    assert "shelter" in services
