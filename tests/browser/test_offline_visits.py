"""A commune committee member records a follow-up visit where the phone has no connection: the
pages come from the phone, the visit waits there, and it is sent once when the connection
returns. On a 3G line the pages still load and submit, and signing out empties the phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from audit.models import AuditEvent
from reintegration import services
from reintegration.choices import FollowUpStatus, WellbeingDomain
from reintegration.models import FollowUp
from tests.browser.conftest import PHONE, Photographer
from tests.browser.test_journeys import sign_in
from tests.conftest import World
from tests.reintegration.helpers import months_ago, reintegrate

# The live server commits for real: every test empties the tables afterwards, and the data the
# migrations loaded is put back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES_CACHE = "cpims-visit-pages-v1"
IS_KEPT = """([cacheName, address]) => caches.open(cacheName)
  .then(cache => cache.match(address)).then(found => Boolean(found))"""
# The drafts on the phone, read straight from IndexedDB.
DRAFTS = """() => new Promise(resolve => {
  const opening = indexedDB.open("cpims-visits", 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore("drafts", {keyPath: "visit"});
  opening.onsuccess = () => {
    const reading = opening.result.transaction("drafts").objectStore("drafts").getAll();
    reading.onsuccess = () => { opening.result.close(); resolve(reading.result); };
  };
})"""
PUT_DRAFT = """draft => new Promise(resolve => {
  const opening = indexedDB.open("cpims-visits", 1);
  opening.onsuccess = () => {
    const writing = opening.result.transaction("drafts", "readwrite");
    writing.objectStore("drafts").put(draft);
    writing.oncomplete = () => { opening.result.close(); resolve(true); };
  };
})"""
STORED = """() => Promise.all([
  caches.keys(),
  indexedDB.databases().then(found => found.map(database => database.name)),
  navigator.serviceWorker.getRegistrations().then(found => found.length),
])"""


def khmer(text: str) -> str:
    with translation.override("km"):
        return gettext(text)


def due_visit(world: World) -> FollowUp:
    """The child went home a month ago: the first visit is due today."""
    world.commune_member.preferred_language = "km"
    world.commune_member.save(update_fields=["preferred_language"])
    reintegration = reintegrate(world, on=months_ago(1), case=world.own_case)
    visit = FollowUp.objects.filter(reintegration=reintegration).order_by("sequence").first()
    assert visit is not None
    return visit


def open_visits_kept(open_page: Any, world: World, visit: FollowUp) -> Page:
    """Signed in on a phone, in Khmer, the visit list opened once: the phone keeps it."""
    page: Page = open_page(viewport=PHONE, locale="km-KH")
    sign_in(page, world.commune_member.username)
    page.goto("/follow-ups/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    origin = page.evaluate("location.origin")
    for address in ["/follow-ups/", f"/follow-ups/{visit.pk}/"]:
        wait_until(page, IS_KEPT, [PAGES_CACHE, origin + address])
    return page


def wait_until(page: Page, script: str, arg: Any) -> None:
    """Polls an asynchronous check (wait_for_function would take its promise for a yes)."""
    for _attempt in range(150):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(100)
    pytest.fail(f"Still not true: {script} {arg}")


def fill_visit(page: Page, outcome: str = "stable", score: int = 4) -> None:
    page.locator(f"input[name=outcome][value={outcome}]").check()
    for domain in WellbeingDomain.values:
        page.locator(f"input[name=score_{domain}][value='{score}']").check()
    page.locator("#id_notes").fill("ក្មេងទៅសាលារៀនវិញ")


def completions(visit: FollowUp) -> int:
    return AuditEvent.objects.filter(action="follow_up.complete", object_id=str(visit.pk)).count()


def test_a_visit_recorded_offline_waits_on_the_phone_and_is_recorded_once_when_back_online(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    visit = due_visit(world)
    page = open_visits_kept(open_page, world, visit)
    page.context.set_offline(True)

    # The visit page comes from the phone.
    page.goto(f"/follow-ups/{visit.pk}/")
    expect(page.locator("h1")).to_contain_text(khmer("Follow-up visit"))
    fill_visit(page)
    photograph(page, "offline-visit-filled")
    page.get_by_role("button", name=khmer("Save the visit")).click()

    waiting = page.locator("#offline-visits li")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(khmer("Waiting to be sent"))
    expect(waiting).to_contain_text(f"{khmer('Visit')} {visit.sequence}")
    expect(waiting).to_contain_text(khmer("Typed on"))
    expect(page.locator("[data-offline-notice]")).to_contain_text(
        khmer(
            "No connection: the visit is kept on this phone and will be sent when the "
            "connection returns."
        )
    )
    photograph(page, "offline-visit-waiting")
    drafts = page.evaluate(DRAFTS)
    assert [draft["visit"] for draft in drafts] == [visit.pk]
    assert len(drafts[0]["key"]) == 32
    visit.refresh_from_db()
    assert visit.status == FollowUpStatus.SCHEDULED

    # The connection returns: the page sends the visit.
    page.context.set_offline(False)
    expect(page.locator("[data-offline-notice].success")).to_contain_text(
        khmer("Sent: the visit is recorded.")
    )
    expect(page.locator("#offline-visits")).to_be_hidden()
    photograph(page, "offline-visit-sent")
    visit.refresh_from_db()
    assert (visit.status, visit.outcome, visit.visited_by) == (
        FollowUpStatus.COMPLETED,
        "stable",
        world.commune_member,
    )
    assert visit.scores == dict.fromkeys(WellbeingDomain.values, 4)
    assert page.evaluate(DRAFTS) == []

    # The answer lost on the way: the phone still holds the draft and sends it again, with the
    # same key. It is recorded once, and the person is told it is sent.
    page.evaluate(PUT_DRAFT, drafts[0])
    page.reload()
    expect(page.locator("[data-offline-notice].success")).to_contain_text(
        khmer("Sent: the visit is recorded.")
    )
    assert page.evaluate(DRAFTS) == []
    assert completions(visit) == 1
    assert FollowUp.objects.filter(pk=visit.pk, status=FollowUpStatus.COMPLETED).count() == 1


def test_a_visit_recorded_by_someone_else_meanwhile_is_a_conflict_and_nothing_is_overwritten(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    visit = due_visit(world)
    page = open_visits_kept(open_page, world, visit)
    page.context.set_offline(True)
    page.goto(f"/follow-ups/{visit.pk}/")
    fill_visit(page, outcome="at_risk", score=2)
    page.get_by_role("button", name=khmer("Save the visit")).click()
    expect(page.locator("#offline-visits li")).to_have_count(1)

    # The case's social worker records the same visit at her desk.
    services.follow_up_complete(
        actor=world.worker,
        follow_up=visit,
        visit_date=timezone.localdate(),
        outcome="stable",
        scores=dict.fromkeys(WellbeingDomain.values, 5),
        notes="",
    )
    page.context.set_offline(False)

    expect(page.locator("[data-offline-notice].error")).to_contain_text(
        khmer(
            "Someone else recorded this visit while you were offline. Yours was not saved: "
            "nothing was overwritten."
        )
    )
    photograph(page, "offline-visit-conflict")
    expect(page.locator("#offline-visits")).to_be_hidden()
    assert page.evaluate(DRAFTS) == []
    visit.refresh_from_db()
    assert (visit.outcome, visit.visited_by) == ("stable", world.worker)
    assert visit.scores == dict.fromkeys(WellbeingDomain.values, 5)
    assert completions(visit) == 1


def test_on_a_3g_line_the_visit_page_loads_and_submits_and_signing_out_empties_the_phone(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    visit = due_visit(world)
    later = (
        FollowUp.objects.filter(reintegration=visit.reintegration, sequence__gt=visit.sequence)
        .order_by("sequence")
        .first()
    )
    assert later is not None
    page = open_visits_kept(open_page, world, visit)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 400,
            "downloadThroughput": 400 * 1024 / 8,
            "uploadThroughput": 400 * 1024 / 8,
        },
    )

    page.goto(f"/follow-ups/{visit.pk}/")
    fill_visit(page)
    page.get_by_role("button", name=khmer("Save the visit")).click()
    expect(page.locator(".message.success")).to_contain_text(khmer("The visit is recorded."))
    visit.refresh_from_db()
    assert visit.status == FollowUpStatus.COMPLETED

    # A later visit typed offline without its date: refused when sent, so kept for correction.
    page.goto(f"/follow-ups/{later.pk}/")
    page.context.set_offline(True)
    page.locator("input[name=visit_date]").fill("")
    fill_visit(page)
    page.get_by_role("button", name=khmer("Save the visit")).click()
    expect(page.locator("#offline-visits li")).to_have_count(1)
    page.context.set_offline(False)
    expect(page.locator("#offline-visits li .badge.warning")).to_be_visible()
    expect(page.locator("#offline-visits li .error").first).to_be_visible()
    photograph(page, "offline-visit-refused")
    assert len(page.evaluate(DRAFTS)) == 1
    later.refresh_from_db()
    assert later.status == FollowUpStatus.SCHEDULED

    page.get_by_role("button", name=khmer("Sign out")).click()
    page.wait_for_url("**/accounts/login/")
    caches, databases, workers = page.evaluate(STORED)
    assert caches == []
    assert "cpims-visits" not in databases
    assert workers == 0
