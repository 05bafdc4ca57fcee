"""A child reported at risk, in Khmer on a phone: a commune committee member reports a girl of
her commune with the little she knows; the provincial office's supervisor finds the report on
his home, opens a case from it with the registration form already filled in; the member sees
that the office acted, and nothing of the case."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cases.models import Case
from intake.models import ConcernReport
from tests.browser.conftest import PHONE, Photographer
from tests.browser.test_phone_layout import LANGUAGES, assert_no_sideways_scroll, open_signed_in
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEEN = "កុមារីម្នាក់នៅផ្ទះម្នាក់ឯង គ្មានអាហារបីថ្ងៃហើយ"


def test_a_commune_member_reports_a_child_and_the_office_opens_a_case(
    world: World, *, open_page: Any, photograph: Photographer
) -> None:
    language, locale = LANGUAGES[1]
    member = open_signed_in(open_page, world.commune_member, language, locale, PHONE)
    member.locator("a[href='/concerns/']").first.click()
    member.locator("a[href='/concerns/new/']").first.click()
    member.locator("input[name=urgency][value=urgent]").check()
    # Her commune's villages are offered without searching.
    member.locator(f"input[name=location][value='{world.pp_village.pk}']").check()
    member.locator("select[name=concern]").select_option("neglect")
    member.locator("textarea[name=description]").fill(SEEN)
    member.locator("input[name=child_name]").fill("ស.ន")
    member.locator("input[name=age]").fill("8")
    member.locator("input[name=sex][value=female]").check()
    assert_no_sideways_scroll(member)
    photograph(member, "report-form")
    member.locator("form[action='/concerns/new/'] .actions button[type=submit]").click()
    member.wait_for_load_state()
    report = ConcernReport.objects.get()
    assert report.age == 8
    assert report.description == SEEN
    expect(member.locator("main")).to_contain_text(world.dosvy_pp.name)
    photograph(member, "report-sent")

    office = open_signed_in(open_page, world.dosvy_officer, language, locale, PHONE)
    expect(office.locator("#report-queue")).to_be_visible()
    office.goto(f"/concerns/{report.pk}/")
    office.locator(f"a[href='/concerns/{report.pk}/open-case/']").click()
    expect(office.locator("input[name=given_name_km]")).to_have_value("ស.ន")
    office.locator("input[name=given_name_km]").fill("ស្រីនិច")
    office.locator("input[name=family_name_km]").fill("សុខ")
    assert_no_sideways_scroll(office)
    photograph(office, "open-case")
    office.locator("form[action$='/open-case/'] button[type=submit]").last.click()
    office.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == "case_opened"
    assert report.case_id is not None
    case = Case.objects.get(pk=report.case_id)
    expect(office).to_have_url(f"{office.url.split('/cases/')[0]}/cases/{case.pk}/")

    member.goto(f"/concerns/{report.pk}/")
    expect(member.locator(".notice")).to_be_visible()
    assert case.case_number not in member.content()
    photograph(member, "report-answered")
    answer = member.goto(f"/cases/{case.pk}/")
    assert answer is not None
    assert answer.status == 404
