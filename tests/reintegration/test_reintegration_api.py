"""A child's return to a family through the API: the schedule of visits it makes, what it
refuses (with nothing saved), what it opens to the follow-up worker and to the commune, and
what a later reintegration replaces."""

from __future__ import annotations

from datetime import date
from typing import Any

from accounts.choices import Role
from accounts.models import Location
from cases.choices import Stage
from cases.models import Case, CaseAreaGrant
from reintegration import services
from reintegration.models import FollowUp, Placement, Reintegration
from tests.conftest import World, api_client
from tests.factories import CaseFactory, LocationFactory, UserFactory
from tests.reintegration.helpers import SCORES, another_commune, family_placement, visits


def url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/reintegration/"


def child_at_home(
    world: World,
    *,
    on: date = date(2025, 3, 15),
    stage: str = Stage.IMPLEMENTATION,
    location: Location | None = None,
) -> tuple[Case, Placement]:
    """A case of the worker's whose child went from a shelter to her parents on ``on``."""
    case = CaseFactory.create(owner=world.worker, location=world.pp_village, stage=stage)
    return case, family_placement(world, case, on=on, location=location)


def body(world: World, placement: Placement, **changes: Any) -> dict[str, Any]:
    return {
        "date": placement.start_date.isoformat(),
        "placement": placement.pk,
        "follow_up_worker": world.teammate.pk,
        "commune_focal_point": world.commune_member.pk,
        "readiness_assessment": "Ready; wants to go home.",
        "family_assessment": "Mother has steady work; father left.",
        "preparation_visits": [{"date": "2025-02-20", "notes": "ជួបម្ដាយ"}],
        **changes,
    }


def scheduled(answer: Any) -> list[str]:
    return [visit["scheduled_date"] for visit in answer.json()["follow_ups"]]


def assert_nothing_saved(case: Case, *, stage: str = Stage.IMPLEMENTATION) -> None:
    assert not Reintegration.objects.filter(case=case).exists()
    assert not FollowUp.objects.filter(case=case).exists()
    assert not CaseAreaGrant.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert (case.stage, case.follow_up_pending) == (stage, False)


# --- The schedule ------------------------------------------------------------------------------


def test_a_reintegration_schedules_visits_1_3_6_and_12_months_after_its_date(
    world: World,
) -> None:
    case, home = child_at_home(world, on=date(2025, 3, 15))

    answer = api_client(world.worker).post(url(case), body(world, home))

    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert scheduled(answer) == ["2025-04-15", "2025-06-15", "2025-09-15", "2026-03-15"]
    assert [v["sequence"] for v in data["follow_ups"]] == [1, 2, 3, 4]
    assert {v["status"] for v in data["follow_ups"]} == {"scheduled"}
    assert data["schedule_months"] == [1, 3, 6, 12]
    assert data["commune"] == world.pp_commune.pk
    assert data["placement"] == home.pk
    shelter = Placement.objects.get(case=case, type="shelter")
    assert data["from_placement"] == shelter.pk
    assert data["preparation_visits"] == [{"date": "2025-02-20", "notes": "ជួបម្ដាយ"}]
    assert FollowUp.objects.filter(case=case, status="scheduled").count() == 4


def test_visits_falling_after_a_months_end_move_to_its_last_day(world: World) -> None:
    expected = {
        "2023-01-31": ["2023-02-28", "2023-04-30", "2023-07-31", "2024-01-31"],
        "2024-01-31": ["2024-02-29", "2024-04-30", "2024-07-31", "2025-01-31"],
        "2024-08-31": ["2024-09-30", "2024-11-30", "2025-02-28", "2025-08-31"],
    }
    for day, dates in expected.items():
        case, home = child_at_home(world, on=date.fromisoformat(day))

        answer = api_client(world.worker).post(url(case), body(world, home))

        assert answer.status_code == 201, answer.content
        assert scheduled(answer) == dates, day


def test_the_request_chooses_its_own_schedule(world: World) -> None:
    case, home = child_at_home(world, on=date(2025, 2, 28))

    answer = api_client(world.worker).post(url(case), body(world, home, schedule_months=[2, 4, 9]))

    assert answer.status_code == 201, answer.content
    assert scheduled(answer) == ["2025-04-28", "2025-06-28", "2025-11-28"]
    assert answer.json()["schedule_months"] == [2, 4, 9]


