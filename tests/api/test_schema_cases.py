"""The OpenAPI schema says what the case endpoints send: every answer of a day's work on a case
(as its owner, and as readers who see less of it) is validated against the operation's declared
answer in the schema the server publishes. An object may hold no property the schema does not
name, so a field sent but missing from the schema fails here, as does one sent with another type,
null where the schema does not allow it, or a value outside a declared enum."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import Location, User
from cases.choices import RiskLevel, Stage
from cases.models import Case, RiskInstrument
from cases.selectors.risk import risk_instrument_with_content
from tests.api.schema_check import check_answer
from tests.conftest import World, api_client
from tests.factories import UserFactory

CASES = "/api/v1/cases/"
TODAY = timezone.localdate


def checked(response: Any, status: int = 200) -> Any:
    """The answer's body, once its status is ``status`` and the schema describes it."""
    assert response.status_code == status, response.content
    return check_answer(response)


def _registration(location: Location, **child: Any) -> dict[str, Any]:
    return {
        "child": {
            "given_name": "Sophea",
            "family_name": "Chan",
            "given_name_km": "ស្រីមុំ",
            "family_name_km": "ច័ន្ទ",
            "sex": "female",
            "estimated_age": 12,
            "location": location.pk,
            "languages": ["km"],
            **child,
        },
        "family": [{"name": "Chan Dara", "name_km": "ច័ន្ទ ដារា", "relation": "mother"}],
        "concerns": ["child_labour", "out_of_school"],
        "labour_sector": "brick_kiln",
        "source": "labour_inspection",
        "summary": "Found working at a brick kiln.",
    }


def _case(case: Case, what: str = "") -> str:
    return f"{CASES}{case.pk}/{what}"


# --- The strictness the checks rely on ----------------------------------------------------------


def test_a_field_the_schema_does_not_name_or_types_otherwise_is_caught(world: World) -> None:
    response = api_client(world.worker).get(_case(world.own_case))
    original = checked(response)

    for departure in (
        {**original, "unexpected": 1},
        {**original, "version": "1"},
        {**original, "child": {**original["child"], "sex": "girl"}},
    ):
        response.content = json.dumps(departure).encode()
        with pytest.raises(AssertionError):
            check_answer(response)


# --- Cases --------------------------------------------------------------------------------------


def test_a_registration_with_possible_duplicates_and_the_case_as_its_owner_reads_it(
    world: World,
) -> None:
    theirs = _registration(world.pp_commune, given_name="Sopheak", given_name_km="")
    assert api_client(world.other_worker).post(CASES, theirs).status_code == 201
    client = api_client(world.worker)
    checked(client.post(CASES, _registration(world.pp_village)), 201)

    born = date(TODAY().year - 12, 1, 1).isoformat()
    again = _registration(world.pp_village, estimated_age=None, date_of_birth=born)
    created = checked(client.post(CASES, again), 201)

    # One of her agency's cases, with its number; one of another agency's, without.
    duplicates = created["possible_duplicates"]
    assert sorted(duplicate["case"] is None for duplicate in duplicates) == [False, True]
    case = Case.objects.get(pk=created["id"])
    detail = checked(client.get(_case(case)))
    assert detail["child"]["family"]
    assert detail["labour_sector"] == "brick_kiln"
    listed = checked(client.get(CASES))
    assert {row["id"] for row in listed["results"]} >= {case.pk, world.own_case.pk}
    edit = {"stage": Stage.ASSESSMENT, "concerns": ["neglect"], "labour_sector": ""}
    edited = checked(client.patch(_case(case), edit))
    assert edited["labour_sector"] is None
    checked(client.get(_case(case, "history/")))


def _granted(world: World, codename: str) -> User:
    user = UserFactory.create(agency=world.other_ngo)
    assign_perm(codename, user, world.own_case)
    return user


@pytest.mark.parametrize(
    ("reader", "keys"),
    [
        ("agency_admin", set()),
        ("follow_up_grantee", {"location", "child"}),
        ("profile_grantee", {"location", "child"}),
        ("supervisor", {"location", "child", "concerns", "labour_sector", "source", "summary"}),
    ],
)
def test_readers_who_see_less_of_the_case_get_answers_the_schema_describes(
    world: World, reader: str, keys: set[str]
) -> None:
    user = {
        "follow_up_grantee": lambda: _granted(world, "cases.view_case_follow_ups"),
        "profile_grantee": lambda: _granted(world, "cases.view_case_profile"),
    }.get(reader, lambda: getattr(world, reader))()
    client = api_client(user)

    detail = checked(client.get(_case(world.own_case)))
    listed = checked(client.get(CASES))

    sections = {"location", "child", "concerns", "labour_sector", "source", "summary"}
    assert detail.keys() & sections == keys
    assert [row for row in listed["results"] if row["id"] == world.own_case.pk] in ([], [detail])


