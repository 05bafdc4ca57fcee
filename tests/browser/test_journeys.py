"""A social worker's day in the browser: sign in, register a child (with her Khmer name), be
warned about a second, similar child, assess risk and read the result; the same in Khmer; and
the case list on a 360 px phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, RiskAssessment
from tests.browser.conftest import PHONE, Photographer
from tests.conftest import World
from tests.factories import PASSWORD, CaseFactory, ChildFactory

# The live server commits for real: every test empties the tables afterwards, and the data the
# migrations loaded (provinces, concerns, the risk instrument) is put back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

GIVEN_KM, FAMILY_KM = "ស្រីមុំ", "ច័ន្ទ"


def sign_in(page: Page, username: str, photograph: Photographer | None = None) -> None:
    page.goto("/accounts/login/")
    if photograph:
        photograph(page, "sign-in")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/")


def register_child(page: Page, world: World, given: str) -> None:
    """Fills the registration form as a worker would; the labels are in the page's language."""
    page.goto("/cases/new/")
    page.locator("#id_family_name_km").fill(FAMILY_KM)
    page.locator("#id_given_name_km").fill(GIVEN_KM)
    page.locator("#id_family_name").fill("Chan")
    page.locator("#id_given_name").fill(given)
    page.locator("#id_sex_0").check()  # female, the first choice
    page.locator("#id_estimated_age").fill("12")
    # The place picker answers as one types (htmx); a single match is chosen for you.
    page.locator("#id_place_q").fill(world.pp_village.code)
    expect(page.locator("#place-options input[type=radio]")).to_be_checked()
    page.locator("input[name=concerns][value=labour_trafficking]").check()
    page.locator("#id_source").select_option("police")
    page.locator("#id_summary").fill("Found at a brick kiln.")
    page.locator("#id_family-0-name_km").fill("ច័ន្ទ ធីតា")
    page.locator("#id_family-0-relation").select_option("mother")


def assess_low_risk(page: Page) -> None:
    for group in page.locator("fieldset:has(input[name^=q_])").all():
        group.locator("input[type=radio]").first.check()  # the first answer is the mildest
    page.locator("form[data-confirm] button[type=submit]").first.click()


def test_a_social_worker_registers_a_child_is_warned_of_a_duplicate_and_assesses_risk(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    page = open_page()
    sign_in(page, world.worker.username, photograph)
    photograph(page, "my-work")
    page.get_by_role("link", name="Cases", exact=True).click()
    photograph(page, "case-list")

    register_child(page, world, "Srey Mom")
    photograph(page, "registration-form")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator(".message.success")).to_contain_text("is open")
    first = Case.objects.get(child__given_name="Srey Mom")
    expect(page.locator("h1")).to_contain_text(GIVEN_KM)
    photograph(page, "case-file")

    register_child(page, world, "Srey Mum")
    page.get_by_role("button", name="Register", exact=True).click()
    warning = page.locator("#duplicates")
    expect(warning).to_contain_text("This child may already be known")
    expect(warning).to_contain_text(first.case_number)
    photograph(page, "duplicate-warning")
    page.get_by_role("button", name="This is another child: register").click()
    expect(page.locator(".message.success")).to_contain_text("is open")
    assert Case.objects.filter(child__family_name="Chan").count() == 2

    page.goto(f"/cases/{first.pk}/")
    page.get_by_role("link", name="Risk", exact=True).click()  # an htmx tab
    expect(page).to_have_url(f"{page.url.split('/cases/')[0]}/cases/{first.pk}/risk/")
    page.get_by_role("link", name="Assess risk").click()
    photograph(page, "risk-form")
    assess_low_risk(page)
    expect(page.locator(".result")).to_contain_text("Low")
    photograph(page, "risk-result")
    assert RiskAssessment.objects.get(case=first).risk_level == "low"

    for tab in ["Profile and family", "Concerns", "Case plan", "Notes", "History"]:
        page.goto(f"/cases/{first.pk}/")
        page.get_by_role("link", name=tab, exact=True).click()
        expect(page.locator("#tab-heading")).to_have_text(tab)
        photograph(page, f"tab-{tab.split()[0].lower()}")


def test_the_same_journey_in_khmer(world: World, open_page: Any, photograph: Photographer) -> None:
    page = open_page()
    page.goto("/accounts/login/")
    page.locator("button[name=language][value=km]").click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    sign_in(page, world.worker.username, photograph)
    world.worker.refresh_from_db()
    assert world.worker.preferred_language == ""  # chosen before signing in: the cookie only
    page.locator("button[name=language][value=km]").count()  # already Khmer: no such button
    photograph(page, "my-work")

    register_child(page, world, "Srey Mom")
    photograph(page, "registration-form")
    page.locator("form button[type=submit]:not([name])").last.click()
    expect(page.locator(".message.success")).to_be_visible()
    case = Case.objects.get(child__given_name="Srey Mom")
    photograph(page, "case-file")
    # The page speaks Khmer, in a Khmer font that ships with the application.
    expect(page.locator("nav.tabs")).to_contain_text("ហានិភ័យ")
    assert page.evaluate("document.fonts.check('16px \"Noto Sans Khmer\"', 'ក')")

    page.goto(f"/cases/{case.pk}/risk/new/")
    assess_low_risk(page)
    expect(page.locator(".result")).to_contain_text("ទាប")
    photograph(page, "risk-result")

    # Choosing the language while signed in is remembered on the account, for every device.
    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("button[name=language][value=km]").click()
    world.worker.refresh_from_db()
    assert world.worker.preferred_language == "km"
    other_device = open_page(locale="en-GB")
    sign_in(other_device, world.worker.username)
    expect(other_device.locator("html")).to_have_attribute("lang", "km")


def test_the_case_list_reads_on_a_360_px_phone(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    for number in range(8):
        CaseFactory.create(
            owner=world.worker,
            location=world.pp_village,
            child=ChildFactory.create(
                location=world.pp_village, given_name_km=f"{GIVEN_KM}{number}"
            ),
        )
    page = open_page(viewport=PHONE)
    sign_in(page, world.worker.username)

    page.goto("/cases/")
    expect(page.locator("#case-results")).to_contain_text(world.own_case.case_number)
    photograph(page, "case-list-phone")
    page.locator("#id_q").fill(f"{GIVEN_KM}3")
    expect(page.locator("#case-results li")).to_have_count(1)
    photograph(page, "case-list-phone-search")

    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"/cases/{world.own_case.pk}/")
    photograph(page, "case-file-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