def test_the_installation_chooses_the_default_schedule(world: World, settings: Any) -> None:
    settings.FOLLOW_UP_SCHEDULE_MONTHS = [6, 18]
    case, home = child_at_home(world, on=date(2025, 1, 10))

    answer = api_client(world.worker).post(url(case), body(world, home))

    assert answer.status_code == 201, answer.content
    assert scheduled(answer) == ["2025-07-10", "2026-07-10"]
    assert answer.json()["schedule_months"] == [6, 18]


def test_a_schedule_that_is_not_increasing_months_answers_400(world: World) -> None:
    case, home = child_at_home(world)

    for months in ([], [3, 1], [1, 1, 3], [0, 3], [1, 37], ["soon"]):
        answer = api_client(world.worker).post(url(case), body(world, home, schedule_months=months))

        assert answer.status_code == 400, months
        assert "schedule_months" in answer.json()
    assert_nothing_saved(case)


# --- What is refused ---------------------------------------------------------------------------


def test_the_placement_of_another_case_answers_400(world: World) -> None:
    case, _home = child_at_home(world)
    _other, elsewhere = child_at_home(world)

    answer = api_client(world.worker).post(url(case), body(world, elsewhere))

    assert answer.status_code == 400
    assert "placement" in answer.json()
    assert_nothing_saved(case)


def test_a_placement_away_from_a_family_answers_400(world: World) -> None:
    case, _home = child_at_home(world)
    shelter = Placement.objects.get(case=case, type="shelter")

    answer = api_client(world.worker).post(url(case), body(world, shelter))

    assert answer.status_code == 400
    assert "placement" in answer.json()
    assert_nothing_saved(case)


def test_a_family_placement_without_its_commune_or_village_answers_400(world: World) -> None:
    district = world.pp_commune.parent
    for location in (None, district, world.phnom_penh):
        case = CaseFactory.create(
            owner=world.worker, location=world.pp_village, stage=Stage.IMPLEMENTATION
        )
        home = services.placement_create(
            actor=world.worker,
            case=case,
            type="parents",
            start_date=date(2025, 3, 15),
            location=location,
        )

        answer = api_client(world.worker).post(url(case), body(world, home))

        assert answer.status_code == 400, location
        assert "placement" in answer.json()
        assert_nothing_saved(case)


def test_a_focal_point_who_is_not_a_committee_member_of_that_commune_answers_400(
    world: World,
) -> None:
    case, home = child_at_home(world)
    _village, member_elsewhere = another_commune(world)
    inactive_member = UserFactory.create(
        role=Role.COMMUNE_COMMITTEE, agency=world.ccwc, location=world.pp_commune, is_active=False
    )

    for focal_point in (member_elsewhere, world.other_worker, inactive_member):
        answer = api_client(world.worker).post(
            url(case), body(world, home, commune_focal_point=focal_point.pk)
        )

        assert answer.status_code == 400, focal_point.username
        assert "commune_focal_point" in answer.json()
    assert_nothing_saved(case)


