"""The edges of the case list: a filter finds cases only by what the caller may read of them, and
every page of a list that shows children is a reading recorded in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from cases.models import Case, CaseConcern
from cases.services.access import case_set_grants
from tests.conftest import World, api_client

CASES_URL = "/api/v1/cases/"


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def neglected(world: World) -> Case:
    CaseConcern.objects.create(case=world.own_case, concern_id="neglect")
    return world.own_case


def _filters(world: World) -> dict[str, str]:
    child = world.own_case.child
    return {
        "q": child.given_name,
        "location": str(world.pp_village.pk),
        "concern": "neglect",
    }


@pytest.mark.parametrize("name", ["q", "location", "concern"])
def test_an_agency_admin_cannot_find_cases_by_what_she_may_not_read(
    world: World, neglected: Case, name: str
) -> None:
    value = _filters(world)[name]
    # The owner finds the case by it, so the filter works.
    assert neglected.pk in _ids(api_client(world.worker).get(CASES_URL, {name: value}))
    # The agency admin sees the case (number, status), but not its child, place or concerns.
    assert neglected.pk in _ids(api_client(world.agency_admin).get(CASES_URL))
    assert _ids(api_client(world.agency_admin).get(CASES_URL, {name: value})) == set()


def test_an_agency_admin_still_finds_a_case_by_its_number(world: World) -> None:
    number = "12-2026-00042"
    Case.objects.filter(pk=world.own_case.pk).update(case_number=number)
    assert _ids(api_client(world.agency_admin).get(CASES_URL, {"q": number})) == {world.own_case.pk}


@pytest.mark.parametrize("name", ["q", "location", "concern"])
def test_the_case_list_page_filters_for_an_agency_admin_by_readable_fields_only(
    world: World, neglected: Case, name: str, client: Any
) -> None:
    client.force_login(world.agency_admin)
    unfiltered = client.get("/cases/").content.decode()
    assert neglected.case_number in unfiltered
    filtered = client.get("/cases/", {name: _filters(world)[name]}).content.decode()
    assert neglected.case_number not in filtered


def test_a_receiver_granted_the_profile_only_cannot_find_the_case_by_concern(
    world: World, neglected: Case
) -> None:
    case_set_grants(
        actor=world.worker,
        case=neglected,
        grantee=world.other_worker,
        sections=["profile"],
        contribute=False,
        reason="referral",
    )
    receiver = api_client(world.other_worker)
    assert neglected.pk in _ids(receiver.get(CASES_URL, {"q": neglected.child.given_name}))
    assert _ids(receiver.get(CASES_URL, {"concern": "neglect"})) == set()


# --- List reads are audited -----------------------------------------------------------------


def test_each_page_of_the_case_list_is_recorded_with_its_query_and_cases(world: World) -> None:
    api_client(world.dosvy_officer).get(CASES_URL, {"page_size": "2", "status": "open"})
    event = AuditEvent.objects.get(action="case.list_read")
    assert event.actor_id == world.dosvy_officer.pk
    assert event.changes["query"] == {"page_size": "2", "status": "open"}
    assert len(event.changes["case_ids"]) == 2
    visible = set(Case.objects.values_list("pk", flat=True))
    assert set(event.changes["case_ids"]) <= visible


def test_the_case_list_page_is_recorded_too(world: World, client: Any) -> None:
    client.force_login(world.worker)
    client.get("/cases/", {"q": "Sok"})
    event = AuditEvent.objects.get(action="case.list_read")
    assert event.actor_id == world.worker.pk
    assert event.changes["query"] == {"q": "Sok"}
    assert world.own_case.pk in event.changes["case_ids"]


def test_referral_and_follow_up_lists_are_recorded(world: World, client: Any) -> None:
    api_client(world.worker).get("/api/v1/referrals/")
    api_client(world.commune_member).get("/api/v1/follow-ups/")
    client.force_login(world.worker)
    client.get("/referrals/")
    client.get("/follow-ups/")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_id"))
    assert actions == [
        ("referral.list_read", world.worker.pk),
        ("follow_up.list_read", world.commune_member.pk),
        ("referral.list_read", world.worker.pk),
        ("follow_up.list_read", world.worker.pk),
    ]
