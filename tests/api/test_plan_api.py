"""The case plan through the API: drafting, submitting, the supervisor's decision, the stage the
case moves to, who may do what, and bad input that saves nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import PlanStatus, Stage
from cases.models import Case, CasePlan, PlanAction, PlanGoal
from tests.conftest import World, api_client
from tests.factories import UserFactory

PLAN_FIELDS = {
    "id",
    "status",
    "goals",
    "created_by",
    "created_at",
    "submitted_by",
    "submitted_at",
    "decided_by",
    "decided_at",
    "decision_comment",
}


def _plans_url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/case-plans/"


def _plan_url(case: Case, plan_id: int, action: str = "") -> str:
    return f"{_plans_url(case)}{plan_id}/{action + '/' if action else ''}"


def _plan(responsible: int, goals: int = 1, actions: int = 1) -> dict[str, Any]:
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    return {
        "goals": [
            {
                "description": f"Goal {g}",
                "actions": [
                    {"description": f"Action {g}.{a}", "responsible": responsible, "due_date": due}
                    for a in range(actions)
                ],
            }
            for g in range(goals)
        ]
    }


def _at_assessment(case: Case) -> Case:
    case.stage = Stage.ASSESSMENT
    case.save(update_fields=["stage"])
    return case


def _rows() -> tuple[int, int, int]:
    return CasePlan.objects.count(), PlanGoal.objects.count(), PlanAction.objects.count()


# --- The flow ----------------------------------------------------------------------------------


def test_plan_is_drafted_submitted_approved_and_the_case_moves_to_implementation(
    world: World,
) -> None:
    case = _at_assessment(world.own_case)
    worker, supervisor = api_client(world.worker), api_client(world.supervisor)

    created = worker.post(_plans_url(case), _plan(world.worker.pk, goals=2, actions=2))
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) >= PLAN_FIELDS
    assert body["status"] == PlanStatus.DRAFT
    assert body["created_by"] == world.worker.pk
    assert [len(goal["actions"]) for goal in body["goals"]] == [2, 2]
    action = body["goals"][0]["actions"][0]
    assert set(action) == {"id", "description", "responsible", "due_date", "done_at"}
    assert action["responsible"] == world.worker.pk
    case.refresh_from_db()
    assert case.stage == Stage.CASE_PLAN

    submitted = worker.post(_plan_url(case, body["id"], "submit"))
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == PlanStatus.SUBMITTED
    assert submitted.json()["submitted_by"] == world.worker.pk

    approved = supervisor.post(_plan_url(case, body["id"], "approve"), {"comment": "Good plan"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == PlanStatus.APPROVED
    assert approved.json()["decided_by"] == world.supervisor.pk
    case.refresh_from_db()
    assert case.stage == Stage.IMPLEMENTATION

    actions = set(
        AuditEvent.objects.filter(case_id=case.pk, action__startswith="plan.").values_list(
            "action", flat=True
        )
    )
    assert actions == {"plan.create", "plan.submit", "plan.approve"}


def test_rejected_plan_is_edited_back_to_draft_and_resubmitted(world: World) -> None:
    case = world.own_case
    worker, supervisor = api_client(world.worker), api_client(world.supervisor)
    plan_id = worker.post(_plans_url(case), _plan(world.worker.pk)).json()["id"]
    worker.post(_plan_url(case, plan_id, "submit"))

    rejected = supervisor.post(_plan_url(case, plan_id, "reject"), {"comment": "Add schooling"})
    assert rejected.status_code == 200
    assert rejected.json()["status"] == PlanStatus.REJECTED
    assert rejected.json()["decision_comment"] == "Add schooling"

    edited = worker.patch(_plan_url(case, plan_id), _plan(world.teammate.pk, goals=3))
    assert edited.status_code == 200, edited.content
    assert edited.json()["status"] == PlanStatus.DRAFT
    assert len(edited.json()["goals"]) == 3
    assert PlanGoal.objects.filter(plan_id=plan_id).count() == 3

    resubmitted = worker.post(_plan_url(case, plan_id, "submit"))
    assert resubmitted.status_code == 200
    assert resubmitted.json()["status"] == PlanStatus.SUBMITTED
    assert supervisor.post(_plan_url(case, plan_id, "approve")).status_code == 200
    assert AuditEvent.objects.filter(case_id=case.pk, action="plan.update").exists()
    assert AuditEvent.objects.filter(case_id=case.pk, action="plan.reject").exists()


def test_reject_without_a_comment_is_refused_and_the_plan_stays_submitted(world: World) -> None:
    case = world.own_case
    plan_id = api_client(world.worker).post(_plans_url(case), _plan(world.worker.pk)).json()["id"]
    api_client(world.worker).post(_plan_url(case, plan_id, "submit"))

    response = api_client(world.supervisor).post(
        _plan_url(case, plan_id, "reject"), {"comment": " "}
    )

    assert response.status_code == 400
    assert "comment" in response.json()
    assert CasePlan.objects.get(pk=plan_id).status == PlanStatus.SUBMITTED


# --- Nobody approves their own -----------------------------------------------------------------


def test_the_worker_cannot_approve_her_own_plan(world: World) -> None:
    case = world.own_case
    worker = api_client(world.worker)
    plan_id = worker.post(_plans_url(case), _plan(world.worker.pk)).json()["id"]
    worker.post(_plan_url(case, plan_id, "submit"))

    assert worker.post(_plan_url(case, plan_id, "approve")).status_code == 403
    assert CasePlan.objects.get(pk=plan_id).status == PlanStatus.SUBMITTED


def test_a_supervisor_who_submitted_a_plan_cannot_approve_it(world: World) -> None:
    case = world.teammates_case
    supervisor = api_client(world.supervisor)
    plan_id = supervisor.post(_plans_url(case), _plan(world.teammate.pk)).json()["id"]
    assert supervisor.post(_plan_url(case, plan_id, "submit")).status_code == 200

    approve = supervisor.post(_plan_url(case, plan_id, "approve"))
    reject = supervisor.post(_plan_url(case, plan_id, "reject"), {"comment": "No"})

    assert approve.status_code == reject.status_code == 403
    assert CasePlan.objects.get(pk=plan_id).status == PlanStatus.SUBMITTED


# --- What the state forbids --------------------------------------------------------------------


def test_transitions_the_state_forbids_answer_409(world: World) -> None:
    case = world.own_case
    worker, supervisor = api_client(world.worker), api_client(world.supervisor)
    plan_id = worker.post(_plans_url(case), _plan(world.worker.pk)).json()["id"]

    assert supervisor.post(_plan_url(case, plan_id, "approve")).status_code == 409
    assert supervisor.post(_plan_url(case, plan_id, "reject"), {"comment": "x"}).status_code == 409
    worker.post(_plan_url(case, plan_id, "submit"))
    assert worker.post(_plan_url(case, plan_id, "submit")).status_code == 409
    assert worker.patch(_plan_url(case, plan_id), _plan(world.worker.pk)).status_code == 409
    supervisor.post(_plan_url(case, plan_id, "approve"))
    assert worker.post(_plan_url(case, plan_id, "submit")).status_code == 409
    assert supervisor.post(_plan_url(case, plan_id, "approve")).status_code == 409
    assert worker.patch(_plan_url(case, plan_id), _plan(world.worker.pk)).status_code == 409


def test_only_one_plan_may_be_in_the_making(world: World) -> None:
    case = world.own_case
    worker = api_client(world.worker)
    first = worker.post(_plans_url(case), _plan(world.worker.pk)).json()["id"]

    assert worker.post(_plans_url(case), _plan(world.worker.pk)).status_code == 409
    worker.post(_plan_url(case, first, "submit"))
    assert worker.post(_plans_url(case), _plan(world.worker.pk)).status_code == 409
    api_client(world.supervisor).post(_plan_url(case, first, "approve"))
    assert worker.post(_plans_url(case), _plan(world.worker.pk)).status_code == 201


def test_a_closed_case_takes_no_plan(world: World) -> None:
    case = world.own_case
    case.status, case.closed_at = "closed", timezone.now()
    case.save(update_fields=["status", "closed_at"])

    assert (
        api_client(world.worker).post(_plans_url(case), _plan(world.worker.pk)).status_code == 409
    )
    assert CasePlan.objects.count() == 0


# --- Bad input ---------------------------------------------------------------------------------


def _past_due(world: World) -> dict[str, Any]:
    payload = _plan(world.worker.pk, goals=2, actions=2)
    payload["goals"][1]["actions"][1]["due_date"] = "2000-01-01"
    return payload


def _outsider_responsible(world: World) -> dict[str, Any]:
    return _plan(world.other_worker.pk)


def _inactive_responsible(world: World) -> dict[str, Any]:
    return _plan(UserFactory.create(agency=world.ngo, is_active=False).pk)


BAD_PLANS = {
    "no goals": lambda world: {"goals": []},
    "no goals key": lambda world: {},
    "goal without actions": lambda world: {"goals": [{"description": "Safe", "actions": []}]},
    "blank goal": lambda world: {
        "goals": [{"description": "  ", "actions": _plan(world.worker.pk)["goals"][0]["actions"]}]
    },
    "past due date": _past_due,
    "responsible of another agency": _outsider_responsible,
    "inactive responsible": _inactive_responsible,
    "unknown responsible": lambda world: _plan(99999999),
    "bad date": lambda world: {
        "goals": [
            {
                "description": "G",
                "actions": [
                    {"description": "A", "responsible": world.worker.pk, "due_date": "soon"}
                ],
            }
        ]
    },
}


@pytest.mark.parametrize("bad", sorted(BAD_PLANS))
def test_bad_plan_answers_400_and_saves_nothing(world: World, bad: str) -> None:
    case = _at_assessment(world.own_case)
    before, events = _rows(), AuditEvent.objects.count()

    response = api_client(world.worker).post(_plans_url(case), BAD_PLANS[bad](world), format="json")

    assert response.status_code == 400, response.content
    assert _rows() == before
    assert AuditEvent.objects.count() == events
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT


def test_a_bad_action_is_named_by_its_place_in_the_plan(world: World) -> None:
    response = api_client(world.worker).post(_plans_url(world.own_case), _past_due(world))

    assert response.status_code == 400
    goals = response.json()["goals"]
    assert goals[0] == {}
    assert goals[1]["actions"][0] == {}
    assert "due_date" in goals[1]["actions"][1]


def test_a_bad_edit_leaves_the_goals_as_they_were(world: World) -> None:
    case = world.own_case
    worker = api_client(world.worker)
    plan_id = worker.post(_plans_url(case), _plan(world.worker.pk, goals=2)).json()["id"]
    before = _rows()

    assert worker.patch(_plan_url(case, plan_id), _past_due(world)).status_code == 400
    assert _rows() == before


def test_a_stale_if_match_is_refused_on_edit(world: World) -> None:
    case = world.own_case
    worker = api_client(world.worker)
    plan_id = worker.post(_plans_url(case), _plan(world.worker.pk)).json()["id"]
    etag = worker.get(_plan_url(case, plan_id))["ETag"]
    assert (
        worker.patch(
            _plan_url(case, plan_id), _plan(world.worker.pk, goals=2), HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )

    saved = [goal.description for goal in PlanGoal.objects.filter(plan_id=plan_id)]

    stale = worker.patch(_plan_url(case, plan_id), _plan(world.worker.pk), HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    assert [goal.description for goal in PlanGoal.objects.filter(plan_id=plan_id)] == saved
    assert len(saved) == 2  # the edit that went through, untouched by the stale one
    assert AuditEvent.objects.filter(action="plan.update", object_id=str(plan_id)).count() == 1


def test_the_plan_etag_names_its_version_and_every_change_moves_it(world: World) -> None:
    case = world.own_case
    worker = api_client(world.worker)
    created = worker.post(_plans_url(case), _plan(world.worker.pk))
    plan_id = created.json()["id"]
    assert created["ETag"] == f'"{plan_id}-1"'

    same = worker.patch(_plan_url(case, plan_id), _plan(world.worker.pk), HTTP_IF_MATCH='"0-0"')
    assert same.status_code == 412  # an ETag of no version of this plan is stale
    same = worker.patch(
        _plan_url(case, plan_id), _plan(world.worker.pk), HTTP_IF_MATCH=created["ETag"]
    )
    assert same["ETag"] == created["ETag"]  # the same goals again change nothing
    submitted = worker.post(_plan_url(case, plan_id, "submit"), HTTP_IF_MATCH=same["ETag"])

    assert submitted.status_code == 200
    assert submitted["ETag"] == worker.get(_plan_url(case, plan_id))["ETag"] == f'"{plan_id}-2"'
    approve = api_client(world.supervisor).post(
        _plan_url(case, plan_id, "approve"), {}, HTTP_IF_MATCH=created["ETag"]
    )
    assert approve.status_code == 412
    assert CasePlan.objects.get(pk=plan_id).status == PlanStatus.SUBMITTED


# --- Who may -----------------------------------------------------------------------------------

# persona -> (create, read) status on the worker's own case.
PLAN_ACCESS = {
    "worker": (201, 200),
    "supervisor": (201, 200),
    "other_worker": (404, 404),
    "dosvy_officer": (403, 200),
    "commune_member": (404, 404),
    "police": (404, 404),
    "agency_admin": (403, 403),
}


@pytest.mark.parametrize("persona", sorted(PLAN_ACCESS))
def test_plan_access_per_persona(world: World, persona: str) -> None:
    create, read = PLAN_ACCESS[persona]
    existing = CasePlan.objects.create(case=world.teammates_case, created_by=world.teammate)
    assert existing.pk
    client = api_client(getattr(world, persona))

    created = client.post(_plans_url(world.own_case), _plan(world.worker.pk))
    listed = client.get(_plans_url(world.own_case))

    assert created.status_code == create, created.content
    assert listed.status_code == read, listed.content
    if read == 200:
        assert len(listed.json()["results"]) == (1 if create == 201 else 0)


def test_a_plan_of_another_case_is_not_found_under_this_one(world: World) -> None:
    plan = CasePlan.objects.create(case=world.teammates_case, created_by=world.teammate)

    response = api_client(world.worker).get(_plan_url(world.own_case, plan.pk))

    assert response.status_code == 404


# --- Query counts ------------------------------------------------------------------------------


def _fill(case: Case, plans: int, goals: int, actions: int, responsible: int) -> None:
    for _ in range(plans):
        plan = CasePlan.objects.create(
            case=case, created_by_id=responsible, status=PlanStatus.APPROVED
        )
        for g in range(goals):
            goal = PlanGoal.objects.create(plan=plan, order=g, description=f"G{g}")
            PlanAction.objects.bulk_create(
                PlanAction(goal=goal, order=a, description=f"A{a}", responsible_id=responsible)
                for a in range(actions)
            )


@pytest.mark.parametrize(("plans", "goals", "actions"), [(1, 1, 1), (8, 6, 6)])
def test_plan_list_and_detail_queries_are_bounded_whatever_the_size(
    world: World, django_assert_max_num_queries: Any, plans: int, goals: int, actions: int
) -> None:
    case = world.own_case
    _fill(case, plans, goals, actions, world.worker.pk)
    plan_id = CasePlan.objects.filter(case=case).values_list("pk", flat=True).first()
    assert plan_id is not None
    client = api_client(world.worker)

    with django_assert_max_num_queries(13):
        listed = client.get(_plans_url(case))
    with django_assert_max_num_queries(13):
        detail = client.get(_plan_url(case, plan_id))

    assert len(listed.json()["results"]) == plans
    assert len(detail.json()["goals"]) == goals
    assert all(len(goal["actions"]) == actions for goal in detail.json()["goals"])