def test_a_village_chief_of_that_commune_may_be_the_focal_point(world: World) -> None:
    case, home = child_at_home(world)
    chief = UserFactory.create(
        role=Role.COMMUNE_COMMITTEE, agency=world.ccwc, location=world.pp_village
    )

    answer = api_client(world.worker).post(
        url(case), body(world, home, commune_focal_point=chief.pk)
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["commune_focal_point"] == chief.pk


def test_a_persona_outside_reach_gets_404_and_oversight_gets_403(world: World) -> None:
    case, home = child_at_home(world)

    for outsider in (world.other_worker, world.commune_member, world.teammate):
        assert api_client(outsider).post(url(case), body(world, home)).status_code == 404
        assert api_client(outsider).get(url(case)).status_code == 404
    assert api_client(world.dosvy_officer).post(url(case), body(world, home)).status_code == 403
    assert_nothing_saved(case)
    assert api_client(world.dosvy_officer).get(url(case)).status_code == 200


# --- What it changes ---------------------------------------------------------------------------


def test_the_case_moves_from_implementation_to_reintegration(world: World) -> None:
    case, home = child_at_home(world, stage=Stage.IMPLEMENTATION)

    api_client(world.worker).post(url(case), body(world, home))

    case.refresh_from_db()
    assert (case.stage, case.follow_up_pending) == (Stage.REINTEGRATION, True)


def test_a_case_elsewhere_in_its_life_keeps_its_stage(world: World) -> None:
    case, home = child_at_home(world, stage=Stage.CASE_PLAN)

    assert api_client(world.worker).post(url(case), body(world, home)).status_code == 201

    case.refresh_from_db()
    assert (case.stage, case.follow_up_pending) == (Stage.CASE_PLAN, True)


def test_the_reintegrations_of_a_case_are_listed_with_their_visits(world: World) -> None:
    case, home = child_at_home(world)
    created = api_client(world.worker).post(url(case), body(world, home)).json()

    listed = api_client(world.worker).get(url(case))

    assert listed.status_code == 200
    (only,) = listed.json()["results"]
    assert only["id"] == created["id"]
    assert only["follow_ups"] == created["follow_ups"]


def test_a_second_reintegration_cancels_the_visits_still_scheduled_from_the_first(
    world: World,
) -> None:
    case, home = child_at_home(world, on=date(2025, 1, 10))
    first = api_client(world.worker).post(url(case), body(world, home)).json()
    done = FollowUp.objects.get(pk=first["follow_ups"][0]["id"])
    services.follow_up_complete(
        actor=world.teammate,
        follow_up=done,
        visit_date=date(2025, 2, 12),
        outcome="breakdown",
        scores=SCORES,
    )
    kin = services.placement_create(
        actor=world.worker,
        case=case,
        type="kinship",
        start_date=date(2025, 3, 1),
        location=world.pp_village,
        caregiver="Grandmother",
    )

    second = api_client(world.worker).post(url(case), body(world, kin))

    assert second.status_code == 201, second.content
    earlier = FollowUp.objects.filter(reintegration_id=first["id"]).order_by("sequence")
    statuses = list(earlier.values_list("status", flat=True))
    assert statuses == ["completed", "cancelled", "cancelled", "cancelled"]
    assert not earlier.exclude(status="completed").exclude(reminder_at=None).exists()
    assert [v["status"] for v in second.json()["follow_ups"]] == ["scheduled"] * 4
    assert scheduled(second) == ["2025-04-01", "2025-06-01", "2025-09-01", "2026-03-01"]


# --- What it opens -----------------------------------------------------------------------------


def test_a_follow_up_worker_of_another_agency_sees_the_visits_and_not_the_notes(
    world: World,
) -> None:
    case, home = child_at_home(world)
    client = api_client(world.other_worker)
    assert client.get(f"/api/v1/follow-ups/?case={case.pk}").json()["results"] == []

    answer = api_client(world.worker).post(
        url(case), body(world, home, follow_up_worker=world.other_worker.pk)
    )

    assert answer.status_code == 201, answer.content
    listed = client.get(f"/api/v1/follow-ups/?case={case.pk}")
    assert listed.status_code == 200
    assert [v["id"] for v in listed.json()["results"]] == [
        v["id"] for v in answer.json()["follow_ups"]
    ]
    first = answer.json()["follow_ups"][0]["id"]
    assert client.get(f"/api/v1/follow-ups/{first}/").status_code == 200
    # The worker was given the profile, placements and follow-ups: the case is visible to her
    # with those sections, so its notes answer 403 (visible, not allowed), never their content.
    notes = client.get(f"/api/v1/cases/{case.pk}/notes/")
    assert notes.status_code == 403
    assert "results" not in notes.json()
    sections = client.get(f"/api/v1/cases/{case.pk}/").json()["access"]["sections"]
    assert sorted(sections) == ["follow_ups", "placements", "profile"]


def test_the_commune_committee_sees_the_visits_and_never_the_case(world: World) -> None:
    case, home = child_at_home(world)
    client = api_client(world.commune_member)
    assert client.get("/api/v1/follow-ups/").json()["results"] == []

    answer = api_client(world.worker).post(url(case), body(world, home))

    ids = [v["id"] for v in answer.json()["follow_ups"]]
    assert [v["id"] for v in client.get("/api/v1/follow-ups/").json()["results"]] == ids
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/notes/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/placements/").status_code == 404
    assert client.get(url(case)).status_code == 404


def test_a_child_moved_to_another_commune_leaves_the_first_communes_sight(world: World) -> None:
    """The first commune's committee followed the child while she lived there; once she is
    reintegrated elsewhere, her new visits and new address are no business of theirs."""
    case, home = child_at_home(world, on=date(2025, 1, 10))
    assert api_client(world.worker).post(url(case), body(world, home)).status_code == 201
    village, new_member = another_commune(world)
    moved = services.placement_create(
        actor=world.worker,
        case=case,
        type="kinship",
        start_date=date(2025, 5, 1),
        location=village,
        caregiver="Uncle Dara",
    )

    second = api_client(world.worker).post(
        url(case), body(world, moved, commune_focal_point=new_member.pk)
    )

    assert second.status_code == 201, second.content
    new_visit = second.json()["follow_ups"][0]["id"]
    assert api_client(new_member).get(f"/api/v1/follow-ups/{new_visit}/").status_code == 200
    first_commune = api_client(world.commune_member)
    assert first_commune.get(f"/api/v1/follow-ups/{new_visit}/").status_code == 404
    listed = first_commune.get("/api/v1/follow-ups/").json()["results"]
    assert new_visit not in [visit["id"] for visit in listed]


def test_a_replaced_follow_up_worker_of_another_agency_loses_the_case(world: World) -> None:
    """The worker of another agency saw the child's profile and placements to follow her up;
    when a new reintegration names someone else, that reason is gone."""
    case, home = child_at_home(world, on=date(2025, 1, 10))
    first = api_client(world.worker).post(
        url(case), body(world, home, follow_up_worker=world.other_worker.pk)
    )
    assert first.status_code == 201, first.content
    kin = services.placement_create(
        actor=world.worker,
        case=case,
        type="kinship",
        start_date=date(2025, 5, 1),
        location=world.pp_village,
        caregiver="Grandmother",
    )

    second = api_client(world.worker).post(url(case), body(world, kin))

    assert second.status_code == 201, second.content
    former = api_client(world.other_worker)
    assert former.get(f"/api/v1/cases/{case.pk}/placements/").status_code == 404
    new_visit = second.json()["follow_ups"][0]["id"]
    assert former.get(f"/api/v1/follow-ups/{new_visit}/").status_code == 404


def test_the_previous_reintegration_visits_stay_readable_by_the_owner(world: World) -> None:
    case, home = child_at_home(world, on=date(2025, 1, 10))
    first = api_client(world.worker).post(url(case), body(world, home)).json()
    kin = services.placement_create(
        actor=world.worker,
        case=case,
        type="kinship",
        start_date=date(2025, 5, 1),
        location=world.pp_village,
    )
    api_client(world.worker).post(url(case), body(world, kin))

    listed = api_client(world.worker).get(f"/api/v1/follow-ups/?case={case.pk}").json()["results"]

    assert len(listed) == 8
    assert {v["id"] for v in listed} >= {v["id"] for v in first["follow_ups"]}
    assert len(visits(Reintegration.objects.get(pk=first["id"]))) == 4


def test_a_restricted_case_is_not_opened_to_the_commune(world: World) -> None:
    case = world.restricted_case
    Case.objects.filter(pk=case.pk).update(stage=Stage.IMPLEMENTATION)
    home = family_placement(world, case, on=date(2025, 3, 15))

    answer = api_client(world.worker).post(url(case), body(world, home))

    assert answer.status_code == 201, answer.content
    visit = answer.json()["follow_ups"][0]["id"]
    assert api_client(world.commune_member).get(f"/api/v1/follow-ups/{visit}/").status_code == 404


def test_a_location_in_a_commune_is_matched_by_its_path_not_its_code(world: World) -> None:
    """A commune whose code begins like another commune's must not see that one's children."""
    case, home = child_at_home(world)
    look_alike = LocationFactory.create(
        level=world.pp_commune.level,
        parent=world.pp_commune.parent,
        code=world.pp_commune.code + "9",
    )
    neighbour = UserFactory.create(
        role=Role.COMMUNE_COMMITTEE, agency=world.ccwc, location=look_alike
    )

    answer = api_client(world.worker).post(url(case), body(world, home))

    visit = answer.json()["follow_ups"][0]["id"]
    assert api_client(neighbour).get(f"/api/v1/follow-ups/{visit}/").status_code == 404
    refused = api_client(world.worker).post(
        url(case), body(world, home, commune_focal_point=neighbour.pk)
    )
    assert refused.status_code == 400


def test_a_committee_member_named_follow_up_worker_still_never_sees_the_case(
    world: World,
) -> None:
    """Commune committees see the visits of their commune's children and nothing else of the
    case, whichever field of the reintegration names them (docs/architecture.md)."""
    case, home = child_at_home(world)

    # Refusing her as the follow-up worker (400) or naming her without opening the case both
    # keep the rule; what must not happen is the case file opening to her.
    api_client(world.worker).post(
        url(case), body(world, home, follow_up_worker=world.commune_member.pk)
    )

    client = api_client(world.commune_member)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/placements/").status_code == 404
