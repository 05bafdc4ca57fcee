"""GET /api/v1/statistics/caseload/: each worker's load, for their supervisor and agency admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cases.choices import PlanStatus, RiskLevel, Status
from cases.models import CasePlan, PlanAction, PlanGoal
from referrals.choices import ReferralStatus, ReferralType, Urgency
from referrals.models import Referral
from tests.conftest import World, api_client
from tests.factories import CaseFactory
from tests.reporting.helpers import reintegrated, visit

pytestmark = pytest.mark.django_db


def _rows(user: Any) -> dict[str, dict[str, Any]]:
    response = api_client(user).get("/api/v1/statistics/caseload/")
    assert response.status_code == 200
    return {row["worker"]["full_name"]: row for row in response.json()["rows"]}


def _late_work(world: World) -> None:
    """For the worker: a visit, a plan action and a referral that are late or waiting."""
    today = timezone.localdate()
    case = CaseFactory.create(owner=world.worker, location=world.pp_village, risk_level="high")
    visit(reintegrated(world, case, days_ago=60), sequence=1, days_ago=3)
    old_plan = CasePlan.objects.create(
        case=case, status=PlanStatus.APPROVED, created_by=world.worker
    )
    plan = CasePlan.objects.create(case=case, status=PlanStatus.APPROVED, created_by=world.worker)
    for which in (old_plan, plan):
        goal = PlanGoal.objects.create(plan=which, description="School")
        PlanAction.objects.create(
            goal=goal, description="Enrol", due_date=today - timedelta(days=1)
        )
    Referral.objects.create(
        case=case,
        from_agency=world.ngo,
        to_agency=world.other_ngo,
        type=ReferralType.SERVICE,
        urgency=Urgency.ROUTINE,
        reason="Needs school support",
        status=ReferralStatus.SENT,
        created_by=world.worker,
    )


def test_a_supervisor_sees_her_teams_caseload(world: World) -> None:
    _late_work(world)
    rows = _rows(world.supervisor)
    assert set(rows) == {
        world.worker.full_name,
        world.teammate.full_name,
        world.supervisor.full_name,
    }
    worker = rows[world.worker.full_name]
    # own_case, the late-work case and the restricted case she is named on; the supervisor
    # is not named on the restricted one, so it is not counted.
    assert worker["open_cases"] == 2
    assert worker["by_risk"] == {"low": 0, "medium": 0, "high": 1, "critical": 0}
    assert worker["overdue_follow_ups"] == 1
    assert worker["overdue_plan_actions"] == 1, "only the plan in force counts"
    assert worker["referrals_waiting"] == 1
    assert rows[world.teammate.full_name]["open_cases"] == 1


def test_closed_cases_do_not_weigh(world: World) -> None:
    world.teammates_case.status = Status.CLOSED
    world.teammates_case.closed_at = timezone.now()
    world.teammates_case.save()
    assert _rows(world.supervisor)[world.teammate.full_name]["open_cases"] == 0


def test_an_agency_admin_sees_her_whole_agency(world: World) -> None:
    rows = _rows(world.agency_admin)
    assert world.worker.full_name in rows
    assert world.other_worker.full_name not in rows  # another agency


@pytest.mark.parametrize("person", ["worker", "analyst", "commune_member", "police"])
def test_others_get_403(world: World, person: str) -> None:
    response = api_client(getattr(world, person)).get("/api/v1/statistics/caseload/")
    assert response.status_code == 403


def test_the_caseload_costs_the_same_queries_for_any_team(
    world: World, django_assert_max_num_queries: Any
) -> None:
    _late_work(world)
    for _ in range(5):
        CaseFactory.create(
            owner=world.teammate, location=world.pp_village, risk_level=RiskLevel.LOW
        )
    with django_assert_max_num_queries(7):
        _rows(world.supervisor)
