"""A referral between two agencies in the browser: a social worker refers a registered child to
a shelter NGO, choosing it among the service directory's suggestions; a worker of the shelter
signs in, finds it waiting on her home page and accepts it, giving the child to a colleague."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.choices import AgencyType
from accounts.models import AgencyService
from cases.models import Consent
from referrals.models import Referral
from tests.browser.conftest import PHONE, Photographer
from tests.browser.test_journeys import sign_in
from tests.conftest import World
from tests.factories import AgencyFactory, UserFactory

# The live server commits for real: every test empties the tables afterwards, and the data the
# migrations loaded is put back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_worker_refers_a_child_to_a_shelter_which_accepts_for_a_colleague(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    shelter = AgencyFactory.create(
        name="Safe Haven Shelter", type=AgencyType.NGO, location=world.phnom_penh
    )
    AgencyService.objects.create(agency=shelter, service_id="shelter")
    shelter.coverage.set([world.phnom_penh])
    shelter_worker = UserFactory.create(username="shelter_worker", agency=shelter)
    colleague = UserFactory.create(
        username="shelter_colleague", full_name="Chea Sreymao", agency=shelter
    )
    case = world.own_case
    Consent.objects.create(
        case=case,
        given_by="caregiver",
        giver_name="Sok Dara",
        scope=["referral"],
        date=timezone.localdate(),
        recorded_by=world.worker,
    )

    # The social worker refers the child: ticking the service brings the directory's
    # suggestions (htmx), and the shelter is among them.
    page = open_page()
    sign_in(page, world.worker.username)
    page.goto(f"/referrals/new/?case={case.pk}")
    expect(page.locator("h1")).to_have_text("Make a referral")
    photograph(page, "referral-form")
    page.locator("input[name=services][value=shelter]").check()
    suggestion = page.get_by_label("Safe Haven Shelter")
    expect(suggestion).to_be_visible()
    photograph(page, "directory-suggestions")
    suggestion.check()
    page.locator("#id_urgency").select_option("urgent")
    page.locator("#id_reason").fill("Needs a safe place tonight.")
    page.get_by_role("button", name="Make the referral").click()
    expect(page.locator(".message.success")).to_contain_text("The referral is made.")
    expect(page.locator("h1")).to_have_text("Referral to Safe Haven Shelter")
    photograph(page, "referral-sent")
    referral = Referral.objects.get(case=case)
    assert (referral.to_agency_id, referral.status) == (shelter.pk, "sent")
    page.get_by_role("link", name="All referrals").click()
    expect(page.locator("#referral-rows")).to_contain_text("To Safe Haven Shelter")
    expect(page.locator("#referral-rows")).to_contain_text(case.case_number)
    photograph(page, "outbox")

    # A worker of the shelter, on her phone, finds it waiting and gives the child to a colleague.
    phone = open_page(viewport=PHONE)
    sign_in(phone, shelter_worker.username)
    waiting = phone.locator(f"#referrals-to-answer a[href='/referrals/{referral.pk}/']")
    expect(waiting).to_be_visible()
    photograph(phone, "my-work-referral-waiting")
    waiting.click()
    expect(phone.locator("h1")).to_have_text("Referral from Hope Shelter")
    expect(phone.locator("main")).not_to_contain_text(case.child.given_name)
    photograph(phone, "referral-received")
    phone.locator("#accept_assigned_to").select_option(str(colleague.pk))
    phone.get_by_role("button", name="Accept", exact=True).click()
    expect(phone.locator(".message.success")).to_contain_text("The referral is accepted.")
    photograph(phone, "referral-accepted")
    phone.get_by_role("link", name="All referrals").click()
    expect(phone.locator("#referral-rows")).to_contain_text("From Hope Shelter")
    photograph(phone, "inbox-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    referral.refresh_from_db()
    assert (referral.status, referral.assigned_to_id) == ("accepted", colleague.pk)
