"""The case file's court case tab: the proceedings, the defendant's status history and the
hearings as the reader may see them, and the forms that record them through the same services
as the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.choices import Section
from cases.models import Case
from legal.models import DefendantStatusChange, Hearing, LegalProceeding
from referrals import services as referral_services
from tests.conftest import World
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).strftime("%d/%m/%Y")


def _tab(case: Case) -> str:
    return f"/cases/{case.pk}/legal/"


def _proceeding_form(**overrides: Any) -> dict[str, Any]:
    return {
        "proceeding-court": "Phnom Penh Municipal Court",
        "proceeding-reference": "CR-2026-0412",
        "proceeding-child_role": "victim",
        "proceeding-offence": "Trafficking in persons",
        "proceeding-filed_on": _day(-20),
        "proceeding-defendant_status": "arrested",
    } | overrides


def _proceeding(world: World, **fields: Any) -> LegalProceeding:
    proceeding = LegalProceeding.objects.create(
        case=world.own_case,
        court="Phnom Penh Municipal Court",
        child_role="victim",
        defendant_status="arrested",
        created_by=world.worker,
        **fields,
    )
    DefendantStatusChange.objects.create(
        proceeding=proceeding,
        to_status="arrested",
        date=timezone.localdate(),
        changed_by=world.worker,
    )
    return proceeding


def _change_form(proceeding: LegalProceeding, **overrides: Any) -> dict[str, Any]:
    return {
        "change-version": proceeding.version,
        "change-defendant_status": proceeding.defendant_status,
        "change-outcome": proceeding.outcome,
        "change-sentence": proceeding.sentence,
        "change-restitution_ordered": "",
        "change-restitution_paid": "",
    } | overrides


def test_the_owner_opens_a_proceeding_from_the_tab(world: World) -> None:
    worker = signed_in(world.worker)
    page = worker.get(_tab(world.own_case))
    assert page.status_code == 200
    assert "?record=proceeding" in page.content.decode()
    form = worker.get(_tab(world.own_case) + "?record=proceeding").content.decode()
    assert 'name="proceeding-court"' in form

    answer = worker.post(f"/cases/{world.own_case.pk}/proceedings/add/", _proceeding_form())

    assert answer.status_code == 302
    assert answer["Location"] == _tab(world.own_case)
    (recorded,) = LegalProceeding.objects.filter(case=world.own_case)
    assert recorded.court == "Phnom Penh Municipal Court"
    assert recorded.filed_on == timezone.localdate() - timedelta(days=20)
    assert recorded.created_by == world.worker
    assert list(recorded.status_changes.values_list("to_status", flat=True)) == ["arrested"]
    shown = worker.get(_tab(world.own_case)).content.decode()
    assert "CR-2026-0412" in shown
    assert "Arrested" in shown
    assert "The court proceeding is recorded." in shown


def test_a_change_of_defendant_status_is_kept_as_history_not_written_over(world: World) -> None:
    proceeding = _proceeding(world)
    worker = signed_in(world.worker)
    url = f"/cases/{world.own_case.pk}/proceedings/{proceeding.pk}/change/"
    form = worker.get(_tab(world.own_case) + f"?record=change-{proceeding.pk}").content.decode()
    assert 'name="change-version"' in form

    detained = worker.post(url, _change_form(proceeding, **{"change-defendant_status": "detained"}))
    proceeding.refresh_from_db()
    convicted = worker.post(
        url,
        _change_form(
            proceeding,
            **{
                "change-defendant_status": "convicted",
                "change-sentence": "Ten years",
                "change-restitution_ordered": "20000000",
                "change-restitution_paid": "500000",
            },
        ),
    )

    assert detained.status_code == 302
    assert convicted.status_code == 302
    proceeding.refresh_from_db()
    assert proceeding.defendant_status == "convicted"
    assert proceeding.restitution_ordered == 20_000_000
    assert proceeding.restitution_paid == 500_000
    assert [
        (change.from_status, change.to_status) for change in proceeding.status_changes.all()
    ] == [("", "arrested"), ("arrested", "detained"), ("detained", "convicted")]
    shown = worker.get(_tab(world.own_case)).content.decode()
    for label in ("Arrested", "Detained", "Convicted", "Ten years", "20,000,000"):
        assert label in shown


def test_a_stale_change_is_refused_with_412_and_keeps_what_was_typed(world: World) -> None:
    proceeding = _proceeding(world)
    read = _change_form(proceeding, **{"change-outcome": "Adjourned to March"})
    LegalProceeding.objects.filter(pk=proceeding.pk).update(version=2, outcome="Heard")

    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/proceedings/{proceeding.pk}/change/", read
    )

    assert answer.status_code == 412
    body = answer.content.decode()
    assert "Adjourned to March" in body
    assert 'name="change-version" value="2"' in body
    proceeding.refresh_from_db()
    assert proceeding.outcome == "Heard"


def test_a_hearing_is_recorded_with_the_childs_protection_and_an_upcoming_one_is_marked(
    world: World,
) -> None:
    proceeding = _proceeding(world)
    worker = signed_in(world.worker)
    url = f"/cases/{world.own_case.pk}/proceedings/{proceeding.pk}/hearings/add/"
    form = worker.get(_tab(world.own_case) + f"?record=hearing-{proceeding.pk}").content.decode()
    assert 'name="hearing-video_link"' in form

    answer = worker.post(
        url,
        {
            "hearing-date": _day(30),
            "hearing-kind": "trial",
            "hearing-child_testified": "on",
            "hearing-video_link": "on",
            "hearing-note": "From the child-friendly room.",
        },
    )

    assert answer.status_code == 302
    hearing = Hearing.objects.get(proceeding=proceeding)
    assert hearing.child_testified
    assert hearing.video_link
    assert hearing.remind_at is not None
    shown = worker.get(_tab(world.own_case)).content.decode()
    assert "Trial hearing" in shown
    assert "Upcoming" in shown
    assert "By video link, away from the courtroom" in shown


def test_a_postponed_hearing_is_moved_to_its_new_date(world: World) -> None:
    proceeding = _proceeding(world)
    hearing = Hearing.objects.create(
        proceeding=proceeding,
        date=timezone.localdate() + timedelta(days=3),
        kind="trial",
        created_by=world.worker,
    )
    worker = signed_in(world.worker)
    assert f"?record=reschedule-{hearing.pk}" in worker.get(_tab(world.own_case)).content.decode()

    answer = worker.post(
        f"/cases/{world.own_case.pk}/proceedings/{proceeding.pk}/hearings/{hearing.pk}/reschedule/",
        {"reschedule-date": _day(40)},
    )

    assert answer.status_code == 302
    hearing.refresh_from_db()
    assert hearing.date == timezone.localdate() + timedelta(days=40)


def test_a_bad_form_keeps_what_was_typed_and_saves_nothing(world: World) -> None:
    worker = signed_in(world.worker)
    url = f"/cases/{world.own_case.pk}/proceedings/add/"

    no_court = worker.post(url, _proceeding_form(**{"proceeding-court": ""}))
    future = worker.post(url, _proceeding_form(**{"proceeding-filed_on": _day(5)}))

    assert no_court.status_code == 400
    body = no_court.content.decode()
    assert "data-error-summary" in body
    assert 'value="CR-2026-0412"' in body
    # The service's refusal, beside the field it names.
    assert future.status_code == 400
    assert "This date is in the future." in future.content.decode()
    assert 'value="Phnom Penh Municipal Court"' in future.content.decode()
    assert not LegalProceeding.objects.exists()
    proceeding = _proceeding(world)
    negative = worker.post(
        f"/cases/{world.own_case.pk}/proceedings/{proceeding.pk}/change/",
        _change_form(proceeding, **{"change-restitution_paid": "-5", "change-outcome": "Heard"}),
    )
    assert negative.status_code == 400
    assert "Heard" in negative.content.decode()
    proceeding.refresh_from_db()
    assert proceeding.version == 1


def test_a_commune_committee_member_gets_404_on_the_tab(world: World) -> None:
    _proceeding(world)
    member = signed_in(world.commune_member)
    assert member.get(_tab(world.own_case)).status_code == 404
    answer = member.post(f"/cases/{world.own_case.pk}/proceedings/add/", _proceeding_form())
    assert answer.status_code == 404
    assert LegalProceeding.objects.count() == 1


def test_a_reader_who_may_not_record_sees_no_form_and_gets_403_on_post(world: World) -> None:
    proceeding = _proceeding(world)
    oversight = signed_in(world.dosvy_officer)

    page = oversight.get(_tab(world.own_case) + f"?record=change-{proceeding.pk}")

    assert page.status_code == 200
    body = page.content.decode()
    assert "Phnom Penh Municipal Court" in body
    assert "<form" not in body.split('id="proceedings"')[1]
    for offer in ("Record a court proceeding", "Update the proceeding", "Record a hearing"):
        assert offer not in body
    case = world.own_case.pk
    for url, data in (
        (f"/cases/{case}/proceedings/add/", _proceeding_form()),
        (f"/cases/{case}/proceedings/{proceeding.pk}/change/", _change_form(proceeding)),
        (
            f"/cases/{case}/proceedings/{proceeding.pk}/hearings/add/",
            {"hearing-date": _day(3), "hearing-kind": "trial"},
        ),
    ):
        assert oversight.post(url, data).status_code == 403
    assert LegalProceeding.objects.count() == 1
    assert not Hearing.objects.exists()


def _refer_for_legal_aid(world: World, sections: list[str]) -> None:
    referral = referral_services.referral_create(
        actor=world.supervisor, case=world.own_case, to_agency=world.other_ngo, type="service",
        urgency="routine", services=["legal_aid"], reason="A lawyer for the trial",
        shared_sections=sections, consent_override_reason="The child asked for a lawyer",
    )  # fmt: skip
    referral_services.referral_accept(
        actor=world.other_worker, referral=referral, assigned_to=world.other_worker
    )


def test_a_legal_aid_organisation_sees_the_tab_only_once_a_referral_shares_legal(
    world: World,
) -> None:
    _proceeding(world)
    lawyer = signed_in(world.other_worker)
    assert lawyer.get(_tab(world.own_case)).status_code == 404

    _refer_for_legal_aid(world, [Section.PROFILE, Section.NOTES])
    assert lawyer.get(_tab(world.own_case)).status_code == 403
    tabs = [tab.slug for tab in lawyer.get(f"/cases/{world.own_case.pk}/").context["tabs"]]
    assert "legal" not in tabs


def test_a_legal_aid_organisation_records_hearings_once_a_referral_shares_legal(
    world: World,
) -> None:
    proceeding = _proceeding(world)
    _refer_for_legal_aid(world, [Section.PROFILE, Section.LEGAL])
    lawyer = signed_in(world.other_worker)

    page = lawyer.get(_tab(world.own_case))
    answer = lawyer.post(
        f"/cases/{world.own_case.pk}/proceedings/{proceeding.pk}/hearings/add/",
        {"hearing-date": _day(10), "hearing-kind": "investigation"},
    )

    assert page.status_code == 200
    assert "Phnom Penh Municipal Court" in page.content.decode()
    assert answer.status_code == 302
    assert Hearing.objects.get().created_by == world.other_worker


def test_a_proceeding_of_another_case_is_not_reached_through_this_one(world: World) -> None:
    other = LegalProceeding.objects.create(
        case=world.teammates_case, court="Kandal Court", child_role="witness",
        created_by=world.teammate,
    )  # fmt: skip
    supervisor = signed_in(world.supervisor)
    answer = supervisor.post(
        f"/cases/{world.own_case.pk}/proceedings/{other.pk}/hearings/add/",
        {"hearing-date": _day(3), "hearing-kind": "trial"},
    )
    assert answer.status_code == 404
    assert not Hearing.objects.exists()


def test_khmer_text_round_trips(world: World) -> None:
    worker = signed_in(world.worker, language="km")
    khmer = {
        "proceeding-court": "សាលាដំបូងរាជធានីភ្នំពេញ",
        "proceeding-offence": "អំពើជួញដូរមនុស្ស",
    }
    created = worker.post(f"/cases/{world.own_case.pk}/proceedings/add/", _proceeding_form(**khmer))
    assert created.status_code == 302
    proceeding = LegalProceeding.objects.get()
    hearing = worker.post(
        f"/cases/{world.own_case.pk}/proceedings/{proceeding.pk}/hearings/add/",
        {"hearing-date": "២៥/១២/២០២៦", "hearing-kind": "trial", "hearing-note": "បាំងវាំងនន"},
    )
    assert hearing.status_code == 302
    assert proceeding.court == khmer["proceeding-court"]
    assert Hearing.objects.get().note == "បាំងវាំងនន"
    shown = worker.get(_tab(world.own_case)).content.decode()
    for text in (*khmer.values(), "បាំងវាំងនន"):
        assert text in shown


def test_the_tab_reads_the_same_number_of_queries_for_more_proceedings(world: World) -> None:
    worker = signed_in(world.worker)
    worker.get(_tab(world.own_case))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert worker.get(_tab(world.own_case)).status_code == 200
        return len(queries)

    proceeding = _proceeding(world)
    Hearing.objects.create(
        proceeding=proceeding, date=timezone.localdate(), kind="trial", created_by=world.worker
    )
    one = count()
    for n in range(4):
        more = _proceeding(world, reference=f"CR-{n}")
        DefendantStatusChange.objects.create(
            proceeding=more,
            from_status="arrested",
            to_status="detained",
            date=timezone.localdate(),
            changed_by=world.supervisor,
        )
        for days in (1, 2):
            Hearing.objects.create(
                proceeding=more,
                date=timezone.localdate() + timedelta(days=days),
                kind="trial",
                created_by=world.teammate,
            )
    assert count() == one
