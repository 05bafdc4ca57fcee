"""Where a child lives, through the API: the history of placements without gaps or overlaps,
the gatekeeping decision residential care needs, and who may read and record them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from accounts.choices import Role
from audit.models import AuditEvent
from cases.choices import Status
from cases.models import Case
from reintegration.models import Placement
from tests.conftest import World, api_client
from tests.factories import CaseFactory, UserFactory

KHMER_CAREGIVER = "លោកយាយ សុខ ស្រីពៅ (ជីដូន)"


def url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/placements/"


def gatekeeping(approver: Any, **changes: Any) -> dict[str, Any]:
    return {
        "reason": "No relative can keep her safe from the trafficker for now.",
        "alternatives_considered": "Aunt in Kandal (declined), foster family (none free).",
        "approved_by": approver.pk,
        **changes,
    }


def post(user: Any, case: Case, **body: Any) -> Any:
    return api_client(user).post(url(case), body)


def test_a_new_current_placement_ends_the_previous_one_on_its_start_date(world: World) -> None:
    case = world.own_case
    shelter = post(
        world.worker,
        case,
        type="shelter",
        start_date="2025-01-10",
        agency=world.ngo.pk,
        caregiver="Hope Shelter",
    )
    assert shelter.status_code == 201, shelter.content
    assert (shelter.json()["current"], shelter.json()["end_date"]) == (True, None)

    home = post(
        world.worker,
        case,
        type="kinship",
        start_date="2025-06-01",
        location=world.pp_village.pk,
        caregiver="Aunt Sophea",
    )
    assert home.status_code == 201, home.content

    history = api_client(world.worker).get(url(case))
    assert history.status_code == 200
    rows = [
        (p["id"], p["type"], p["start_date"], p["end_date"], p["current"])
        for p in history.json()["results"]
    ]
    assert rows == [
        (home.json()["id"], "kinship", "2025-06-01", None, True),
        (shelter.json()["id"], "shelter", "2025-01-10", "2025-06-01", False),
    ]


def test_a_placement_starting_before_the_current_one_answers_400_and_changes_nothing(
    world: World,
) -> None:
    post(world.worker, world.own_case, type="shelter", start_date="2025-03-01")

    answer = post(
        world.worker,
        world.own_case,
        type="parents",
        start_date="2025-02-28",
        location=world.pp_village.pk,
    )

    assert answer.status_code == 400
    assert "start_date" in answer.json()
    assert list(Placement.objects.filter(case=world.own_case).values_list("type", "end_date")) == [
        ("shelter", None)
    ]


def test_a_past_placement_with_its_end_date_joins_the_history_and_leaves_the_current_one(
    world: World,
) -> None:
    post(world.worker, world.own_case, type="shelter", start_date="2025-03-01")

    answer = post(
        world.worker,
        world.own_case,
        type="foster",
        start_date="2024-05-01",
        end_date="2024-12-31",
        caregiver="Foster family Chan",
    )

    assert answer.status_code == 201, answer.content
    current = Placement.objects.get(case=world.own_case, end_date__isnull=True)
    assert current.type == "shelter"


def test_a_placement_ending_before_it_starts_answers_400(world: World) -> None:
    answer = post(
        world.worker, world.own_case, type="foster", start_date="2024-05-01", end_date="2024-04-30"
    )

    assert answer.status_code == 400
    assert "end_date" in answer.json()
    assert not Placement.objects.filter(case=world.own_case).exists()


def test_residential_care_without_gatekeeping_answers_400_and_saves_nothing(
    world: World,
) -> None:
    post(world.worker, world.own_case, type="shelter", start_date="2025-03-01")

    answer = post(world.worker, world.own_case, type="residential_care", start_date="2025-04-01")

    assert answer.status_code == 400
    assert "gatekeeping" in answer.json()
    # The shelter stays current: the refused placement ended nothing.
    assert list(Placement.objects.filter(case=world.own_case).values_list("type", "end_date")) == [
        ("shelter", None)
    ]
    assert not AuditEvent.objects.filter(
        action="placement.create", case_id=world.own_case.pk, changes__type="residential_care"
    ).exists()


def test_gatekeeping_not_approved_by_an_active_supervisor_answers_400(world: World) -> None:
    inactive = UserFactory.create(role=Role.SUPERVISOR, agency=world.ngo, is_active=False)

    for approver in (world.worker, world.commune_member, inactive):
        answer = post(
            world.worker,
            world.own_case,
            type="residential_care",
            start_date="2025-04-01",
            gatekeeping=gatekeeping(approver),
        )

        assert answer.status_code == 400, approver.username
        assert "gatekeeping" in answer.json()
    assert not Placement.objects.filter(case=world.own_case).exists()


def test_an_incomplete_gatekeeping_decision_answers_400(world: World) -> None:
    for missing in ("reason", "alternatives_considered", "approved_by"):
        decision = gatekeeping(world.supervisor)
        del decision[missing]

        answer = post(
            world.worker,
            world.own_case,
            type="residential_care",
            start_date="2025-04-01",
            gatekeeping=decision,
        )

        assert answer.status_code == 400, missing
        assert "gatekeeping" in answer.json()
    blank = post(
        world.worker,
        world.own_case,
        type="residential_care",
        start_date="2025-04-01",
        gatekeeping=gatekeeping(world.supervisor, reason="   "),
    )
    assert blank.status_code == 400
    assert not Placement.objects.filter(case=world.own_case).exists()


def test_residential_care_with_a_supervisors_gatekeeping_is_recorded_and_returned(
    world: World,
) -> None:
    decision = gatekeeping(world.supervisor)

    answer = post(
        world.worker,
        world.own_case,
        type="residential_care",
        start_date="2025-04-01",
        agency=world.ngo.pk,
        gatekeeping=decision,
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["gatekeeping"] == decision
    placement = Placement.objects.get(pk=answer.json()["id"])
    assert placement.gatekeeping_approved_by == world.supervisor
    assert placement.recorded_by == world.worker
    listed = api_client(world.worker).get(url(world.own_case)).json()["results"]
    assert listed[0]["gatekeeping"] == decision


def test_an_unknown_placement_type_answers_400(world: World) -> None:
    answer = post(world.worker, world.own_case, type="orphanage", start_date="2025-04-01")

    assert answer.status_code == 400
    assert "type" in answer.json()
    assert not Placement.objects.filter(case=world.own_case).exists()


def test_khmer_caregiver_text_round_trips_unchanged(world: World) -> None:
    answer = post(
        world.worker,
        world.own_case,
        type="kinship",
        start_date="2025-04-01",
        location=world.pp_village.pk,
        caregiver=KHMER_CAREGIVER,
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["caregiver"] == KHMER_CAREGIVER
    listed = api_client(world.worker).get(url(world.own_case)).json()["results"]
    assert listed[0]["caregiver"] == KHMER_CAREGIVER
    assert Placement.objects.get().caregiver == KHMER_CAREGIVER


def test_the_owners_supervisor_records_a_placement(world: World) -> None:
    answer = post(world.supervisor, world.own_case, type="shelter", start_date="2025-04-01")

    assert answer.status_code == 201, answer.content


def test_a_persona_outside_reach_gets_404_reading_or_recording(world: World) -> None:
    post(world.worker, world.own_case, type="shelter", start_date="2025-03-01")
    other_admin = UserFactory.create(role=Role.AGENCY_ADMIN, agency=world.other_ngo)
    outsiders = [
        world.other_worker,
        world.teammate,
        world.commune_member,
        world.analyst,
        world.bmc_worker,
        other_admin,
    ]

    for user in outsiders:
        assert api_client(user).get(url(world.own_case)).status_code == 404, user.username
        answer = post(
            user,
            world.own_case,
            type="parents",
            start_date="2025-04-01",
            location=world.pp_village.pk,
        )
        assert answer.status_code == 404, user.username
    assert Placement.objects.filter(case=world.own_case).count() == 1


def test_oversight_reads_the_placements_but_may_not_record_one(world: World) -> None:
    post(world.worker, world.own_case, type="shelter", start_date="2025-03-01")

    assert api_client(world.dosvy_officer).get(url(world.own_case)).status_code == 200
    answer = post(
        world.dosvy_officer,
        world.own_case,
        type="parents",
        start_date="2025-04-01",
        location=world.pp_village.pk,
    )
    assert answer.status_code == 403
    assert Placement.objects.filter(case=world.own_case).count() == 1


def test_a_closed_case_takes_no_new_placement(world: World) -> None:
    case = CaseFactory.create(
        owner=world.worker,
        location=world.pp_village,
        status=Status.CLOSED,
        closed_at=timezone.now(),
    )

    answer = post(
        world.worker, case, type="parents", start_date="2025-04-01", location=world.pp_village.pk
    )

    assert answer.status_code == 409
    assert not Placement.objects.filter(case=case).exists()


@pytest.mark.parametrize("placements", [2, 20])
def test_the_placement_history_runs_a_bounded_number_of_queries(
    world: World, placements: int, django_assert_max_num_queries: Any
) -> None:
    Placement.objects.bulk_create(
        Placement(
            case=world.own_case,
            type="kinship",
            start_date=date(2024, 1, 1 + number),
            end_date=date(2024, 1, 2 + number),
            location=world.pp_village,
            recorded_by=world.worker,
        )
        for number in range(placements)
    )

    # The case and the reader's access (4), the read's audit event (5), count and page (2).
    with django_assert_max_num_queries(11):
        answer = api_client(world.worker).get(url(world.own_case))

    assert answer.status_code == 200
    assert len(answer.json()["results"]) == placements


def test_a_past_placement_overlapping_the_current_one_answers_400(world: World) -> None:
    """The history has no gaps or overlaps (docs/architecture.md): a past placement recorded
    late must not claim days the current one already covers."""
    post(world.worker, world.own_case, type="shelter", start_date="2025-03-01")

    answer = post(
        world.worker,
        world.own_case,
        type="kinship",
        start_date="2025-02-01",
        end_date="2025-04-01",
        caregiver="Aunt Sophea",
    )

    assert answer.status_code == 400
    assert Placement.objects.filter(case=world.own_case).count() == 1
