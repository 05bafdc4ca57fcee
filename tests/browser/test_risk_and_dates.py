"""The risk form tells the level and what it requires while the answers are given, with the
child's age band already filled in from the case file; and a date is typed day first, in Latin
or Khmer digits, and shown in the reader's language. At 360 px and at 1280 px, in English and in
Khmer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext
from playwright.sync_api import Page, ViewportSize, expect

from cases.choices import RiskLevel
from cases.models import CaseNote, RiskAssessment
from tests.browser.conftest import DESKTOP, PHONE, Photographer
from tests.browser.test_phone_layout import (
    LANGUAGES,
    assert_no_sideways_scroll,
    boxes,
    open_signed_in,
)
from tests.conftest import World

# The live server commits for real: every test empties the tables afterwards, and the data the
# migrations loaded (the risk instrument among it) is put back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SIZES = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
SAFETY_PLAN = "Stays with the aunt tonight; the worker visits at 9 tomorrow."


def said(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def level_name(language: str, level: RiskLevel) -> str:
    with translation.override(language):
        return str(level.label)


def answer(page: Page, question: str, option: str) -> None:
    page.locator(f"input[name=q_{question}][value='{option}']").check()


def save_note(page: Page) -> None:
    page.locator("form:has(#id_date) button[type=submit]").click()


def assert_in_sight(page: Page, selector: str) -> None:
    viewport = page.viewport_size
    assert viewport is not None
    (box,) = boxes(page, selector)
    assert box["left"] >= 0
    assert box["right"] <= viewport["width"]


@pytest.mark.parametrize("viewport", SIZES)
@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_the_level_and_the_safety_plan_show_before_saving(
    world: World,
    open_page: Any,
    photograph: Photographer,
    *,
    language: str,
    locale: str,
    viewport: ViewportSize,
) -> None:
    child = world.own_case.child
    today = timezone.localdate()
    child.date_of_birth = today.replace(year=today.year - 8, day=1) - timedelta(days=1)
    child.estimated_age = None
    child.save()
    page = open_signed_in(open_page, world.worker, language, locale, viewport)
    page.goto(f"/cases/{world.own_case.pk}/risk/new/")
    preview = page.locator("#risk-preview")
    safety_plan = page.locator("#id_safety_plan")

    # The age band comes from the case file, said so, and nothing else is answered.
    expect(page.locator("input[name=q_child_age][value='6_11']")).to_be_checked()
    expect(page.locator("input[type=radio]:checked")).to_have_count(1)
    expect(page.locator("fieldset:has(input[name=q_child_age])")).to_contain_text(
        said(language, "Filled in from the case file; change it if it is wrong.")
    )
    expect(preview).to_have_attribute("aria-live", "polite")
    expect(safety_plan).not_to_have_attribute("aria-required", "true")
    photograph(page, f"risk-prefilled-{language}-{viewport['width']}")

    # A child in immediate danger: critical at once, and the safety plan required.
    answer(page, "immediate_danger", "yes")
    expect(preview.locator(".badge")).to_have_text(level_name(language, RiskLevel.CRITICAL))
    expect(preview).to_contain_text(
        said(
            language,
            "A safety plan is required: write the immediate safety plan below before saving.",
        )
    )
    expect(safety_plan).to_have_attribute("aria-required", "true")
    assert safety_plan.evaluate("field => field.required")
    preview.scroll_into_view_if_needed()
    assert_in_sight(page, "#risk-preview")
    assert_no_sideways_scroll(page)
    photograph(page, f"risk-critical-{language}-{viewport['width']}")

    # Every question answered mildly: low, no safety plan, the deadlines shown.
    for group in page.locator("fieldset:has(input[name^=q_])").all():
        group.locator("input[type=radio]").first.check()
    answer(page, "child_age", "6_11")
    expect(preview.locator(".badge")).to_have_text(level_name(language, RiskLevel.LOW))
    expect(preview).to_contain_text(said(language, "No safety plan is required at this level."))
    expect(preview).to_contain_text(said(language, "Respond within"))
    expect(safety_plan).to_have_attribute("aria-required", "false")

    # Confined: at least high, whatever the total; the plan is required again.
    answer(page, "confinement", "yes")
    expect(preview.locator(".badge")).to_have_text(level_name(language, RiskLevel.HIGH))
    expect(safety_plan).to_have_attribute("aria-required", "true")
    assert_no_sideways_scroll(page)
    photograph(page, f"risk-high-{language}-{viewport['width']}")

    # Saved with the plan the page asked for: the level recorded is the level shown.
    safety_plan.fill(SAFETY_PLAN)
    page.locator("form[data-confirm] button[type=submit]").click()
    page.wait_for_url(f"**/cases/{world.own_case.pk}/risk/*/")
    assessment = RiskAssessment.objects.get(case=world.own_case)
    assert assessment.risk_level == RiskLevel.HIGH
    assert assessment.answers["child_age"] == "6_11"
    photograph(page, f"risk-saved-{language}-{viewport['width']}")


@pytest.mark.parametrize("viewport", SIZES)
@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_a_date_is_typed_day_first_and_shown_in_the_readers_language(
    world: World,
    open_page: Any,
    photograph: Photographer,
    *,
    language: str,
    locale: str,
    viewport: ViewportSize,
) -> None:
    page = open_signed_in(open_page, world.worker, language, locale, viewport)
    page.goto(f"/cases/{world.own_case.pk}/notes/")
    page.locator("details:has(#id_date) > summary").click()
    field = page.locator("#id_date")
    today = timezone.localdate()

    # A text input showing today day first, with the shape to type and a number pad.
    expect(field).to_have_attribute("type", "text")
    expect(field).to_have_attribute("inputmode", "numeric")
    expect(field).to_have_attribute("placeholder", said(language, "dd/mm/yyyy"))
    expect(field).to_have_value(today.strftime("%d/%m/%Y"))
    assert_in_sight(page, "#id_date")
    assert_no_sideways_scroll(page)

    # What is no date is refused beside the field, saying how to type one.
    field.fill("31/02/2026")
    page.locator("#id_text").fill("Visited the family.")
    save_note(page)
    expect(page.locator(".field:has(#id_date) div.error")).to_contain_text(
        said(language, "Enter the date as day/month/year, for example 25/12/2026.")
    )
    expect(page.locator("#id_date")).to_have_value("31/02/2026")
    assert not CaseNote.objects.filter(case=world.own_case, text="Visited the family.").exists()
    photograph(page, f"date-refused-{language}-{viewport['width']}")

    # Typed day first; in Khmer, in Khmer digits.
    day = today - timedelta(days=3)
    typed = day.strftime("%d/%m/%Y")
    page.locator("#id_date").fill(typed.translate(KHMER_DIGITS) if language == "km" else typed)
    page.locator("#id_text").fill("Visited the family.")
    photograph(page, f"date-typed-{language}-{viewport['width']}")
    save_note(page)
    shown = page.locator(".cards li", has_text="Visited the family.")
    expect(shown.locator("strong")).to_have_text(shown_date(language, day))
    note = CaseNote.objects.get(case=world.own_case, text="Visited the family.")
    assert note.date == day
    assert_no_sideways_scroll(page)
    photograph(page, f"date-shown-{language}-{viewport['width']}")


def shown_date(language: str, day: date) -> str:
    """The date as the pages show it: "3 Dec 2026" in English, with the month's Khmer name in
    Khmer."""
    if language == "en":
        return f"{day.day} {day:%b} {day.year}"
    with translation.override(language):
        month = str(MONTHS[day.month])
    return f"{day.day} {month} {day.year}"
