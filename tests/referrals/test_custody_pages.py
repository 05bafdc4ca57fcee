"""The case file's custody tab: the formal transfers of the child's custody as the reader may
see them, and the form that records one through the same service as the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Agency, AgencyService
from audit.models import AuditEvent
from cases.choices import Section
from cases.models import Case
from cases.services.access import case_set_grants
from referrals.choices import ReferralStatus, ReferralType, Urgency
from referrals.models import CustodyTransfer, Referral
from tests.conftest import World
from tests.factories import AgencyFactory
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().strftime("%d/%m/%Y")
LEGAL_BASIS_KM = "ច្បាប់ស្តីពីការបង្ក្រាបការជួញដូរមនុស្ស មាត្រា ៤៩"


def _offering(agency: Agency, *services: str) -> Agency:
    AgencyService.objects.bulk_create(
        [AgencyService(agency=agency, service_id=code) for code in services]
    )
    return agency


@pytest.fixture
def shelter(world: World) -> Agency:
    return _offering(AgencyFactory.create(name="Safe Haven"), "shelter")


def _tab(case: Case) -> str:
    return f"/cases/{case.pk}/custody/"


def _add(case: Case) -> str:
    return f"/cases/{case.pk}/custody/add/"


def _form(to: Agency, **changes: Any) -> dict[str, Any]:
    fields = {
        "to_agency": to.pk,
        "legal_basis": LEGAL_BASIS_KM,
        "authorising_official": "ចាន់ ដារា",
        "authorising_official_title": "Deputy prosecutor",
        "date": TODAY,
        "family_consent": "yes",
        **changes,
    }
    return {f"custody-{key}": value for key, value in fields.items()}


def test_the_owner_records_a_transfer_from_the_tab(world: World, shelter: Agency) -> None:
    owner = signed_in(world.worker)
    assert (
        f'hx-get="{_tab(world.own_case)}?record=custody"'
        in owner.get(_tab(world.own_case)).content.decode()
    )
    page = owner.get(_tab(world.own_case) + "?record=custody")
    assert page.status_code == 200
    assert 'name="custody-legal_basis"' in page.content.decode()

    answer = owner.post(_add(world.own_case), _form(shelter))

    assert answer.status_code == 302
    transfer = CustodyTransfer.objects.get(case=world.own_case)
    assert (transfer.to_agency, transfer.family_consent) == (shelter, True)
    assert transfer.legal_basis == LEGAL_BASIS_KM
    assert AuditEvent.objects.filter(action="custody.record", case_id=world.own_case.pk).exists()
    shown = owner.get(_tab(world.own_case)).content.decode()
    assert LEGAL_BASIS_KM in shown
    assert "ចាន់ ដារា" in shown
    assert "Deputy prosecutor" in shown
    assert "Safe Haven" in shown


def test_without_consent_the_reason_is_needed_and_the_form_kept(
    world: World, shelter: Agency
) -> None:
    owner = signed_in(world.worker)

    refused = owner.post(_add(world.own_case), _form(shelter, family_consent="no"))

    assert refused.status_code == 400
    assert "no_consent_reason" in refused.context["custody_form"].errors
    assert "data-error-summary" in refused.content.decode()
    assert LEGAL_BASIS_KM in refused.content.decode()
    assert not CustodyTransfer.objects.exists()
    reason = "ឪពុកម្តាយជាប់ពាក់ព័ន្ធក្នុងការជួញដូរ"
    done = owner.post(
        _add(world.own_case), _form(shelter, family_consent="no", no_consent_reason=reason)
    )
    assert done.status_code == 302
    assert CustodyTransfer.objects.get().no_consent_reason == reason
    assert reason in owner.get(_tab(world.own_case)).content.decode()


def test_only_active_agencies_that_house_children_are_offered(
    world: World, shelter: Agency
) -> None:
    foster = _offering(AgencyFactory.create(name="Foster Families"), "alternative_care")
    _offering(AgencyFactory.create(name="Closed Shelter", is_active=False), "shelter")
    _offering(AgencyFactory.create(name="Counsellors"), "psychosocial")

    page = signed_in(world.worker).get(_tab(world.own_case) + "?record=custody")

    offered = set(page.context["custody_form"].fields["to_agency"].queryset)
    assert offered == {shelter, foster}
    refused = signed_in(world.worker).post(
        _add(world.own_case), _form(Agency.objects.get(name="Closed Shelter"))
    )
    assert refused.status_code == 400
    assert not CustodyTransfer.objects.exists()


def _grant(world: World, case: Case, sections: set[str]) -> None:
    case_set_grants(
        actor=world.worker,
        case=case,
        grantee=world.other_worker,
        sections=sections,
        contribute=False,
        reason="referral",
    )


def test_a_reader_without_the_right_sees_no_form_and_is_refused(
    world: World, shelter: Agency
) -> None:
    _grant(world, world.own_case, {Section.PROFILE, Section.PLACEMENTS})
    reader = signed_in(world.other_worker)

    page = reader.get(_tab(world.own_case) + "?record=custody")

    assert page.status_code == 200
    assert "custody_form" not in page.context
    assert f'hx-get="{_tab(world.own_case)}?record=custody"' not in page.content.decode()
    assert reader.post(_add(world.own_case), _form(shelter)).status_code == 403
    assert not CustodyTransfer.objects.exists()


def test_the_receiving_shelter_records_custody_given_to_itself_only(
    world: World, shelter: Agency
) -> None:
    receiver = _offering(world.other_ngo, "shelter")
    Referral.objects.create(
        case=world.own_case,
        from_agency=world.ngo,
        to_agency=receiver,
        type=ReferralType.SERVICE,
        urgency=Urgency.URGENT,
        reason="Needs a safe place.",
        status=ReferralStatus.ACCEPTED,
        created_by=world.worker,
    )
    _grant(world, world.own_case, {Section.PROFILE, Section.PLACEMENTS})
    client = signed_in(world.other_worker)

    page = client.get(_tab(world.own_case) + "?record=custody")

    assert set(page.context["custody_form"].fields["to_agency"].queryset) == {receiver}
    assert client.post(_add(world.own_case), _form(shelter)).status_code == 400
    assert client.post(_add(world.own_case), _form(receiver)).status_code == 302
    assert CustodyTransfer.objects.get().to_agency == receiver


def test_the_tab_answers_as_the_door_does(world: World, shelter: Agency) -> None:
    for reader, expected in [
        (world.commune_member, 404),
        (world.other_worker, 404),
        (world.agency_admin, 403),  # the case's administrative fields only
    ]:
        client = signed_in(reader)
        assert client.get(_tab(world.own_case)).status_code == expected, reader
        assert client.post(_add(world.own_case), _form(shelter)).status_code == expected, reader
    assert not CustodyTransfer.objects.exists()


@pytest.mark.parametrize("query", ["", "?record=custody"])
def test_the_tab_costs_the_same_queries_for_many_transfers(
    world: World, shelter: Agency, query: str
) -> None:
    owner = signed_in(world.worker)
    owner.post(_add(world.own_case), _form(shelter))
    owner.get(_tab(world.own_case))

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner.get(_tab(world.own_case) + query).status_code == 200
        return len(queries.captured_queries)

    first = counted()
    for _n in range(5):
        assert owner.post(_add(world.own_case), _form(shelter)).status_code == 302
    assert counted() == first
