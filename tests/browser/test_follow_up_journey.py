"""After a child goes home: a commune committee member records the follow-up visit on her
phone, and a supervisor approves a case plan at her desk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from cases.models import CasePlan
from cases.services.plan import ActionDraft, GoalDraft, plan_create, plan_submit
from reintegration.choices import WellbeingDomain
from reintegration.models import FollowUp
from tests.browser.conftest import PHONE, Photographer
from tests.browser.test_journeys import sign_in
from tests.conftest import World
from tests.reintegration.helpers import months_ago, reintegrate

# The live server commits for real: every test empties the tables afterwards, and the data the
# migrations loaded is put back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_commune_member_records_a_visit_on_her_phone(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    # The child went home a month ago: the first visit is due today.
    reintegration = reintegrate(world, on=months_ago(1), case=world.own_case)
    visit = FollowUp.objects.filter(reintegration=reintegration).order_by("sequence").first()
    assert visit is not None
    worker = open_page(viewport=PHONE)
    sign_in(worker, world.worker.username)
    worker.goto(f"/cases/{world.own_case.pk}/")
    worker.get_by_role("link", name="Placements and follow-ups", exact=True).click()
    expect(worker.locator(f"#tab-panel a[href='/follow-ups/{visit.pk}/']")).to_be_visible()
    photograph(worker, "placements-tab")
    assert worker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page = open_page(viewport=PHONE)
    sign_in(page, world.commune_member.username, photograph)

    page.get_by_role("link", name="Follow-ups", exact=True).click()
    expect(page.locator("h1")).to_have_text("Follow-up visits")
    photograph(page, "visits-to-do")
    page.locator(f"a[href='/follow-ups/{visit.pk}/']").click()
    expect(page.locator("h1")).to_contain_text("Follow-up visit")
    photograph(page, "visit")

    page.locator("input[name=outcome][value=stable]").check()
    for domain in WellbeingDomain.values:
        page.locator(f"input[name=score_{domain}][value='4']").check()
    page.locator("#id_notes").fill("ក្មេងទៅសាលារៀនវិញ")
    photograph(page, "visit-filled")
    page.get_by_role("button", name="Save the visit").click()

    expect(page.locator(".message.success")).to_contain_text("The visit is recorded.")
    photograph(page, "visit-recorded")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    visit.refresh_from_db()
    assert (visit.status, visit.outcome, visit.visited_by) == (
        "completed",
        "stable",
        world.commune_member,
    )
    assert visit.scores == dict.fromkeys(WellbeingDomain.values, 4)


def test_a_supervisor_approves_a_submitted_plan(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    due = timezone.localdate() + timedelta(days=30)
    plan = plan_create(
        actor=world.worker,
        case=world.own_case,
        goals=[GoalDraft("Back to school", [ActionDraft("Enrol her", world.worker.pk, due)])],
    )
    plan_submit(actor=world.worker, plan=plan)
    page = open_page()
    sign_in(page, world.supervisor.username)

    page.goto(f"/cases/{world.own_case.pk}/plan/")
    expect(page.locator("#tab-panel")).to_contain_text("Enrol her")
    page.locator("#tab-panel textarea[name=comment]").fill("Good plan")
    photograph(page, "plan-submitted")
    page.get_by_role("button", name="Approve", exact=True).click()

    expect(page.locator(".message.success")).to_contain_text("The plan is approved.")
    photograph(page, "plan-approved")
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert CasePlan.objects.get(pk=plan.pk).decided_by == world.supervisor


def test_a_commune_member_records_a_visit_in_khmer_on_her_phone(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    """The same visit, by a member whose account speaks Khmer: every word she reads is Khmer."""
    world.commune_member.preferred_language = "km"
    world.commune_member.save(update_fields=["preferred_language"])
    reintegration = reintegrate(world, on=months_ago(1), case=world.own_case)
    visit = FollowUp.objects.filter(reintegration=reintegration).order_by("sequence").first()
    assert visit is not None
    with translation.override("km"):
        visits_heading = gettext("Follow-up visits")
        save = gettext("Save the visit")
        recorded = gettext("The visit is recorded.")
    assert "visit" not in visits_heading + save + recorded  # translated, not the English

    page = open_page(viewport=PHONE, locale="km-KH")
    sign_in(page, world.commune_member.username)
    page.goto("/follow-ups/")
    expect(page.locator("h1")).to_have_text(visits_heading)
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.locator(f"a[href='/follow-ups/{visit.pk}/']").click()
    page.locator("input[name=outcome][value=at_risk]").check()
    for domain in WellbeingDomain.values:
        page.locator(f"input[name=score_{domain}][value='2']").check()
    photograph(page, "visit-filled-km")
    page.get_by_role("button", name=save).click()

    expect(page.locator(".message.success")).to_contain_text(recorded)
    photograph(page, "visit-recorded-km")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    visit.refresh_from_db()
    assert (visit.status, visit.outcome) == ("completed", "at_risk")
