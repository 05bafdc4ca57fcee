"""Rules around who decides and who keeps seeing: the gatekeeping approver, closure while the
visits run, and what a closed case leaves behind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.choices import Role
from reintegration.models import Placement
from tests.conftest import World, api_client
from tests.factories import UserFactory
from tests.reintegration.helpers import months_ago, reintegrate, visits


def _residential_care(world: World, approver_id: int) -> Any:
    return api_client(world.worker).post(
        f"/api/v1/cases/{world.own_case.pk}/placements/",
        {
            "type": "residential_care",
            "start_date": timezone.localdate().isoformat(),
            "gatekeeping": {
                "reason": "No safe relative found",
                "alternatives_considered": "Kinship care with the aunt: refused",
                "approved_by": approver_id,
            },
        },
        format="json",
    )


def test_a_supervisor_of_an_unrelated_agency_cannot_approve_residential_care(
    world: World,
) -> None:
    stranger = UserFactory.create(role=Role.SUPERVISOR, agency=world.other_ngo)

    answer = _residential_care(world, stranger.pk)

    assert answer.status_code == 400
    assert "gatekeeping" in answer.json()
    assert not Placement.objects.filter(case=world.own_case).exists()


def test_the_social_affairs_office_of_the_childs_province_may_approve_residential_care(
    world: World,
) -> None:
    answer = _residential_care(world, world.dosvy_officer.pk)

    assert answer.status_code == 201, answer.content
    assert answer.json()["gatekeeping"]["approved_by"] == world.dosvy_officer.pk


def test_while_visits_run_the_owner_gets_409_and_an_overseer_403_on_closure(
    world: World,
) -> None:
    case = reintegrate(world, on=months_ago(2)).case
    url = f"/api/v1/cases/{case.pk}/close/"
    body = {"reason": "reintegrated", "note": ""}

    assert api_client(world.worker).post(url, body, format="json").status_code == 409
    assert api_client(world.dosvy_officer).post(url, body, format="json").status_code == 403


def test_closing_a_case_ends_the_communes_sight_of_the_child(world: World) -> None:
    reintegration = reintegrate(world, on=months_ago(2))
    visit = visits(reintegration)[0]
    member = api_client(world.commune_member)
    assert member.get(f"/api/v1/follow-ups/{visit.pk}/").status_code == 200

    closed = api_client(world.supervisor).post(
        f"/api/v1/cases/{reintegration.case_id}/close/",
        {"reason": "family_relocated", "note": "Moved to Thailand"},
        format="json",
    )

    assert closed.status_code == 200, closed.content
    assert member.get(f"/api/v1/follow-ups/{visit.pk}/").status_code == 404


def test_a_reintegration_before_the_family_placement_begins_is_refused(world: World) -> None:
    reintegration = reintegrate(world, on=months_ago(2))
    answer = api_client(world.worker).post(
        f"/api/v1/cases/{reintegration.case_id}/reintegration/",
        {
            "date": (reintegration.placement.start_date - timedelta(days=1)).isoformat(),
            "placement": reintegration.placement_id,
            "follow_up_worker": world.teammate.pk,
        },
        format="json",
    )

    assert answer.status_code == 400
    assert "date" in answer.json()
