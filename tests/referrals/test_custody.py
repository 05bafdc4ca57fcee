"""Formal custody transfers to a shelter: who may record and read them, and the input that is
refused with nothing saved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.choices import AgencyType
from accounts.models import Agency, AgencyService, User
from audit.models import AuditEvent
from cases.choices import Section, Status
from cases.models import Case
from cases.services.access import case_set_grants
from referrals.choices import ReferralStatus, ReferralType, Urgency
from referrals.models import CustodyTransfer, Referral
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, CaseFactory, UserFactory

LEGAL_BASIS_KM = "ច្បាប់ស្តីពីការបង្ក្រាបការជួញដូរមនុស្ស មាត្រា ៤៩"


def _url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/custody-transfers/"


def _offering(name: str, *services: str, is_active: bool = True) -> Agency:
    agency = AgencyFactory.create(name=name, type=AgencyType.NGO, is_active=is_active)
    AgencyService.objects.bulk_create(
        [AgencyService(agency=agency, service_id=code) for code in services]
    )
    return agency


@pytest.fixture
def shelter(world: World) -> Agency:
    return _offering("Safe Haven", "shelter", "psychosocial")


def _body(to: Agency, **changes: Any) -> dict[str, Any]:
    return {
        "to_agency": to.pk,
        "legal_basis": "Law on Suppression of Human Trafficking, article 49",
        "authorising_official": "Chan Dara",
        "authorising_official_title": "Deputy prosecutor",
        "date": timezone.localdate().isoformat(),
        "family_consent": True,
        **changes,
    }


def _referral(world: World, case: Case, to: Agency, status: str) -> Referral:
    return Referral.objects.create(
        case=case,
        from_agency=case.agency,
        to_agency=to,
        type=ReferralType.SERVICE,
        urgency=Urgency.URGENT,
        reason="Needs a safe place.",
        status=status,
        created_by=case.owner,
    )


def _recorded() -> tuple[int, int]:
    return (
        CustodyTransfer.objects.count(),
        AuditEvent.objects.filter(action="custody.record").count(),
    )


def test_owner_records_a_transfer_and_reads_it_back(world: World, shelter: Agency) -> None:
    case = world.own_case

    response = api_client(world.worker).post(_url(case), _body(shelter), format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["case"] == case.pk
    assert created["to_agency"] == shelter.pk
    assert created["recorded_by"] == world.worker.pk
    assert created["family_consent"] is True
    event = AuditEvent.objects.get(action="custody.record")
    assert event.case_id == case.pk
    assert event.object_id == str(created["id"])
    listed = api_client(world.worker).get(_url(case))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [created["id"]]


def test_khmer_legal_basis_round_trips(world: World, shelter: Agency) -> None:
    body = _body(
        shelter,
        legal_basis=LEGAL_BASIS_KM,
        authorising_official="ចាន់ ដារា",
        family_consent=False,
        no_consent_reason="ឪពុកម្តាយជាប់ពាក់ព័ន្ធក្នុងការជួញដូរ",
    )

    created = api_client(world.worker).post(_url(world.own_case), body, format="json")

    assert created.status_code == 201, created.content
    read = api_client(world.worker).get(_url(world.own_case)).json()["results"][0]
    assert read["legal_basis"] == LEGAL_BASIS_KM
    assert read["authorising_official"] == "ចាន់ ដារា"
    assert read["no_consent_reason"] == "ឪពុកម្តាយជាប់ពាក់ព័ន្ធក្នុងការជួញដូរ"


def test_supervisor_records_and_alternative_care_is_enough(world: World) -> None:
    foster = _offering("Foster Families", "alternative_care")

    response = api_client(world.supervisor).post(
        _url(world.teammates_case), _body(foster), format="json"
    )

    assert response.status_code == 201, response.content


def test_without_consent_a_reason_is_kept(world: World, shelter: Agency) -> None:
    body = _body(shelter, family_consent=False, no_consent_reason="The family is implicated.")

    response = api_client(world.worker).post(_url(world.own_case), body, format="json")

    assert response.status_code == 201, response.content
    assert CustodyTransfer.objects.get().no_consent_reason == "The family is implicated."
    # The trail records that a reason was given, not the reason.
    assert AuditEvent.objects.get(action="custody.record").changes["no_consent_reason"] == "***"


def test_a_referral_of_the_case_to_the_shelter_is_linked(world: World, shelter: Agency) -> None:
    referral = _referral(world, world.own_case, shelter, ReferralStatus.ACCEPTED)

    response = api_client(world.worker).post(
        _url(world.own_case), _body(shelter, referral=referral.pk), format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["referral"] == referral.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to_agency": "not_shelter"}, "to_agency"),
        ({"to_agency": "closed_shelter"}, "to_agency"),
        ({"to_agency": 999999}, "to_agency"),
        ({"date": "tomorrow"}, "date"),
        ({"date": "2026-13-01"}, "date"),
        ({"family_consent": False}, "no_consent_reason"),
        ({"family_consent": False, "no_consent_reason": "   "}, "no_consent_reason"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"authorising_official": ""}, "authorising_official"),
        ({"authorising_official": "x" * 201}, "authorising_official"),
        ({"referral": "other_case"}, "referral"),
        ({"referral": "other_agency"}, "referral"),
    ],
)
def test_bad_input_is_refused_with_nothing_saved(
    world: World, shelter: Agency, change: dict[str, Any], field: str
) -> None:
    elsewhere = _offering("Other Shelter", "shelter")
    named = {
        "not_shelter": world.other_ngo.pk,
        "closed_shelter": _offering("Closed Shelter", "shelter", is_active=False).pk,
        "tomorrow": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "other_case": _referral(world, world.teammates_case, shelter, ReferralStatus.ACCEPTED).pk,
        "other_agency": _referral(world, world.own_case, elsewhere, ReferralStatus.ACCEPTED).pk,
    }
    body = _body(shelter, **{key: named.get(value, value) for key, value in change.items()})
    before = _recorded()

    response = api_client(world.worker).post(_url(world.own_case), body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert _recorded() == before


def test_a_closed_case_takes_no_transfer(world: World, shelter: Agency) -> None:
    Case.objects.filter(pk=world.own_case.pk).update(status=Status.CLOSED, closed_at=timezone.now())

    response = api_client(world.worker).post(_url(world.own_case), _body(shelter), format="json")

    assert response.status_code == 409
    assert _recorded() == (0, 0)


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_worker", "bmc_worker", "commune_member", "police"])
def test_another_agency_finds_no_such_case(world: World, shelter: Agency, persona: str) -> None:
    user: User = getattr(world, persona)

    assert api_client(user).get(_url(world.own_case)).status_code == 404
    response = api_client(user).post(_url(world.own_case), _body(shelter), format="json")
    assert response.status_code == 404
    assert _recorded() == (0, 0)


def test_oversight_officer_reads_but_does_not_record(world: World, shelter: Agency) -> None:
    api_client(world.worker).post(_url(world.own_case), _body(shelter), format="json")

    read = api_client(world.dosvy_officer).get(_url(world.own_case))
    written = api_client(world.dosvy_officer).post(
        _url(world.own_case), _body(shelter), format="json"
    )

    assert read.status_code == 200
    assert len(read.json()["results"]) == 1
    assert written.status_code == 403
    assert _recorded() == (1, 1)


def test_a_grant_without_the_placements_section_cannot_read(world: World) -> None:
    case_set_grants(
        actor=world.worker,
        case=world.own_case,
        grantee=world.other_worker,
        sections=[Section.PROFILE, Section.NOTES],
        contribute=True,
        reason="referral",
    )

    assert api_client(world.other_worker).get(_url(world.own_case)).status_code == 403


def test_the_receiving_shelter_of_an_accepted_referral_records_custody(
    world: World, shelter: Agency
) -> None:
    shelter_worker = UserFactory.create(username="shelter_worker", agency=shelter)
    case = CaseFactory.create(owner=world.worker, location=world.pp_village)
    case_set_grants(
        actor=world.worker,
        case=case,
        grantee=shelter_worker,
        sections={"placements"},
        contribute=True,
        reason="referral",
    )
    referral = _referral(world, case, shelter, ReferralStatus.SENT)
    client = api_client(shelter_worker)

    # Seeing the case is not enough: the referral must have been accepted.
    assert client.post(_url(case), _body(shelter), format="json").status_code == 403
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ACCEPTED)
    # Only for itself: it does not hand the child on to another shelter.
    other = _offering("Other Shelter", "shelter")
    assert client.post(_url(case), _body(other), format="json").status_code == 403
    assert _recorded() == (0, 0)

    response = client.post(_url(case), _body(shelter, referral=referral.pk), format="json")

    assert response.status_code == 201, response.content
    assert CustodyTransfer.objects.get().recorded_by == shelter_worker
