"""The pages each role lands on, measured rather than looked at: a home for every role, moving a
worker's cases and telling the new owner, a case history that reads as a story, notifications
that say what to do and settle once it is done, the language button and the site's own "not
found" page, and the demonstration data. At 360 px and at 1280 px, in English and in Khmer."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import User
from cases.models import Case, Child
from cases.policy import case_get
from cases.services.case import case_update
from notifications.models import Notification, NotificationKind
from notifications.reminders import run_sweep
from referrals.choices import ReferralStatus
from referrals.models import Referral
from reintegration.choices import WellbeingDomain
from reintegration.models import FollowUp
from tests.browser.conftest import DESKTOP, PHONE, Photographer
from tests.browser.test_journeys import sign_in
from tests.browser.test_phone_layout import (
    LANGUAGES,
    assert_no_sideways_scroll,
    boxes,
    open_signed_in,
    speaking,
)
from tests.conftest import World
from tests.factories import CaseFactory
from tests.reintegration.helpers import months_ago, reintegrate
from tests.web.test_referral_pages import refer

# The live server commits for real: every test empties the tables afterwards, and the data the
# migrations loaded is put back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEWPORTS = [PHONE, DESKTOP]
LOCALES = dict(LANGUAGES)


def said(language: str, text: str) -> str:
    """``text`` as the pages say it in ``language``; a Khmer page must not fall back to the
    English."""
    with translation.override(language):
        translated = gettext(text)
    if language != "en":
        assert translated != text, f"{text!r} has no {language} translation"
    return translated


def assert_fills_the_page(page: Page, selector: str) -> None:
    """The element is shown, inside the screen's width, and takes the page's width rather than
    being squeezed to a column."""
    expect(page.locator(selector).first).to_be_visible()
    width = page.viewport_size["width"] if page.viewport_size else 0
    (main,) = boxes(page, "main")
    box = boxes(page, selector)[0]
    assert box["left"] >= 0, box
    assert box["right"] <= width, box
    assert box["width"] >= 0.8 * min(main["width"], width), (box, main)
    assert_no_sideways_scroll(page)


def assert_no_latin_words(page: Page, selector: str) -> None:
    """Headings, menus and buttons of a Khmer page are all in Khmer (names aside, which these
    never hold)."""
    for box in boxes(page, selector):
        assert not re.search(r"[A-Za-z]{2,}", box["text"]), box["text"]


def at_each_width(page: Page, photograph: Photographer, step: str, *selectors: str) -> None:
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        photograph(page, f"{step}-{viewport['width']}")
        for selector in selectors:
            assert_fills_the_page(page, selector)


# --- 1. A home for each role ------------------------------------------------------------------


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_each_role_has_a_home_of_its_own(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    # Something in each list: a visit due today in the commune, a child the police officer
    # holds and one she referred.
    reintegration = reintegrate(world, on=months_ago(1), case=world.own_case)
    visit = FollowUp.objects.filter(reintegration=reintegration).order_by("sequence").first()
    assert visit is not None
    held = CaseFactory.create(owner=world.police, location=world.pp_village)
    referral = refer(world, case=CaseFactory.create(owner=world.police, location=world.pp_village))
    all_my_cases = said(language, "All my cases")

    def home_of(user: User) -> Page:
        page = open_signed_in(open_page, user, language, locale)
        expect(page.locator("h1")).to_have_text(said(language, "My work"))
        if language == "km":
            assert_no_latin_words(page, ".mainnav a, main h1, main h2, main a.button")
        return page

    page = home_of(world.system_admin)
    expect(page.locator("#administration-heading")).to_have_text(said(language, "Administration"))
    expect(page.locator("main a[href='/manage/users/']")).to_be_visible()
    expect(page.get_by_role("link", name=all_my_cases, exact=True)).to_have_count(0)
    at_each_width(
        page, photograph, f"system-admin-{language}", "section:has(#administration-heading)"
    )

    page = home_of(world.agency_admin)
    expect(page.locator("#agency-people")).to_contain_text(world.worker.full_name)
    expect(page.get_by_role("link", name=all_my_cases, exact=True)).to_have_count(0)
    at_each_width(page, photograph, f"agency-admin-{language}", "#agency-people")

    page = home_of(world.commune_member)
    due = page.locator(f"#due-visits a[href='/follow-ups/{visit.pk}/']")
    expect(due).to_be_visible()
    expect(page.locator("#due-visits")).to_contain_text(world.own_case.child.given_name)
    expect(page.get_by_role("link", name=all_my_cases, exact=True)).to_have_count(0)
    at_each_width(page, photograph, f"commune-{language}", "#due-visits")

    page = home_of(world.police)
    expect(page.locator("#cases-to-refer")).to_contain_text(held.case_number)
    expect(page.locator(f"#referrals-made a[href='/referrals/{referral.pk}/']")).to_be_visible()
    at_each_width(page, photograph, f"police-{language}", "#cases-to-refer", "#referrals-made")

    page = home_of(world.worker)
    expect(page.locator("#visits-heading")).to_be_visible()
    expect(page.locator("#caseload-heading")).to_have_count(0)  # no team of her own
    expect(page.get_by_role("link", name=all_my_cases, exact=True)).to_be_visible()
    at_each_width(page, photograph, f"worker-{language}", "section:has(#visits-heading)")

    page = home_of(world.supervisor)
    expect(page.locator("#caseload-heading")).to_have_text(said(language, "My team's caseload"))
    expect(page.locator("section:has(#caseload-heading) table")).to_contain_text(
        world.worker.get_short_name()
    )
    # At her desk; on the phone, see the test below.
    page.set_viewport_size(DESKTOP)
    photograph(page, f"supervisor-{language}-1280")
    assert_fills_the_page(page, "section:has(#caseload-heading)")

    # The analyst holds no cases: her work is the statistics.
    page = open_page(viewport=PHONE, locale=locale)
    speaking(world.analyst, language)
    sign_in(page, world.analyst.username)
    expect(page).to_have_url(f"{page.url.split('/statistics/')[0]}/statistics/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("link", name=all_my_cases, exact=True)).to_have_count(0)
    at_each_width(page, photograph, f"analyst-{language}", "main h1")


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_the_supervisors_team_caseload_fits_her_phone(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    page = open_signed_in(open_page, world.supervisor, language, locale, PHONE)
    for path in ("/", "/statistics/caseload/"):
        page.goto(path)
        photograph(page, f"caseload-{path.strip('/').replace('/', '-') or 'home'}-{language}")
        (frame,) = boxes(page, "main .table-wrap")
        assert frame["right"] <= PHONE["width"], frame
        # The table scrolls inside its frame; the page itself does not.
        assert_no_sideways_scroll(page)


# --- 2. Moving a worker's cases ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "viewport"), [("km", PHONE), ("en", DESKTOP)], ids=["km-phone", "en-desk"]
)
def test_a_supervisor_moves_cases_and_the_new_owner_is_told_what_to_do(
    world: World,
    open_page: Any,
    photograph: Photographer,
    language: str,
    viewport: ViewportSize,
) -> None:
    first, second, kept = (
        CaseFactory.create(owner=world.worker, location=world.pp_village) for _ in range(3)
    )
    page = open_signed_in(open_page, world.supervisor, language, LOCALES[language], viewport)
    # From her team's caseload: the worker's row leads to the worker's cases.
    page.goto("/statistics/caseload/")
    reassign = page.locator(f"a[href='/cases/workers/{world.worker.pk}/reassign/']")
    expect(reassign).to_have_text(said(language, "Reassign cases"))
    reassign.click()
    expect(page).to_have_url(
        f"{page.url.split('/cases/')[0]}/cases/workers/{world.worker.pk}/reassign/"
    )
    photograph(page, f"reassign-{language}-{viewport['width']}")
    assert_no_sideways_scroll(page)
    for case in (first, second):
        page.locator(f"#case-{case.pk}").check()
    owner = page.locator("select[name=owner]")
    expect(owner.locator("option").first).to_have_text(said(language, "Choose a worker"))
    owner.select_option(str(world.teammate.pk))
    (select,) = boxes(page, "select[name=owner]")
    assert select["right"] <= viewport["width"]
    page.get_by_role("button", name=said(language, "Move the cases ticked")).click()

    expect(page.locator(".message.success")).to_contain_text(first.case_number)
    expect(page.locator(".message.success")).to_contain_text(second.case_number)
    photograph(page, f"reassigned-{language}-{viewport['width']}")
    assert_no_sideways_scroll(page)
    owners = dict(
        Case.objects.filter(pk__in=[first.pk, second.pk, kept.pk]).values_list("pk", "owner")
    )
    assert owners == {
        first.pk: world.teammate.pk,
        second.pk: world.teammate.pk,
        kept.pk: world.worker.pk,
    }

    # The new owner is told, in her language, what to do, and the notice leads to the case.
    page = open_signed_in(open_page, world.teammate, language, LOCALES[language], viewport)
    bell = page.locator(".topbar .bell")
    expect(bell.locator(".count")).to_have_text("2")
    bell.click()
    notice = page.locator("li.unread", has_text=first.case_number)
    expect(notice).to_contain_text(said(language, "Case assigned to you"))
    expect(notice.locator(".next-step")).to_have_text(said(language, "Open the case"))
    expect(notice.locator(".badge")).to_have_text(said(language, "New"))
    photograph(page, f"told-{language}-{viewport['width']}")
    for box in boxes(page, "li.unread"):
        assert box["right"] <= viewport["width"], box
    assert_no_sideways_scroll(page)
    notice.locator("button").click()
    expect(page).to_have_url(f"{page.url.split('/cases/')[0]}/cases/{first.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(bell.locator(".count")).to_have_text("1")
    photograph(page, f"case-opened-{language}-{viewport['width']}")


# --- 3. The case history ----------------------------------------------------------------------


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_the_case_history_reads_as_a_story(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    world.worker.full_name = "Sok Dara"
    world.worker.save(update_fields=["full_name"])
    world.supervisor.full_name = "Chea Sreymom"
    world.supervisor.save(update_fields=["full_name"])
    case = world.own_case
    # The worker reads the file three times and edits it; her supervisor reads it twice.
    for _ in range(3):
        case_get(world.worker, case.pk, read="file")
    case_update(
        actor=world.worker,
        case=case,
        changes={"summary": "Back at school since Monday.", "source": "police"},
    )
    for _ in range(2):
        case_get(world.supervisor, case.pk, read="file")

    page = open_signed_in(open_page, world.worker, language, locale)
    page.goto(f"/cases/{case.pk}/history/")
    rows = page.locator("#tab-panel tbody tr")
    expect(rows.first).to_be_visible()
    photograph(page, f"history-{language}")

    lines = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]
    read = said(language, "Case file read")
    edited = said(language, "Case edited")
    who_did_what = [(who, what) for _when, who, what in lines]
    # People by their names, never their usernames.
    assert {who for who, _what in who_did_what} >= {"Sok Dara", "Chea Sreymom"}
    assert not {who for who, _what in who_did_what} & {"worker", "supervisor"}
    # Three readings in a row are one line, and so are two; the edit names what changed.
    with translation.override(language):
        three, two = (
            f"{read} ({ngettext('%(times)s time', '%(times)s times', n) % {'times': n}})"
            for n in (3, 2)
        )
    reading_lines = [(who, what) for who, what in who_did_what if what.startswith(read)]
    assert reading_lines == [("Sok Dara", three), ("Chea Sreymom", two)], lines
    (edit,) = [what for who, what in who_did_what if what.startswith(edited)]
    assert said(language, "Summary") in edit, edit
    assert "Back at school" not in edit  # the field is named, its value is not repeated

    # On the phone the table scrolls in its own frame, and the page does not.
    assert_no_sideways_scroll(page)
    (frame,) = boxes(page, "#tab-panel .table-wrap")
    assert frame["right"] <= PHONE["width"]
    for cell in boxes(page, "#tab-panel tbody td:nth-child(3)"):
        assert cell["width"] >= 80, cell  # the story is readable, not a letter a line


# --- 4. Notifications say what to do and settle ------------------------------------------------


def test_a_visit_notice_says_what_to_do_and_settles_once_the_visit_is_recorded(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    language, locale = "km", "km-KH"
    # The child went home a month ago: her first visit is due today, and the sweep tells the
    # commune member and the follow-up worker.
    reintegration = reintegrate(world, on=months_ago(1), case=world.own_case)
    visit = FollowUp.objects.filter(reintegration=reintegration).order_by("sequence").first()
    assert visit is not None
    assert run_sweep(now=timezone.now()) >= 2
    notices = Notification.objects.filter(
        kind=NotificationKind.FOLLOW_UP_DUE, follow_up_id=visit.pk
    )
    assert set(notices.values_list("recipient__username", flat=True)) == {
        "commune_member",
        "teammate",
    }

    # The follow-up worker's notice leads to the visit.
    page = open_signed_in(open_page, world.teammate, "en", "en-GB", DESKTOP)
    page.goto("/notifications/")
    page.locator("li.unread", has_text=world.own_case.case_number).locator("button").click()
    expect(page).to_have_url(f"{page.url.split('/follow-ups/')[0]}/follow-ups/{visit.pk}/")
    photograph(page, "notice-opened-en-1280")

    page = open_signed_in(open_page, world.commune_member, language, locale, PHONE)
    bell = page.locator(".topbar .bell")
    expect(bell.locator(".count")).to_have_text("1")
    bell.click()
    notice = page.locator("li.unread", has_text=world.own_case.case_number)
    expect(notice).to_contain_text(said(language, "Follow-up visit due"))
    expect(notice.locator(".next-step")).to_have_text(said(language, "Record the visit"))
    expect(notice.locator(".badge")).to_have_text(said(language, "New"))
    photograph(page, f"notice-new-{language}")
    assert_no_sideways_scroll(page)

    # She goes to the visit from her home, not from the notice, and records it.
    page.goto("/")
    page.locator(f"#due-visits a[href='/follow-ups/{visit.pk}/']").click()
    page.locator("input[name=outcome][value=stable]").check()
    for domain in WellbeingDomain.values:
        page.locator(f"input[name=score_{domain}][value='4']").check()
    page.get_by_role("button", name=said(language, "Save the visit")).click()
    expect(page.locator(".message.success")).to_contain_text(
        said(language, "The visit is recorded.")
    )

    # The work is done: the notice is no longer new, and the bell has nothing to count.
    expect(bell.locator(".count")).to_have_count(0)
    bell.click()
    expect(page.locator("li", has_text=world.own_case.case_number)).to_have_count(1)
    expect(page.locator("li.unread")).to_have_count(0)
    expect(page.locator("li .badge")).to_have_count(0)
    photograph(page, f"notice-settled-{language}")
    assert not notices.filter(read_at__isnull=True).exists()


# --- 5. The language button, and choices that say what to choose -------------------------------


def test_the_language_button_names_the_other_language_in_its_own_script(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    page = open_page(viewport=PHONE)
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    button = page.locator(".topbar button[name=language]")
    expect(button).to_have_count(1)
    expect(button).to_have_text("ខ្មែរ")
    expect(button).to_have_attribute("lang", "km")
    expect(button).to_be_in_viewport()
    photograph(page, "language-en")
    button.click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(button).to_have_text("English")
    expect(button).to_have_attribute("lang", "en")
    expect(button).to_be_in_viewport()
    photograph(page, "language-km")

    # Every list to choose from, in Khmer, begins with a word of the page, not with dashes.
    page = open_signed_in(open_page, world.supervisor, "km", "km-KH")
    expect(page.locator(".topbar button[name=language]")).to_have_text("English")
    pages = [
        "/cases/",
        "/cases/new/",
        f"/cases/{world.own_case.pk}/",
        f"/cases/workers/{world.worker.pk}/reassign/",
    ]
    selects = 0
    for path in pages:
        page.goto(path)
        for select in page.locator("main select").all():
            selects += 1
            options = select.locator("option").all_text_contents()
            assert options, path
            assert not any(text.strip().startswith("---") for text in options), (path, options)
            assert options[0].strip(), (path, options)
    assert selects >= 4
    photograph(page, "choose-a-worker-km")


# --- 6. The site's own "not found" page -------------------------------------------------------


@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_a_missing_case_shows_the_sites_own_not_found_page(
    world: World, open_page: Any, photograph: Photographer, language: str, locale: str
) -> None:
    page = open_signed_in(open_page, world.worker, language, locale)
    answer = page.goto("/cases/999999/")
    assert answer is not None
    assert answer.status == 404
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(said(language, "Not found"))
    expect(page.locator(".topbar .brand")).to_be_visible()
    expect(page.locator(".topbar .bell")).to_be_visible()
    expect(page.locator("main a[href='/']")).to_have_text(said(language, "Back to my work"))
    text = page.locator("body").inner_text()
    for debug_words in ("Page not found at", "URLconf", "urlpatterns", "Request URL", "Raised by"):
        assert debug_words not in text
    at_each_width(page, photograph, f"not-found-{language}", "main h1")

    icon = page.locator("head link[rel=icon]")
    expect(icon).to_have_count(1)
    href = icon.get_attribute("href")
    assert href is not None
    assert href.startswith("/static/"), href
    favicon = page.request.get(href)
    assert favicon.status == 200
    assert favicon.headers["content-type"].startswith("image/"), favicon.headers


# --- 7. The demonstration data ----------------------------------------------------------------


def test_the_demo_supervisor_finds_the_referral_waiting_for_her_ngo(
    settings: Any, tmp_path: Path, open_page: Any, photograph: Photographer
) -> None:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    logins = dict(line.split() for line in out.getvalue().splitlines()[1:] if line.strip())
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.SENT

    page = open_page(viewport=DESKTOP)
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("ngo_supervisor")
    page.locator("#id_password").fill(logins["ngo_supervisor"])
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("My work")
    waiting = page.locator(f"#referrals-to-answer a[href='/referrals/{referral.pk}/']")
    expect(waiting).to_be_visible()
    expect(waiting).to_contain_text(referral.from_agency.name)
    photograph(page, "demo-ngo-supervisor-home")
    assert_fills_the_page(page, "#referrals-to-answer")
    waiting.click()
    expect(page.locator("h1")).to_contain_text(referral.from_agency.name)
    expect(page.get_by_role("button", name="Accept", exact=True)).to_be_visible()
    photograph(page, "demo-referral")

    # The children are invented, and named unlike any of the staff.
    staff = {
        word for name in User.objects.values_list("full_name", flat=True) for word in name.split()
    }
    children = list(Child.objects.values_list("given_name", "family_name"))
    assert children
    for given, family in children:
        assert not {given, family} & staff, given