def test_closure_asked_approved_and_reopened_and_an_assignment(world: World) -> None:
    worker, supervisor = api_client(world.worker), api_client(world.supervisor)
    case = world.own_case

    asked = worker.post(_case(case, "close/"), {"reason": "reintegrated", "note": "Home."})
    assert checked(asked)["closure"]["closed_at"] is None
    approved = supervisor.post(_case(case, "close/approve/"), {"comment": "Agreed."})
    assert checked(approved)["closure"]
    reopened = worker.post(_case(case, "reopen/"), {"reason": "The child left home again."})
    checked(reopened)
    assigned = api_client(world.agency_admin).post(
        _case(case, "assign/"), {"owner": world.teammate.pk}
    )
    assert "child" not in checked(assigned)


# --- Plans, services, notes, consent ------------------------------------------------------------


def test_a_plan_drafted_submitted_and_approved(world: World) -> None:
    case = world.own_case
    case.stage = Stage.ASSESSMENT
    case.save(update_fields=["stage"])
    worker, supervisor = api_client(world.worker), api_client(world.supervisor)
    due = (TODAY() + timedelta(days=14)).isoformat()
    action = {"description": "Enrol in school", "responsible": world.worker.pk, "due_date": due}
    body = {"goals": [{"description": "Back to school", "actions": [action]}]}

    created = checked(worker.post(_case(case, "case-plans/"), body), 201)
    url = _case(case, f"case-plans/{created['id']}/")
    checked(worker.get(_case(case, "case-plans/")))
    checked(worker.patch(url, body))
    checked(worker.post(f"{url}submit/"))
    decided = supervisor.post(f"{url}approve/", {"comment": "Good plan"})
    assert checked(decided)["decided_at"]
    checked(worker.get(url))


def test_services_notes_and_consent(world: World) -> None:
    client = api_client(world.worker)
    case = world.own_case
    service = {"service": "psychosocial", "status": "in_progress", "start_date": TODAY()}

    created = checked(client.post(_case(case, "services/"), service), 201)
    url = _case(case, f"services/{created['id']}/")
    checked(client.get(_case(case, "services/")))
    checked(client.get(url))
    checked(client.patch(url, {"end_date": TODAY()}))

    note = {"kind": "home_visit", "date": TODAY(), "text": "ឪពុកម្ដាយនៅផ្ទះ"}
    checked(client.post(_case(case, "notes/"), note), 201)
    checked(client.get(_case(case, "notes/")))

    consent = {"given_by": "caregiver", "scope": ["data_sharing", "referral"], "date": TODAY()}
    created = checked(client.post(_case(case, "consents/"), consent), 201)
    withdrawn = client.post(_case(case, f"consents/{created['id']}/withdraw/"), {})
    assert checked(withdrawn)["withdrawn_on"]
    checked(client.get(_case(case, "consents/")))


# --- Risk ---------------------------------------------------------------------------------------


def test_the_instrument_and_an_assessment(world: World) -> None:
    client = api_client(world.worker)
    instrument = checked(client.get("/api/v1/risk-instruments/current/"))
    floors = {option["minimum_level"] for q in instrument["questions"] for option in q["options"]}
    # Options that set no minimum level and options that do.
    assert "" in floors
    assert floors - {""}

    current: RiskInstrument = risk_instrument_with_content().get(is_current=True)
    answers = {
        question.code: min(question.options.all(), key=lambda option: option.score).code
        for question in current.questions.all()
    }
    body = {"instrument": current.pk, "answers": answers, "notes": ""}
    created = client.post(_case(world.own_case, "risk-assessments/"), body)
    assert checked(created, 201)["risk_level"] == RiskLevel.LOW
    checked(client.get(_case(world.own_case, "risk-assessments/")))
    detail = client.get(_case(world.own_case, f"risk-assessments/{created.json()['id']}/"))
    checked(detail)
    case = checked(client.get(_case(world.own_case)))
    assert case["risk_level"] == RiskLevel.LOW
    assert case["respond_by"]


# --- Named people -------------------------------------------------------------------------------


def test_the_people_named_on_a_restricted_case(world: World) -> None:
    client = api_client(world.worker)
    url = _case(world.restricted_case, "named-people/")

    checked(client.post(url, {"user": world.supervisor.pk}), 201)
    assert len(checked(client.get(url))) == 2
    removed = client.delete(f"{url}{world.supervisor.pk}/")
    checked(removed, 204)
