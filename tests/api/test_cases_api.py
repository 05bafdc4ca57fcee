"""The case API from intake to closure, as the contract describes it: what a registration
answers, what bad input leaves behind (nothing), duplicates, idempotent retries, ETags, stage
moves, filters, the sections each reader sees, assignment, closure, history and query counts."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.choices import AgencyType, LocationLevel, Role
from accounts.models import Location, User
from audit.models import AuditEvent
from cases.choices import RiskLevel, Stage, Status
from cases.models import Case, CaseConcern, Child, FamilyMember
from cases.policy import visible_cases
from core.models import IdempotencyKey
from tests.conftest import World, api_client
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    LocationFactory,
    UserFactory,
    province,
)

CASES = "/api/v1/cases/"
GIVEN_KM, FAMILY_KM = "ស្រីមុំ", "ច័ន្ទ"  # with a coeng (្) and a subscript consonant


def case_url(case_id: int, suffix: str = "") -> str:
    return f"{CASES}{case_id}/{suffix}"


def intake_body(location: Location, **child: Any) -> dict[str, Any]:
    """The contract's registration body, with a family member so a half-saved registration
    would show in the family table too."""
    return {
        "child": {
            "given_name": "Sophea",
            "family_name": "Chan",
            "given_name_km": GIVEN_KM,
            "family_name_km": FAMILY_KM,
            "sex": "female",
            "estimated_age": 12,
            "location": location.pk,
            **child,
        },
        "family": [{"name": "Chan Dara", "name_km": "ច័ន្ទ ដារា", "relation": "mother"}],
        "concerns": ["child_labour", "out_of_school"],
        "labour_sector": "brick_kiln",
        "source": "labour_inspection",
        "summary": "Found working at a brick kiln.",
    }


def row_counts() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Child.objects.count(),
        FamilyMember.objects.count(),
        CaseConcern.objects.count(),
    )


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- registration -----------------------------------------------------------------------------


def test_opening_a_case_answers_201_with_the_contract_fields(world: World) -> None:
    response = api_client(world.worker).post(CASES, intake_body(world.pp_village))
    assert response.status_code == 201, response.content
    data = response.json()
    assert {
        "id",
        "case_number",
        "status",
        "stage",
        "risk_level",
        "owner",
        "agency",
        "child",
        "concerns",
        "created_at",
        "possible_duplicates",
    } <= data.keys()
    assert data["status"] == "open"
    assert data["stage"] == "intake"
    assert data["risk_level"] is None
    assert data["owner"] == world.worker.pk
    assert data["agency"] == world.ngo.pk
    assert data["concerns"] == ["child_labour", "out_of_school"]
    assert data["child"]["location"] == world.pp_village.pk
    assert data["child"]["age"] == 12
    assert [member["name"] for member in data["child"]["family"]] == ["Chan Dara"]
    assert re.fullmatch(r"12-\d{4}-\d{5}", data["case_number"])
    assert response.headers["ETag"]
    case = Case.objects.get(pk=data["id"])
    assert (case.owner, case.created_by, case.agency) == (world.worker, world.worker, world.ngo)
    assert case.location == world.pp_village


def test_khmer_names_round_trip_byte_for_byte(world: World) -> None:
    client = api_client(world.worker)
    created = client.post(CASES, intake_body(world.pp_village, given_name=""))
    assert created.status_code == 201, created.content
    for child in (
        created.json()["child"],
        client.get(case_url(created.json()["id"])).json()["child"],
    ):
        assert child["given_name_km"] == GIVEN_KM
        assert child["family_name_km"] == FAMILY_KM
        assert child["given_name_km"].encode() == GIVEN_KM.encode()
    stored = Child.objects.get(cases__pk=created.json()["id"])
    assert (stored.given_name_km, stored.family_name_km) == (GIVEN_KM, FAMILY_KM)
    assert created.content.decode("utf-8").count(GIVEN_KM) >= 1


def _future_birth(body: dict[str, Any]) -> None:
    body["child"]["date_of_birth"] = (timezone.localdate() + timedelta(days=1)).isoformat()


def _adult_birth(body: dict[str, Any]) -> None:
    del body["child"]["estimated_age"]
    today = timezone.localdate()
    body["child"]["date_of_birth"] = date(today.year - 19, 1, 1).isoformat()


def _set_child(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body["child"].update(values)

    return change


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body.update(values)

    return change


def _drop_sex(body: dict[str, Any]) -> None:
    del body["child"]["sex"]


def _location_at(level: str) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body["child"]["location"] = Location.objects.filter(level=level).first().pk  # type: ignore[union-attr]

    return change


BAD_INPUT: dict[str, tuple[Callable[[dict[str, Any]], None], tuple[str, ...]]] = {
    "a birth date in the future": (_future_birth, ("child", "date_of_birth")),
    "an unknown concern": (_set(concerns=["child_labour", "alien_abduction"]), ("concerns",)),
    "no name at all": (_set_child(given_name="", given_name_km=""), ("child", "given_name")),
    "an estimated age of 18": (_set_child(estimated_age=18), ("child", "estimated_age")),
    "a birth date 19 years ago": (_adult_birth, ("child", "date_of_birth")),
    "a province as location": (_location_at(LocationLevel.PROVINCE), ("child", "location")),
    "a district as location": (_location_at(LocationLevel.DISTRICT), ("child", "location")),
    "no sex": (_drop_sex, ("child", "sex")),
    "an unknown source": (_set(source="rumour"), ("source",)),
    "a labour sector without child labour": (_set(concerns=["neglect"]), ("labour_sector",)),
    "no concerns": (_set(concerns=[]), ("concerns",)),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_answers_400_with_field_errors_and_saves_nothing(world: World, case: str) -> None:
    change, error_path = BAD_INPUT[case]
    body = intake_body(world.pp_village)
    change(body)
    before, events = row_counts(), AuditEvent.objects.count()
    response = api_client(world.worker).post(CASES, body)
    assert response.status_code == 400, response.content
    errors = response.json()
    for key in error_path:
        assert key in errors, (case, errors)
        errors = errors[key]
    assert isinstance(errors, list)
    assert errors
    assert row_counts() == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("age", [{"estimated_age": 18}, {"estimated_age": 17}])
def test_an_adult_looking_child_is_registered_when_the_age_is_disputed(
    world: World, age: dict[str, int]
) -> None:
    body = intake_body(world.pp_village, age_disputed=True, **age)
    response = api_client(world.worker).post(CASES, body)
    assert response.status_code == 201, response.content
    assert response.json()["child"]["age_disputed"] is True


@pytest.mark.parametrize("role", [Role.POLICE, Role.LABOUR_INSPECTOR, Role.HELPLINE_OPERATOR])
def test_referrers_who_meet_children_first_open_and_own_cases(world: World, role: str) -> None:
    user = UserFactory.create(role=role)
    response = api_client(user).post(CASES, intake_body(world.pp_village))
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == user.pk
    assert response.json()["agency"] == user.agency_id
    assert api_client(user).get(case_url(response.json()["id"])).status_code == 200


@pytest.mark.parametrize("persona", ["commune_member", "analyst", "agency_admin", "system_admin"])
def test_roles_without_intake_get_403_and_nothing_is_saved(world: World, persona: str) -> None:
    before = row_counts()
    response = api_client(getattr(world, persona)).post(CASES, intake_body(world.pp_village))
    assert response.status_code == 403, response.content
    assert row_counts() == before


# --- possible duplicates ----------------------------------------------------------------------


def test_registering_the_same_child_again_reports_the_earlier_case(world: World) -> None:
    client = api_client(world.worker)
    first = client.post(CASES, intake_body(world.pp_village)).json()
    second = client.post(CASES, intake_body(world.pp_village, estimated_age=13))
    assert second.status_code == 201, second.content
    assert second.json()["possible_duplicates"] == [
        {
            "agency": {"id": world.ngo.pk, "name": world.ngo.name},
            "case": first["id"],
            "case_number": first["case_number"],
        },
    ]


def test_a_duplicate_in_another_agency_shows_only_that_agency(world: World) -> None:
    """The other agency's child is spelt a little differently ("Sopheak"), and so still
    matches on the trigram similarity; nothing of its file may appear in the answer."""
    body = intake_body(
        world.pp_commune,
        given_name="Sopheak",
        given_name_km="",
        family_name_km="",
        address="House 9, Street 271",
        national_id_number="010203040",
    )
    theirs = api_client(world.other_worker).post(CASES, body).json()
    response = api_client(world.worker).post(CASES, intake_body(world.pp_village))
    assert response.status_code == 201, response.content
    assert response.json()["possible_duplicates"] == [
        {
            "agency": {"id": world.other_ngo.pk, "name": world.other_ngo.name},
            "case": None,
            "case_number": None,
        },
    ]
    text = response.content.decode()
    for secret in ("Sopheak", "Street 271", "010203040", theirs["case_number"]):
        assert secret not in text
    assert f'"id":{theirs["id"]},' not in text.replace(" ", "")


def test_a_child_elsewhere_or_of_a_very_different_age_is_no_duplicate(world: World) -> None:
    client = api_client(world.worker)
    assert client.post(CASES, intake_body(world.pp_village)).status_code == 201
    elsewhere = client.post(CASES, intake_body(world.bmc_village))
    younger = client.post(CASES, intake_body(world.pp_village, estimated_age=4))
    assert elsewhere.json()["possible_duplicates"] == []
    assert younger.json()["possible_duplicates"] == []


# --- idempotent retries -----------------------------------------------------------------------


def test_the_same_idempotency_key_and_body_return_the_first_answer_and_one_case(
    world: World,
) -> None:
    client = api_client(world.worker)
    body, key = intake_body(world.pp_village), {"Idempotency-Key": "intake-7f3a"}
    first = client.post(CASES, body, headers=key)
    count = Case.objects.count()
    again = client.post(CASES, body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Case.objects.count() == count
    # The replay carries the first answer's ETag, so the client can edit without reading.
    assert again["Idempotent-Replayed"] == "true"
    assert again["ETag"] == first["ETag"]


def test_the_same_idempotency_key_with_another_body_is_refused(world: World) -> None:
    client = api_client(world.worker)
    key = {"Idempotency-Key": "intake-7f3a"}
    assert client.post(CASES, intake_body(world.pp_village), headers=key).status_code == 201
    count = Case.objects.count()
    other = client.post(CASES, intake_body(world.pp_village, given_name="Dara"), headers=key)
    assert other.status_code == 400
    assert "Idempotency-Key" in other.json()
    assert Case.objects.count() == count


def test_the_same_idempotency_key_from_another_user_creates_another_case(world: World) -> None:
    body, key = intake_body(world.pp_village), {"Idempotency-Key": "intake-7f3a"}
    mine = api_client(world.worker).post(CASES, body, headers=key)
    theirs = api_client(world.teammate).post(CASES, body, headers=key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["owner"] == world.teammate.pk


def test_a_refused_request_does_not_use_up_its_idempotency_key(world: World) -> None:
    client = api_client(world.worker)
    key = {"Idempotency-Key": "intake-7f3a"}
    assert (
        client.post(CASES, intake_body(world.pp_village, sex="x"), headers=key).status_code == 400
    )
    count = Case.objects.count()
    corrected = client.post(CASES, intake_body(world.pp_village), headers=key)
    assert corrected.status_code == 201, corrected.content
    assert Case.objects.count() == count + 1


def test_a_retry_while_the_first_request_is_under_way_answers_409_with_retry_after(
    world: World,
) -> None:
    client = api_client(world.worker)
    body, key = intake_body(world.pp_village), {"Idempotency-Key": "intake-7f3a"}
    assert client.post(CASES, body, headers=key).status_code == 201
    # As the claim stands while its creation runs, or after a crash between the creation's
    # commit and storing its answer: claimed, no answer yet.
    IdempotencyKey.objects.filter(key="intake-7f3a").update(status_code=0, response={})
    count = Case.objects.count()

    retry = client.post(CASES, body, headers=key)
    other = client.post(CASES, intake_body(world.pp_village, given_name="Dara"), headers=key)

    assert retry.status_code == 409
    assert retry["Retry-After"] == "1"
    assert "still being processed" in retry.json()["detail"]
    assert other.status_code == 400  # another body with the key stays a mistake of the client
    assert Case.objects.count() == count


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_with_one_idempotency_key_at_once_create_one_case() -> None:
    village = LocationFactory.village_in(province("12"))
    worker = UserFactory.create(role=Role.SOCIAL_WORKER, agency=AgencyFactory.create())
    body, key = intake_body(village), {"Idempotency-Key": "intake-at-once"}
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(api_client(worker).post(CASES, body, headers=key, format="json"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answer.status_code for answer in answers) in ([201, 201], [201, 409])
    for answer in answers:
        if answer.status_code == 409:
            assert answer["Retry-After"] == "1"
    assert Case.objects.count() == 1
    later = api_client(worker).post(CASES, body, headers=key, format="json")
    assert later.status_code == 201
    assert later["Idempotent-Replayed"] == "true"
    assert later.json()["id"] == Case.objects.get().pk


# --- reading and editing ----------------------------------------------------------------------


def test_every_read_of_a_case_file_carries_an_etag_and_is_audited(world: World) -> None:
    client = api_client(world.worker)
    for _ in range(2):
        response = client.get(case_url(world.own_case.pk))
        assert response.status_code == 200
        assert response.headers["ETag"]
    views = AuditEvent.objects.filter(action="case.view_file", case_id=world.own_case.pk)
    assert list(views.values_list("actor_id", flat=True)) == [world.worker.pk] * 2


def test_an_edit_with_a_matching_if_match_answers_200_and_a_new_etag(world: World) -> None:
    client = api_client(world.worker)
    etag = client.get(case_url(world.own_case.pk)).headers["ETag"]
    response = client.patch(
        case_url(world.own_case.pk), {"summary": "Met the grandmother."}, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "Met the grandmother."
    assert response.headers["ETag"] != etag
    assert client.get(case_url(world.own_case.pk)).headers["ETag"] == response.headers["ETag"]


def test_an_edit_with_a_stale_if_match_answers_412_and_changes_nothing(world: World) -> None:
    client = api_client(world.worker)
    stale = client.get(case_url(world.own_case.pk)).headers["ETag"]
    assert (
        client.patch(
            case_url(world.own_case.pk), {"summary": "First"}, headers={"If-Match": stale}
        ).status_code
        == 200
    )
    second = client.patch(
        case_url(world.own_case.pk), {"summary": "Second"}, headers={"If-Match": stale}
    )
    assert second.status_code == 412
    world.own_case.refresh_from_db()
    assert world.own_case.summary == "First"


def test_the_stage_moves_along_an_allowed_step(world: World) -> None:
    response = api_client(world.worker).patch(case_url(world.own_case.pk), {"stage": "assessment"})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "assessment"


@pytest.mark.parametrize("stage", [Stage.IMPLEMENTATION, Stage.CLOSURE, Stage.FOLLOW_UP])
def test_a_forbidden_stage_jump_answers_409_and_changes_nothing(world: World, stage: str) -> None:
    version = world.own_case.version
    response = api_client(world.worker).patch(case_url(world.own_case.pk), {"stage": stage})
    assert response.status_code == 409, response.content
    world.own_case.refresh_from_db()
    assert (world.own_case.stage, world.own_case.version) == (Stage.INTAKE, version)


def test_no_stage_reaches_closure_by_an_edit(world: World) -> None:
    world.own_case.stage = Stage.FOLLOW_UP
    world.own_case.save()
    response = api_client(world.worker).patch(case_url(world.own_case.pk), {"stage": "closure"})
    assert response.status_code == 409
    world.own_case.refresh_from_db()
    assert world.own_case.stage == Stage.FOLLOW_UP


def test_someone_outside_the_case_cannot_tell_it_exists_when_editing(world: World) -> None:
    response = api_client(world.other_worker).patch(case_url(world.own_case.pk), {"summary": "x"})
    assert response.status_code == 404


def test_provincial_oversight_reads_but_does_not_edit(world: World) -> None:
    client = api_client(world.dosvy_officer)
    assert client.get(case_url(world.own_case.pk)).status_code == 200
    response = client.patch(case_url(world.own_case.pk), {"summary": "Overwritten"})
    assert response.status_code == 403
    world.own_case.refresh_from_db()
    assert world.own_case.summary == ""


def test_the_childs_names_are_edited_through_the_case(world: World) -> None:
    names = {"given_name": "Srey Mom", "given_name_km": GIVEN_KM, "family_name_km": FAMILY_KM}
    response = api_client(world.worker).patch(case_url(world.own_case.pk), {"child": names})
    assert response.status_code == 200, response.content
    child = response.json()["child"]
    assert (child["given_name"], child["given_name_km"], child["family_name_km"]) == (
        "Srey Mom",
        GIVEN_KM,
        FAMILY_KM,
    )
    stored = Child.objects.get(pk=world.own_case.child_id)
    assert stored.search_name_km == FAMILY_KM + GIVEN_KM


def test_a_future_birth_date_on_edit_is_reported_under_child(world: World) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api_client(world.worker).patch(
        case_url(world.own_case.pk), {"child": {"date_of_birth": tomorrow}}
    )
    assert response.status_code == 400
    assert "date_of_birth" in response.json()["child"]
    assert Child.objects.get(pk=world.own_case.child_id).date_of_birth is None


# --- list filters -----------------------------------------------------------------------------


@dataclass
class Listing:
    viewer: User
    district: Location
    sophea: Case
    dara: Case
    vanna: Case
    bopha: Case


def _listed_case(concern: str, **values: Any) -> Case:
    case: Case = CaseFactory.create(**values)
    CaseConcern.objects.create(case=case, concern_id=concern)
    return case


@pytest.fixture
def listing(db: None) -> Listing:
    """A national supervisor (who sees every unrestricted case) and four cases that differ in
    each filtered attribute."""
    mosvy = AgencyFactory.create(name="MoSVY national", type=AgencyType.MOSVY)
    viewer = UserFactory.create(role=Role.SUPERVISOR, agency=mosvy)
    colleague = UserFactory.create(agency=mosvy)
    village = LocationFactory.village_in(province("12"))
    neighbour = LocationFactory.create(level=LocationLevel.VILLAGE, parent=village.parent)
    district = village.parent.parent  # type: ignore[union-attr]
    assert district is not None
    sophea = _listed_case(
        "child_labour",
        owner=viewer,
        location=village,
        case_number="12-2026-00001",
        stage=Stage.ASSESSMENT,
        risk_level=RiskLevel.HIGH,
        child__given_name="Sophea",
        child__family_name="Chan",
        child__given_name_km=GIVEN_KM,
        child__family_name_km=FAMILY_KM,
    )
    dara = _listed_case(
        "neglect",
        owner=colleague,
        location=neighbour,
        case_number="12-2026-00002",
        status=Status.CLOSED,
        closed_at=timezone.now(),
        stage=Stage.CLOSURE,
        risk_level=RiskLevel.LOW,
        child__given_name="Dara",
        child__family_name="Sok",
        child__given_name_km="ដារា",
        child__family_name_km="សុខ",
    )
    vanna = _listed_case(
        "physical_abuse",
        owner=colleague,
        location=LocationFactory.village_in(province("12")),
        case_number="12-2025-00007",
        child__given_name="Vanna",
        child__family_name="Kim",
        child__given_name_km="វណ្ណា",
        child__family_name_km="គឹម",
    )
    bopha = _listed_case(
        "child_labour",
        owner=colleague,
        location=LocationFactory.village_in(province("01")),
        case_number="01-2026-00001",
        child__given_name="Bopha",
        child__family_name="Meas",
        child__given_name_km="បុប្ផា",
        child__family_name_km="មាស",
    )
    return Listing(viewer, district, sophea, dara, vanna, bopha)


FILTERS: dict[str, tuple[str, set[str]]] = {
    "closed status": ("status=closed", {"dara"}),
    "open status": ("status=open", {"sophea", "vanna", "bopha"}),
    "intake stage": ("stage=intake", {"vanna", "bopha"}),
    "high risk": ("risk_level=high", {"sophea"}),
    "child labour": ("concern=child_labour", {"sophea", "bopha"}),
    "my cases": ("owner=me", {"sophea"}),
    "Khmer given name": (f"q={GIVEN_KM}", {"sophea"}),
    "Khmer full name with a space": (f"q={FAMILY_KM} {GIVEN_KM}", {"sophea"}),
    "Khmer family name": ("q=សុខ", {"dara"}),
    "Latin name": ("q=sophea", {"sophea"}),
    "Latin name, other case and order": ("q=KIM Vanna", {"vanna"}),
    "misspelt Latin name": ("q=Sopheak", {"sophea"}),
    "every Latin word must be found": ("q=Sophea Kim", set()),
    "misspelt Khmer name, when no name is written so": (f"q={FAMILY_KM}ស្រីមុម", {"sophea"}),
    "no name to look for": ("q=-- ?", set()),
    "case number prefix": ("q=12-2026-0000", {"sophea", "dara"}),
    "whole case number": ("q=01-2026-00001", {"bopha"}),
    "two filters together": ("status=open&concern=child_labour", {"sophea", "bopha"}),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_the_list_filters_return_exactly_the_matching_cases(listing: Listing, name: str) -> None:
    query, expected = FILTERS[name]
    response = api_client(listing.viewer).get(f"{CASES}?{query}")
    assert ids(response) == {getattr(listing, key).pk for key in expected}, name


def test_a_location_filter_takes_in_everything_under_it(listing: Listing) -> None:
    client = api_client(listing.viewer)
    in_district = ids(client.get(f"{CASES}?location={listing.district.pk}"))
    assert in_district == {listing.sophea.pk, listing.dara.pk}
    in_province = ids(client.get(f"{CASES}?location={province('12').pk}"))
    assert in_province == {listing.sophea.pk, listing.dara.pk, listing.vanna.pk}


def test_filters_never_widen_the_callers_reach(world: World) -> None:
    listed = ids(api_client(world.worker).get(f"{CASES}?location={world.phnom_penh.pk}"))
    assert listed == {world.own_case.pk, world.restricted_case.pk}


# --- sections ---------------------------------------------------------------------------------

ADMINISTRATIVE = {"id", "case_number", "status", "stage", "risk_level", "owner", "agency"}


def test_the_agency_admin_sees_administrative_fields_only(world: World) -> None:
    data = api_client(world.agency_admin).get(case_url(world.own_case.pk)).json()
    assert data.keys() >= ADMINISTRATIVE
    assert data["case_number"] == world.own_case.case_number
    assert not data.keys() & {"child", "concerns", "summary", "source", "labour_sector", "location"}


def test_a_follow_up_grant_shows_the_childs_identity_only(world: World) -> None:
    grantee = world.commune_member
    assign_perm("cases.view_case_follow_ups", grantee, world.own_case)
    data = api_client(grantee).get(case_url(world.own_case.pk)).json()
    child = data["child"]
    assert {
        "given_name",
        "given_name_km",
        "family_name",
        "age",
        "sex",
        "address",
        "location",
    } <= child.keys()
    assert child["given_name"] == world.own_case.child.given_name
    assert not child.keys() & {"date_of_birth", "family", "national_id_number"}
    assert not data.keys() & {"summary", "concerns"}
    assert data["access"]["sections"] == ["follow_ups"]


def test_the_owner_sees_the_whole_file(world: World) -> None:
    FamilyMember.objects.create(child=world.own_case.child, name="Sok Chea", relation="father")
    CaseConcern.objects.create(case=world.own_case, concern_id="neglect")
    data = api_client(world.worker).get(case_url(world.own_case.pk)).json()
    assert {"date_of_birth", "family", "national_id_number"} <= data["child"].keys()
    assert [member["name"] for member in data["child"]["family"]] == ["Sok Chea"]
    assert data["concerns"] == ["neglect"]
    assert "summary" in data


# --- assignment -------------------------------------------------------------------------------


def test_the_supervisor_gives_a_case_to_a_teammate(world: World) -> None:
    case = world.own_case
    response = api_client(world.supervisor).post(
        case_url(case.pk, "assign/"), {"owner": world.teammate.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == world.teammate.pk
    assert api_client(world.teammate).get(case_url(case.pk)).status_code == 200
    assert api_client(world.worker).get(case_url(case.pk)).status_code == 404
    assert AuditEvent.objects.filter(action="case.assign", case_id=case.pk).exists()


def test_the_agency_admin_assigns_cases(world: World) -> None:
    response = api_client(world.agency_admin).post(
        case_url(world.own_case.pk, "assign/"), {"owner": world.teammate.pk}
    )
    assert response.status_code == 200, response.content
    world.own_case.refresh_from_db()
    assert world.own_case.owner == world.teammate


def test_a_worker_does_not_reassign_her_own_case(world: World) -> None:
    response = api_client(world.worker).post(
        case_url(world.own_case.pk, "assign/"), {"owner": world.teammate.pk}
    )
    assert response.status_code == 403
    world.own_case.refresh_from_db()
    assert world.own_case.owner == world.worker


def test_a_case_is_not_given_to_another_agencys_worker(world: World) -> None:
    response = api_client(world.supervisor).post(
        case_url(world.own_case.pk, "assign/"), {"owner": world.other_worker.pk}
    )
    assert response.status_code == 400
    assert "owner" in response.json()
    world.own_case.refresh_from_db()
    assert world.own_case.owner == world.worker


def test_a_supervisor_who_hands_a_case_outside_her_team_gets_an_answer(world: World) -> None:
    """The change is made; the answer shows no more than the supervisor may now see."""
    outsider = UserFactory.create(agency=world.ngo)
    response = api_client(world.supervisor).post(
        case_url(world.own_case.pk, "assign/"), {"owner": outsider.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == outsider.pk
    assert "child" not in response.json()
    world.own_case.refresh_from_db()
    assert world.own_case.owner == outsider


# --- closure ----------------------------------------------------------------------------------


def _ask_closure(world: World) -> Any:
    body = {"reason": "reintegrated", "note": "Home with family."}
    return api_client(world.worker).post(case_url(world.own_case.pk, "close/"), body)


def test_the_owner_asks_for_closure_and_it_waits_for_a_decision(world: World) -> None:
    response = _ask_closure(world)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
    assert response.json()["closure"]["reason"] == "reintegrated"
    assert response.json()["closure"]["requested_by"] == world.worker.pk
    world.own_case.refresh_from_db()
    assert world.own_case.closure_pending
    assert _ask_closure(world).status_code == 409


def test_nobody_approves_their_own_closure_request(world: World) -> None:
    _ask_closure(world)
    response = api_client(world.worker).post(case_url(world.own_case.pk, "close/approve/"), {})
    assert response.status_code == 403
    world.own_case.refresh_from_db()
    assert world.own_case.status == Status.OPEN


def test_the_supervisor_approves_closure(world: World) -> None:
    _ask_closure(world)
    response = api_client(world.supervisor).post(
        case_url(world.own_case.pk, "close/approve/"), {"comment": "Agreed."}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["stage"]) == ("closed", "closure")
    assert response.json()["closure"]["closed_at"]


def test_a_rejection_needs_a_comment_and_leaves_the_case_open(world: World) -> None:
    _ask_closure(world)
    client = api_client(world.supervisor)
    assert client.post(case_url(world.own_case.pk, "close/reject/"), {}).status_code == 400
    world.own_case.refresh_from_db()
    assert world.own_case.closure_pending
    response = client.post(
        case_url(world.own_case.pk, "close/reject/"), {"comment": "Visit the family once more."}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
    assert response.json()["closure"] is None
    world.own_case.refresh_from_db()
    assert not world.own_case.closure_pending


def test_approving_when_nothing_waits_answers_409(world: World) -> None:
    response = api_client(world.supervisor).post(case_url(world.own_case.pk, "close/approve/"), {})
    assert response.status_code == 409


def _close(world: World) -> None:
    _ask_closure(world)
    approved = api_client(world.supervisor).post(case_url(world.own_case.pk, "close/approve/"), {})
    assert approved.status_code == 200


def test_a_closed_case_reopens_for_a_new_assessment(world: World) -> None:
    _close(world)
    client = api_client(world.worker)
    assert client.post(case_url(world.own_case.pk, "reopen/"), {"reason": ""}).status_code == 400
    response = client.post(
        case_url(world.own_case.pk, "reopen/"), {"reason": "The child left home again."}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["stage"]) == ("open", "assessment")
    assert response.json()["closure"] is None


def test_an_open_case_cannot_be_reopened(world: World) -> None:
    response = api_client(world.worker).post(
        case_url(world.own_case.pk, "reopen/"), {"reason": "Why not."}
    )
    assert response.status_code == 409


def test_a_closed_case_takes_no_edits(world: World) -> None:
    _close(world)
    client = api_client(world.worker)
    assert client.patch(case_url(world.own_case.pk), {"summary": "Late note"}).status_code == 409
    assert _ask_closure(world).status_code == 409
    assigned = api_client(world.supervisor).post(
        case_url(world.own_case.pk, "assign/"), {"owner": world.teammate.pk}
    )
    assert assigned.status_code == 409
    world.own_case.refresh_from_db()
    assert (world.own_case.summary, world.own_case.owner) == ("", world.worker)


# --- history ----------------------------------------------------------------------------------


def test_the_history_lists_the_cases_events_oldest_first(world: World) -> None:
    client = api_client(world.worker)
    case_id = client.post(CASES, intake_body(world.pp_village)).json()["id"]
    client.patch(case_url(case_id), {"summary": "Edited"})
    client.get(case_url(case_id))
    response = client.get(case_url(case_id, "history/"))
    assert response.status_code == 200, response.content
    events = response.json()["results"]
    assert [event["action"] for event in events] == [
        "case.create",
        "case.update",
        "case.view_file",
        "case.view_history",
    ]
    assert {event["actor"] for event in events} == {world.worker.pk}
    assert events[1]["changes"]["summary"] == ["Found working at a brick kiln.", "Edited"]


def test_the_history_is_refused_to_the_agency_admin_and_hidden_from_outsiders(
    world: World,
) -> None:
    url = case_url(world.own_case.pk, "history/")
    assert api_client(world.agency_admin).get(url).status_code == 403
    assert api_client(world.other_worker).get(url).status_code == 404


# --- query counts -----------------------------------------------------------------------------

# The page and what it shows (10), and its reading in the audit trail (4).
CASE_LIST_QUERIES = 14
CASE_DETAIL_QUERIES = 16
CONCERNS = [
    "child_labour",
    "neglect",
    "out_of_school",
    "physical_abuse",
    "left_behind",
    "migrating_child",
]


def _cases_for(owner: User, count: int, *, concerns: int, family: int) -> None:
    for _ in range(count):
        case = CaseFactory.create(owner=owner, location=LocationFactory.village_in(province("12")))
        CaseConcern.objects.bulk_create(
            CaseConcern(case=case, concern_id=code) for code in CONCERNS[:concerns]
        )
        FamilyMember.objects.bulk_create(
            FamilyMember(child=case.child, name=f"Relative {n}", relation="other_relative")
            for n in range(family)
        )


@contextmanager
def _counted() -> Iterator[list[int]]:
    counts: list[int] = []
    with CaptureQueriesContext(connection) as queries:
        yield counts
    counts.append(len(queries))


def test_the_case_list_runs_a_bounded_number_of_queries(
    db: None, django_assert_max_num_queries: Any
) -> None:
    worker = UserFactory.create()
    client = api_client(worker)
    _cases_for(worker, 3, concerns=1, family=0)
    with _counted() as few:
        assert len(client.get(f"{CASES}?page_size=100").json()["results"]) == 3
    _cases_for(worker, 37, concerns=6, family=4)
    with django_assert_max_num_queries(CASE_LIST_QUERIES), _counted() as many:
        results = client.get(f"{CASES}?page_size=100").json()["results"]
    assert len(results) == 40
    assert max(len(row["concerns"]) for row in results) == 6
    assert few == many


def test_the_case_detail_runs_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = api_client(world.worker)
    url = case_url(world.own_case.pk)
    with _counted() as small:
        assert client.get(url).status_code == 200
    FamilyMember.objects.bulk_create(
        FamilyMember(child=world.own_case.child, name=f"Relative {n}", relation="sibling")
        for n in range(8)
    )
    CaseConcern.objects.bulk_create(
        CaseConcern(case=world.own_case, concern_id=code) for code in CONCERNS
    )
    with django_assert_max_num_queries(CASE_DETAIL_QUERIES), _counted() as large:
        assert len(client.get(url).json()["child"]["family"]) == 8
    assert small == large


def test_a_list_of_a_set_of_ids_is_cut_before_the_children_are_joined(world: World) -> None:
    """A social worker's cases are ids (her own and those granted): the page is cut in a
    subquery, then its rows joined to their children. A territory's are walked in date order,
    joined as read. The same cases either way."""
    for user, cut in ((world.worker, True), (world.dosvy_officer, False)):
        with CaptureQueriesContext(connection) as queries:
            answer = api_client(user).get("/api/v1/cases/?status=open")
        assert answer.status_code == 200
        listed = [row["id"] for row in answer.json()["results"]]
        assert world.own_case.pk in listed
        assert listed == list(
            visible_cases(user)
            .filter(status="open")
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)
        )
        [page] = [
            query["sql"]
            for query in queries.captured_queries
            if '"cases_case"."case_number"' in query["sql"] and "cases_child" in query["sql"]
        ]
        assert ("IN (SELECT" in page and "LIMIT 51)" in page) == cut
