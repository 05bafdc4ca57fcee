"""What a phone shows, measured rather than looked at: the risk answers reflow, every part of the
case file is in sight, a failed save shows its error summary and moves the focus to it, and the
header leaves the screen to the page. At 360 px and at 1280 px, in English and in Khmer."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import User
from reintegration.models import FollowUp
from tests.browser.conftest import DESKTOP, PHONE, Photographer
from tests.browser.test_journeys import assess_low_risk, sign_in
from tests.conftest import World
from tests.reintegration.helpers import months_ago, reintegrate

# The live server commits for real: every test empties the tables afterwards, and the data the
# migrations loaded (the risk instrument among it) is put back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = [("en", "en-GB"), ("km", "km-KH")]
VIEWPORTS = [PHONE, DESKTOP]

# Each element's box, and the lines its text takes, as the page lays them out.
BOXES = """selector => [...document.querySelectorAll(selector)].map(element => {
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom,
          width: box.width, height: box.height,
          lineHeight: parseFloat(style.lineHeight), text: element.textContent.trim()};
})"""


def boxes(page: Page, selector: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(BOXES, selector)
    assert found, f"nothing matches {selector}"
    return found


def assert_inside(part: dict[str, Any], whole: dict[str, Any]) -> None:
    assert part["left"] >= whole["left"], part
    assert part["right"] <= whole["right"], part
    assert part["top"] >= whole["top"], part
    assert part["bottom"] <= whole["bottom"], part


def speaking(user: User, language: str) -> None:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


def open_signed_in(
    open_page: Any, user: User, language: str, locale: str, viewport: ViewportSize = PHONE
) -> Page:
    speaking(user, language)
    page = open_page(viewport=viewport, locale=locale)
    sign_in(page, user.username)
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def assert_error_summary_has_focus(page: Page, language: str, below: str) -> None:
    """The summary is shown, in the page's language, above the form's first field, inside the
    screen, and holds the focus."""
    with translation.override(language):
        nothing_saved = gettext("Nothing was saved: please correct what is marked below.")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(nothing_saved)
    viewport = page.viewport_size
    assert viewport is not None
    (box,) = boxes(page, "[data-error-summary]")
    assert box["top"] >= 0
    assert box["bottom"] <= viewport["height"]
    assert box["right"] <= viewport["width"]
    assert box["bottom"] <= boxes(page, below)[0]["top"]
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_the_risk_answers_reflow_at_every_width(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    page = open_signed_in(open_page, world.worker, language, locale)
    page.goto(f"/cases/{world.own_case.pk}/risk/new/")
    # Saved without an answer: the summary at the top takes the focus.
    page.locator("form[data-confirm] button[type=submit]").click()
    assert_error_summary_has_focus(page, language, below="fieldset:has(input[name^=q_])")
    photograph(page, f"risk-errors-{language}")

    assess_low_risk(page)
    expect(page.locator(".facts.answers")).to_be_visible()
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        photograph(page, f"risk-answers-{language}-{viewport['width']}")
        (answers,) = boxes(page, ".facts.answers")
        questions = boxes(page, ".facts.answers dt")
        answered = boxes(page, ".facts.answers dd")
        assert len(questions) == len(answered) > 1
        for question, answer in zip(questions, answered, strict=True):
            # A short answer on one line, as wide as a quarter of the list at least (it was once
            # squeezed to a letter a line beside its question).
            assert answer["width"] >= answers["width"] / 4, answer
            assert answer["height"] < 2 * answer["lineHeight"], answer
            if viewport == PHONE:  # under its question
                assert answer["top"] >= question["bottom"] - 1
                assert answer["width"] == pytest.approx(answers["width"], abs=1)
            else:  # beside it
                assert answer["top"] == pytest.approx(question["top"], abs=1)
                assert answer["left"] >= question["right"]
        assert_no_sideways_scroll(page)


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_every_part_of_the_case_file_is_in_sight(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    for viewport in VIEWPORTS:
        page = open_signed_in(open_page, world.worker, language, locale, viewport)
        page.goto(f"/cases/{world.own_case.pk}/")
        tabs = page.locator("nav.tabs a")
        expect(tabs).to_have_count(14)  # the owner sees every part of her case's file
        # The last part, opened in place (htmx), is marked current and stays in sight.
        tabs.last.click()
        expect(page).to_have_url(
            f"{page.url.split('/cases/')[0]}/cases/{world.own_case.pk}/history/"
        )
        expect(tabs.last).to_have_attribute("aria-current", "page")
        photograph(page, f"tabs-{language}-{viewport['width']}")

        (nav,) = boxes(page, "nav.tabs")
        assert page.evaluate(
            "() => { const nav = document.querySelector('nav.tabs');"
            " return nav.scrollWidth <= nav.clientWidth; }"
        ), "the tabs scroll sideways"
        assert nav["right"] <= viewport["width"]
        assert nav["height"] <= viewport["height"] / 3  # all of them in one glance
        for tab in boxes(page, "nav.tabs a"):
            assert_inside(tab, nav)
            assert tab["height"] < 2 * tab["lineHeight"] + 16, tab  # a label on one line
        for index in range(10):
            expect(tabs.nth(index)).to_be_in_viewport()
        assert_no_sideways_scroll(page)


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_a_failed_visit_save_shows_the_error_summary_and_moves_the_focus_to_it(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    reintegration = reintegrate(world, on=months_ago(1), case=world.own_case)
    visit = FollowUp.objects.filter(reintegration=reintegration).order_by("sequence").first()
    assert visit is not None
    with translation.override(language):
        save = gettext("Save the visit")
        plan_new = gettext("Plan a new visit")
    for viewport in VIEWPORTS:
        page = open_signed_in(open_page, world.commune_member, language, locale, viewport)
        page.goto(f"/follow-ups/{visit.pk}/")
        expect(page.locator("[data-error-summary]")).to_have_count(0)
        # Saved with neither outcome nor scores: nothing is saved, and the phone says so at once.
        page.get_by_role("button", name=save).click()
        first_field = "form[action$='/complete/'] input[name=visit_date]"
        assert_error_summary_has_focus(page, language, below=first_field)
        photograph(page, f"visit-errors-{language}-{viewport['width']}")
        # The other form on the page: a new visit planned without a reason.
        page.get_by_role("button", name=plan_new).click()
        first_field = "form[action$='/reschedule/'] input[name=new_date]"
        assert_error_summary_has_focus(page, language, below=first_field)
        photograph(page, f"reschedule-errors-{language}-{viewport['width']}")
    visit.refresh_from_db()
    assert visit.status == "scheduled"


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_the_header_leaves_the_phone_screen_to_the_page(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    # The supervisor's menu has one link more (statistics); a long name is cut short, not wrapped.
    world.supervisor.full_name = "Chanthavy Sreyneang Sovannarith"
    world.supervisor.save(update_fields=["full_name"])
    for user in (world.worker, world.supervisor):
        for viewport in VIEWPORTS:
            page = open_signed_in(open_page, user, language, locale, viewport)
            page.goto(f"/cases/{world.own_case.pk}/")
            photograph(page, f"header-{user.username}-{language}-{viewport['width']}")
            (header,) = boxes(page, ".topbar")
            # At most a seventh of the phone's height (it took two sevenths): two rows, three
            # when the supervisor's longer menu wraps.
            assert header["height"] <= (110 if viewport == PHONE else 70), header
            for part in boxes(page, ".topbar .brand, .mainnav a, .tools > *"):
                assert_inside(part, {**header, "left": 0, "right": viewport["width"]})
            expect(page.locator(".topbar button[name=language]")).to_be_in_viewport()
            assert_no_sideways_scroll(page)
