"""The case plan services called directly: the rules the API relies on hold for any caller."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import PlanStatus, Stage
from cases.models import CasePlan, PlanAction, PlanGoal
from cases.services.plan import (
    ActionDraft,
    GoalDraft,
    plan_approve,
    plan_create,
    plan_reject,
    plan_submit,
    plan_update,
)
from core.errors import StateConflictError
from tests.conftest import World


def _goals(responsible: int, goals: int = 1, actions: int = 1) -> list[GoalDraft]:
    due = timezone.localdate() + timedelta(days=7)
    return [
        GoalDraft(
            description=f"Goal {g}",
            actions=[ActionDraft(f"Action {a}", responsible, due) for a in range(actions)],
        )
        for g in range(goals)
    ]


def test_creating_the_first_plan_moves_an_assessed_case_to_the_plan_stage(world: World) -> None:
    case = world.own_case
    case.stage = Stage.ASSESSMENT
    case.save(update_fields=["stage"])
    version = case.version

    plan = plan_create(actor=world.worker, case=case, goals=_goals(world.worker.pk, 2, 3))

    case.refresh_from_db()
    assert case.stage == Stage.CASE_PLAN
    assert case.version == version + 1
    assert plan.status == PlanStatus.DRAFT
    assert PlanGoal.objects.filter(plan=plan).count() == 2
    assert PlanAction.objects.filter(goal__plan=plan).count() == 6
    event = AuditEvent.objects.get(action="plan.create")
    assert event.case_id == case.pk
    assert event.changes["stage"] == [Stage.ASSESSMENT, Stage.CASE_PLAN]


def test_a_plan_on_a_case_at_another_stage_leaves_the_stage_alone(world: World) -> None:
    plan_create(actor=world.worker, case=world.own_case, goals=_goals(world.worker.pk))

    world.own_case.refresh_from_db()
    assert world.own_case.stage == Stage.INTAKE


@pytest.mark.parametrize(("goals", "actions"), [(1, 1), (10, 10)])
def test_creating_a_plan_takes_the_same_queries_whatever_its_size(
    world: World, django_assert_max_num_queries: Any, goals: int, actions: int
) -> None:
    drafts = _goals(world.worker.pk, goals, actions)

    with django_assert_max_num_queries(16):
        plan_create(actor=world.worker, case=world.own_case, goals=drafts)

    assert PlanAction.objects.count() == goals * actions


def test_service_errors_name_the_place_of_the_bad_action(world: World) -> None:
    drafts = _goals(world.worker.pk, 2, 2)
    drafts[1] = GoalDraft(
        "Late", [drafts[1].actions[0], ActionDraft("Too late", world.worker.pk, None)]
    )

    with pytest.raises(ValidationError) as raised:
        plan_create(actor=world.worker, case=world.own_case, goals=drafts)

    assert set(raised.value.message_dict) == {"goals.1.actions.1.due_date"}
    assert CasePlan.objects.count() == 0


def test_people_outside_the_case_cannot_plan_it(world: World) -> None:
    with pytest.raises(Http404):
        plan_create(actor=world.other_worker, case=world.own_case, goals=_goals(world.worker.pk))
    with pytest.raises(PermissionDenied):
        plan_create(actor=world.dosvy_officer, case=world.own_case, goals=_goals(world.worker.pk))
    assert CasePlan.objects.count() == 0


def test_only_the_owners_supervisor_decides_and_never_on_their_own_submission(
    world: World,
) -> None:
    plan = plan_create(actor=world.worker, case=world.own_case, goals=_goals(world.worker.pk))
    plan = plan_submit(actor=world.worker, plan=plan)

    for outsider in (world.worker, world.dosvy_officer, world.agency_admin):
        with pytest.raises(PermissionDenied):
            plan_approve(actor=outsider, plan=plan)
    with pytest.raises(Http404):
        plan_approve(actor=world.teammate, plan=plan)
    plan = plan_reject(actor=world.supervisor, plan=plan, comment="Name a school")
    assert plan.status == PlanStatus.REJECTED

    # The supervisor now submits the edited plan herself, so she may no longer decide it.
    plan = plan_update(actor=world.supervisor, plan=plan, goals=_goals(world.worker.pk, 2))
    assert (plan.status, plan.decided_by_id, plan.decision_comment) == (PlanStatus.DRAFT, None, "")
    plan = plan_submit(actor=world.supervisor, plan=plan)
    with pytest.raises(PermissionDenied):
        plan_approve(actor=world.supervisor, plan=plan)


def test_the_database_refuses_a_decision_by_the_submitter(world: World) -> None:
    plan = CasePlan.objects.create(
        case=world.own_case, created_by=world.worker, submitted_by=world.worker
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        CasePlan.objects.filter(pk=plan.pk).update(decided_by=world.worker)


def test_a_rejected_plan_cannot_be_edited_while_another_is_in_the_making(world: World) -> None:
    first = plan_create(actor=world.worker, case=world.own_case, goals=_goals(world.worker.pk))
    first = plan_submit(actor=world.worker, plan=first)
    first = plan_reject(actor=world.supervisor, plan=first, comment="Start again")
    plan_create(actor=world.worker, case=world.own_case, goals=_goals(world.worker.pk))

    with pytest.raises(StateConflictError):
        plan_update(actor=world.worker, plan=first, goals=_goals(world.worker.pk))
    with pytest.raises(StateConflictError):
        plan_submit(actor=world.worker, plan=first)


def test_decisions_are_audited_with_the_case(world: World) -> None:
    case = world.own_case
    case.stage = Stage.CASE_PLAN
    case.save(update_fields=["stage"])
    plan = plan_create(actor=world.worker, case=case, goals=_goals(world.worker.pk))
    plan_approve(actor=world.supervisor, plan=plan_submit(actor=world.worker, plan=plan))

    event = AuditEvent.objects.get(action="plan.approve")
    assert event.case_id == case.pk
    assert event.actor_id == world.supervisor.pk
    assert event.changes["stage"] == [Stage.CASE_PLAN, Stage.IMPLEMENTATION]
    assert [e.action for e in AuditEvent.objects.filter(case_id=case.pk).order_by("id")] == [
        "plan.create",
        "plan.submit",
        "plan.approve",
    ]
