"""Legal proceedings and hearings through the API: who may read and write them (the legal
section, never a commune committee's; a legal aid organisation once a referral shares it), the
defendant's status kept as a history, hearings, bad codes, stale ETags, Khmer text kept exactly,
bounded list queries and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import Section
from cases.models import Case
from cases.services.access import case_set_grants
from legal.models import DefendantStatusChange, Hearing, LegalProceeding
from referrals import services as referral_services
from referrals.models import Referral
from tests.conftest import World, api_client

TODAY = timezone.localdate


def _url(case: Case, *rest: Any) -> str:
    tail = "".join(f"{part}/" for part in rest)
    return f"/api/v1/cases/{case.pk}/legal-proceedings/{tail}"


def _proceeding(**overrides: Any) -> dict[str, Any]:
    return {
        "court": "Phnom Penh Municipal Court",
        "reference": "CR-2026-0412",
        "child_role": "victim",
        "offence": "Trafficking in persons",
        "filed_on": (TODAY() - timedelta(days=20)).isoformat(),
        "defendant_status": "arrested",
    } | overrides


def _hearing(**overrides: Any) -> dict[str, Any]:
    return {
        "date": (TODAY() + timedelta(days=30)).isoformat(),
        "kind": "trial",
        "child_testified": True,
        "video_link": True,
        "note": "Testified from the child-friendly room.",
    } | overrides


def _create(world: World, **overrides: Any) -> dict[str, Any]:
    response = api_client(world.worker).post(_url(world.own_case), _proceeding(**overrides))
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def _refer_for_legal_aid(world: World, sections: list[str]) -> Referral:
    """The worker's case referred to the other organisation for legal aid, accepted by its
    worker."""
    referral = referral_services.referral_create(
        actor=world.supervisor, case=world.own_case, to_agency=world.other_ngo, type="service",
        urgency="routine", services=["legal_aid"], reason="A lawyer for the trial",
        shared_sections=sections, consent_override_reason="The child asked for a lawyer",
    )  # fmt: skip
    return referral_services.referral_accept(
        actor=world.other_worker, referral=referral, assigned_to=world.other_worker
    )


# --- Creating, listing, changing ----------------------------------------------------------------


def test_the_owner_records_a_proceeding_and_reads_it_back_with_its_status_history(
    world: World,
) -> None:
    created = _create(world, restitution_ordered="20000000")

    assert created["child_role"] == "victim"
    assert created["defendant_status"] == "arrested"
    assert created["restitution_ordered"] == "20000000"
    assert created["restitution_paid"] is None
    assert [
        (row["from_status"], row["to_status"]) for row in created["defendant_status_history"]
    ] == [("", "arrested")]
    listed = api_client(world.worker).get(_url(world.own_case))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [created["id"]]
    detail = api_client(world.supervisor).get(_url(world.own_case, created["id"]))
    assert detail.status_code == 200
    assert detail.json()["court"] == "Phnom Penh Municipal Court"
    assert detail.headers["ETag"] == f'"{created["id"]}-1"'


def test_a_change_of_defendant_status_is_added_to_the_history_not_written_over(
    world: World,
) -> None:
    created = _create(world)
    client = api_client(world.worker)
    url = _url(world.own_case, created["id"])

    first = client.patch(url, {"defendant_status": "judicial_supervision"}, format="json")
    second = client.patch(
        url,
        {"defendant_status": "convicted", "sentence": "Ten years", "restitution_paid": "500000"},
        format="json",
        HTTP_IF_MATCH=first.headers["ETag"],
    )

    assert first.status_code == 200, first.content
    assert second.status_code == 200, second.content
    body = second.json()
    assert body["defendant_status"] == "convicted"
    assert body["sentence"] == "Ten years"
    assert body["restitution_paid"] == "500000"
    assert [(row["from_status"], row["to_status"]) for row in body["defendant_status_history"]] == [
        ("", "arrested"),
        ("arrested", "judicial_supervision"),
        ("judicial_supervision", "convicted"),
    ]
    assert all(row["changed_by"] == world.worker.pk for row in body["defendant_status_history"])
    assert second.headers["ETag"] == f'"{created["id"]}-3"'
    # The same status again is no change: no row, no new version.
    again = client.patch(url, {"defendant_status": "convicted"}, format="json")
    assert again.status_code == 200
    assert again.headers["ETag"] == second.headers["ETag"]
    assert DefendantStatusChange.objects.filter(proceeding_id=created["id"]).count() == 3


def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(world: World) -> None:
    created = _create(world)
    url = _url(world.own_case, created["id"])
    read = api_client(world.worker).get(url)
    api_client(world.supervisor).patch(url, {"outcome": "Adjourned"}, format="json")

    stale = api_client(world.worker).patch(
        url, {"defendant_status": "detained"}, format="json", HTTP_IF_MATCH=read.headers["ETag"]
    )

    assert stale.status_code == 412
    proceeding = LegalProceeding.objects.get(pk=created["id"])
    assert proceeding.defendant_status == "arrested"
    assert proceeding.status_changes.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (_proceeding(child_role="bystander"), "child_role"),
        (_proceeding(defendant_status="on_holiday"), "defendant_status"),
        (_proceeding(court=""), "court"),
        (_proceeding(restitution_ordered="-5"), "restitution_ordered"),
        (_proceeding(restitution_ordered="10.5"), "restitution_ordered"),
        (_proceeding(filed_on=(TODAY() + timedelta(days=2)).isoformat()), "filed_on"),
        (_proceeding(status="closed"), "status"),
    ],
)
def test_a_proceeding_with_bad_input_is_refused_with_400_and_nothing_saved(
    world: World, payload: dict[str, Any], field: str
) -> None:
    events = AuditEvent.objects.count()

    response = api_client(world.worker).post(_url(world.own_case), payload, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not LegalProceeding.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_patch_with_a_bad_status_or_a_field_that_is_not_editable_is_refused(
    world: World,
) -> None:
    created = _create(world)
    client = api_client(world.worker)
    url = _url(world.own_case, created["id"])

    bad_status = client.patch(url, {"defendant_status": "vanished"}, format="json")
    not_editable = client.patch(url, {"created_by": world.supervisor.pk}, format="json")
    no_status = client.patch(url, {"defendant_status": ""}, format="json")

    assert bad_status.status_code == 400
    assert "defendant_status" in bad_status.json()
    assert not_editable.status_code == 400
    assert "created_by" in not_editable.json()
    assert no_status.status_code == 400
    assert LegalProceeding.objects.get(pk=created["id"]).version == 1


def test_khmer_text_is_kept_exactly(world: World) -> None:
    khmer = {
        "court": "សាលាដំបូងរាជធានីភ្នំពេញ",
        "offence": "អំពើជួញដូរមនុស្ស",
        "outcome": "តុលាការបានសម្រេចផ្តន្ទាទោស",
        "sentence": "ដាក់ពន្ធនាគារ ១០ ឆ្នាំ",
    }
    created = _create(world, **khmer)
    hearing = api_client(world.worker).post(
        _url(world.own_case, created["id"], "hearings"),
        _hearing(note="កុមារបានផ្តល់សក្ខីកម្មតាមវីដេអូ", other_protection="បាំងវាំងនន"),
        format="json",
    )

    detail = api_client(world.worker).get(_url(world.own_case, created["id"])).json()
    assert {key: detail[key] for key in khmer} == khmer
    assert hearing.status_code == 201
    listed = api_client(world.worker).get(_url(world.own_case, created["id"], "hearings"))
    assert listed.json()["results"][0]["note"] == "កុមារបានផ្តល់សក្ខីកម្មតាមវីដេអូ"
    assert listed.json()["results"][0]["other_protection"] == "បាំងវាំងនន"


# --- Hearings ------------------------------------------------------------------------------------


def test_hearings_are_recorded_and_listed_by_date(world: World) -> None:
    created = _create(world)
    client = api_client(world.worker)
    url = _url(world.own_case, created["id"], "hearings")
    later = client.post(url, _hearing(), format="json")
    earlier = client.post(
        url,
        _hearing(
            date=(TODAY() - timedelta(days=10)).isoformat(),
            kind="investigation",
            child_testified=False,
            video_link=False,
        ),
        format="json",
    )

    assert later.status_code == 201, later.content
    assert earlier.status_code == 201, earlier.content
    listed = client.get(url)
    assert listed.status_code == 200
    assert [row["kind"] for row in listed.json()["results"]] == ["investigation", "trial"]
    assert listed.json()["results"][1]["video_link"] is True
    assert listed.json()["results"][1]["child_testified"] is True
    # The one still to come waits for its reminder; the past one has none.
    assert Hearing.objects.get(pk=later.json()["id"]).remind_at is not None
    assert Hearing.objects.get(pk=earlier.json()["id"]).remind_at is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (_hearing(kind="picnic"), "kind"),
        (_hearing(date="next week"), "date"),
        (_hearing(video_link="maybe"), "video_link"),
        (_hearing(room=4), "room"),
    ],
)
def test_a_hearing_with_bad_input_is_refused_with_400(
    world: World, payload: dict[str, Any], field: str
) -> None:
    created = _create(world)

    response = api_client(world.worker).post(
        _url(world.own_case, created["id"], "hearings"), payload, format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Hearing.objects.exists()


def test_a_proceeding_of_another_case_answers_404(world: World) -> None:
    created = _create(world)
    other = api_client(world.teammate).post(_url(world.teammates_case), _proceeding())
    assert other.status_code == 201

    # The worker's supervisor sees both cases, but each proceeding under its own only.
    client = api_client(world.supervisor)
    assert client.get(_url(world.teammates_case, created["id"])).status_code == 404
    assert client.get(_url(world.teammates_case, created["id"], "hearings")).status_code == 404
    posted = client.post(
        _url(world.teammates_case, created["id"], "hearings"), _hearing(), format="json"
    )
    assert posted.status_code == 404
    patched = client.patch(
        _url(world.teammates_case, created["id"]), {"outcome": "x"}, format="json"
    )
    assert patched.status_code == 404


# --- Who may read and write ---------------------------------------------------------------------


def test_a_commune_committee_member_never_reads_the_legal_section(world: World) -> None:
    created = _create(world)
    client = api_client(world.commune_member)

    # Outside her reach, the case answers as missing.
    assert client.get(_url(world.own_case)).status_code == 404
    assert client.get(_url(world.own_case, created["id"])).status_code == 404
    # Shown a part of the file (the follow-ups of a reintegration), the door still closes
    # the legal section.
    with transaction.atomic():
        case_set_grants(
            actor=world.worker,
            case=world.own_case,
            grantee=world.commune_member,
            sections=[Section.PROFILE, Section.FOLLOW_UPS],
            contribute=True,
            reason="reintegration",
        )
    assert client.get(_url(world.own_case)).status_code == 403
    assert client.get(_url(world.own_case, created["id"])).status_code == 403
    assert client.get(_url(world.own_case, created["id"], "hearings")).status_code == 403
    assert client.post(_url(world.own_case), _proceeding()).status_code == 403
    assert (
        client.post(_url(world.own_case, created["id"], "hearings"), _hearing()).status_code == 403
    )


def test_the_legal_section_is_never_shared_with_a_commune_committee(world: World) -> None:
    response = api_client(world.supervisor).post(
        "/api/v1/referrals/",
        {
            "case": world.own_case.pk,
            "to_agency": world.ccwc.pk,
            "type": "service",
            "urgency": "routine",
            "services": ["legal_aid"],
            "reason": "Support at the hearing",
            "shared_sections": ["profile", "legal"],
            "consent_override_reason": "Urgent",
        },
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "shared_sections" in response.json()


def test_a_legal_aid_organisation_reads_and_records_only_once_a_referral_shares_legal(
    world: World,
) -> None:
    created = _create(world)
    lawyer = api_client(world.other_worker)
    assert lawyer.get(_url(world.own_case)).status_code == 404

    _refer_for_legal_aid(world, [Section.PROFILE, Section.LEGAL])

    listed = lawyer.get(_url(world.own_case))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [created["id"]]
    hearing = lawyer.post(_url(world.own_case, created["id"], "hearings"), _hearing())
    assert hearing.status_code == 201, hearing.content
    assert Hearing.objects.get().created_by == world.other_worker
    changed = lawyer.patch(
        _url(world.own_case, created["id"]), {"defendant_status": "detained"}, format="json"
    )
    assert changed.status_code == 200, changed.content


def test_a_referral_that_does_not_share_legal_opens_the_case_but_not_the_proceedings(
    world: World,
) -> None:
    created = _create(world)
    _refer_for_legal_aid(world, [Section.PROFILE, Section.NOTES])
    lawyer = api_client(world.other_worker)

    assert (
        api_client(world.other_worker).get(f"/api/v1/cases/{world.own_case.pk}/").status_code == 200
    )
    assert lawyer.get(_url(world.own_case)).status_code == 403
    assert lawyer.get(_url(world.own_case, created["id"])).status_code == 403
    assert (
        lawyer.post(_url(world.own_case, created["id"], "hearings"), _hearing()).status_code == 403
    )


def test_oversight_reads_but_does_not_record(world: World) -> None:
    created = _create(world)
    officer = api_client(world.dosvy_officer)

    assert officer.get(_url(world.own_case, created["id"])).status_code == 200
    assert officer.post(_url(world.own_case), _proceeding()).status_code == 403
    assert (
        officer.patch(
            _url(world.own_case, created["id"]), {"outcome": "x"}, format="json"
        ).status_code
        == 403
    )


def test_people_out_of_reach_get_404(world: World) -> None:
    created = _create(world)
    for person in (world.other_worker, world.bmc_worker, world.police, world.analyst):
        client = api_client(person)
        assert client.get(_url(world.own_case)).status_code == 404
        assert client.get(_url(world.own_case, created["id"])).status_code == 404
        assert client.post(_url(world.own_case), _proceeding()).status_code == 404


def test_a_closed_case_takes_no_new_proceeding_409(world: World) -> None:
    Case.objects.filter(pk=world.own_case.pk).update(status="closed", closed_at=timezone.now())

    response = api_client(world.worker).post(_url(world.own_case), _proceeding())

    assert response.status_code == 409


# --- Queries and the audit trail ----------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 30])
def test_the_proceeding_list_runs_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any, size: int
) -> None:
    for n in range(size):
        proceeding = LegalProceeding.objects.create(
            case=world.own_case,
            court=f"Court {n}",
            child_role="witness",
            defendant_status="arrested",
            created_by=world.worker,
        )
        DefendantStatusChange.objects.create(
            proceeding=proceeding, to_status="arrested", date=TODAY(), changed_by=world.worker
        )
    client = api_client(world.worker)

    with django_assert_max_num_queries(12):
        response = client.get(_url(world.own_case))

    assert response.status_code == 200
    assert len(response.json()["results"]) == size
    assert all(len(row["defendant_status_history"]) == 1 for row in response.json()["results"])


def test_writes_and_reads_go_into_the_audit_trail_without_what_the_child_said(
    world: World,
) -> None:
    created = _create(world)
    client = api_client(world.worker)
    client.patch(
        _url(world.own_case, created["id"]), {"defendant_status": "detained"}, format="json"
    )
    client.post(
        _url(world.own_case, created["id"], "hearings"),
        _hearing(note="She named the recruiter."),
        format="json",
    )
    client.get(_url(world.own_case))

    events = {event.action: event for event in AuditEvent.objects.filter(case_id=world.own_case.pk)}
    assert {"legal_proceeding.create", "legal_proceeding.update", "hearing.create"} <= set(events)
    assert events["legal_proceeding.update"].changes["defendant_status"] == [
        "arrested",
        "detained",
    ]
    assert events["legal_proceeding.create"].object_id == str(created["id"])
    assert "She named the recruiter." not in str(events["hearing.create"].changes)
    assert f"case.view_{Section.LEGAL}" in events
