"""The trafficking pathway in the case file, in Khmer on a phone (and in English at a desk): a
police officer records a presumed victim found at the border, the provincial office identifies
her formally, the repatriation runs step by step to the hand-over, the police open the court
case and refer the child to a legal aid NGO, which records the hearing where she testified by
video link."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, CaseConcern
from legal.models import Hearing, LegalProceeding
from referrals import services as referral_services
from tests.browser.conftest import DESKTOP, PHONE, Photographer
from tests.browser.test_phone_layout import LANGUAGES, assert_no_sideways_scroll, open_signed_in
from tests.conftest import World
from tests.factories import CaseFactory
from trafficking.models import Repatriation, VictimIdentification

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STEPS = ["documents_ready", "travelling", "received", "handed_over"]


def _tab(page: Page, case: Case) -> None:
    page.goto(f"/cases/{case.pk}/trafficking/")


def _submit(page: Page, form: str) -> None:
    page.locator(f"{form} button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("language", "locale", "viewport"),
    [(*LANGUAGES[1], PHONE), (*LANGUAGES[0], DESKTOP)],
    ids=["km-phone", "en-desk"],
)
def test_a_presumed_victim_is_identified_and_brought_home(
    world: World,
    *,
    open_page: Any,
    photograph: Photographer,
    language: str,
    locale: str,
    viewport: Any,
) -> None:
    case = CaseFactory.create(owner=world.police, location=world.pp_village)
    CaseConcern.objects.create(case=case, concern_id="sex_trafficking")
    width = viewport["width"]

    police = open_signed_in(open_page, world.police, language, locale, viewport)
    _tab(police, case)
    police.locator("a[href$='?record=identification']").click()
    form = "form[action$='/identifications/add/']"
    expect(police.locator(form)).to_be_visible()
    police.locator("input[name=identification-indicators][value=deception]").check()
    police.locator("input[name=identification-indicators][value=moved_across_border]").check()
    police.locator("textarea[name=identification-notes]").fill("រកឃើញនៅច្រកព្រំដែនប៉ោយប៉ែត")
    assert_no_sideways_scroll(police)
    photograph(police, f"presumed-{language}-{width}")
    _submit(police, form)
    expect(police.locator("#identifications > li")).to_have_count(1)
    assert VictimIdentification.objects.get(case=case).status == "presumed"

    office = open_signed_in(open_page, world.dosvy_officer, language, locale, viewport)
    _tab(office, case)
    office.locator("a[href$='?record=identification']").click()
    office.locator("input[name=identification-status][value=identified]").check()
    office.locator("select[name=identification-identifying_agency]").select_option(
        str(world.dosvy_pp.pk)
    )
    office.locator("input[name=identification-reference]").fill("DoSVY-PP/2026/17")
    _submit(office, "form[action$='/identifications/add/']")
    expect(office.locator("#identifications > li")).to_have_count(2)
    photograph(office, f"identified-{language}-{width}")
    assert VictimIdentification.objects.filter(case=case)[0].status == "identified"

    _tab(police, case)
    police.locator("a[href$='?record=repatriation']").click()
    form = "form[action$='/repatriations/add/']"
    police.locator("select[name=repatriation-country]").select_option("TH")
    police.locator("select[name=repatriation-border_point]").select_option(label=_poipet(language))
    police.locator("input[name=repatriation-found_at]").fill("Aranyaprathet")
    assert_no_sideways_scroll(police)
    _submit(police, form)
    repatriation = Repatriation.objects.get(case=case)
    for step in STEPS:
        prefix = f"advance-{repatriation.pk}"
        police.locator(f"select[name={prefix}-status]").select_option(step)
        _submit(police, f"form[action$='/repatriations/{repatriation.pk}/advance/']")
        repatriation.refresh_from_db()
        assert repatriation.status == step
    steps = police.locator(f"#repatriation-{repatriation.pk} ol li")
    expect(steps).to_have_count(5)
    # Handed over: nothing more to record.
    expect(
        police.locator(f"form[action$='/repatriations/{repatriation.pk}/advance/']")
    ).to_have_count(0)
    assert_no_sideways_scroll(police)
    photograph(police, f"handed-over-{language}-{width}")

    police.goto(f"/cases/{case.pk}/legal/")
    police.locator("a[href$='?record=proceeding']").click()
    form = "form[action$='/proceedings/add/']"
    police.locator("input[name=proceeding-court]").fill("សាលាដំបូងខេត្តបន្ទាយមានជ័យ")
    police.locator("input[name=proceeding-offence]").fill("ការជួញដូរមនុស្ស")
    police.locator("select[name=proceeding-defendant_status]").select_option("detained")
    _submit(police, form)
    proceeding = LegalProceeding.objects.get(case=case)
    assert proceeding.court == "សាលាដំបូងខេត្តបន្ទាយមានជ័យ"
    _refer_for_legal_aid(world, case)

    lawyer = open_signed_in(open_page, world.other_worker, language, locale, viewport)
    lawyer.goto(f"/cases/{case.pk}/legal/")
    lawyer.locator(f"a[href$='?record=hearing-{proceeding.pk}']").click()
    form = f"form[action$='/proceedings/{proceeding.pk}/hearings/add/']"
    lawyer.locator("input[name=hearing-date]").fill(timezone.localdate().strftime("%d/%m/%Y"))
    lawyer.locator("select[name=hearing-kind]").select_option("trial")
    lawyer.locator("input[name=hearing-child_testified]").check()
    lawyer.locator("input[name=hearing-video_link]").check()
    lawyer.locator("textarea[name=hearing-note]").fill("កុមារីផ្តល់សក្ខីកម្មពីបន្ទប់ដាច់ដោយឡែក")
    assert_no_sideways_scroll(lawyer)
    _submit(lawyer, form)
    hearing = Hearing.objects.get(proceeding=proceeding)
    assert hearing.child_testified
    assert hearing.video_link
    assert hearing.created_by == world.other_worker
    assert_no_sideways_scroll(lawyer)
    photograph(lawyer, f"hearing-{language}-{width}")


def _refer_for_legal_aid(world: World, case: Case) -> None:
    """The police refer the child to the legal aid NGO, sharing the court case; its worker
    accepts (the referral pages have their own journey)."""
    referral = referral_services.referral_create(
        actor=world.police, case=case, to_agency=world.other_ngo, type="service",
        urgency="urgent", services=["legal_aid"], reason="A lawyer for the trial",
        shared_sections=["concerns", "legal"], consent_override_reason="The child asked for it",
    )  # fmt: skip
    referral_services.referral_accept(
        actor=world.other_worker, referral=referral, assigned_to=world.other_worker
    )


def _poipet(language: str) -> str:
    return "ប៉ោយប៉ែត" if language == "km" else "Poipet"
