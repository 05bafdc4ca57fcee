"""Writes to the case (family service) plan: goals and actions drafted by the people who manage
the case, submitted, and approved or rejected by the owner's supervisor.

A plan is edited only while it is a draft or was rejected; an edited rejected plan is a draft
again. A case has at most one plan in the making (draft or submitted) at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from cases.choices import PlanStatus, Section, Stage
from cases.models import Case, CasePlan, PlanAction, PlanGoal
from cases.policy import case_get
from cases.reminders import (
    approval_requested,
    approval_settled,
    case_reschedule_reminders,
    review_interval,
)
from cases.services.common import advance_stage, case_changed
from core.errors import StateConflictError
from core.versions import check_version, save_versioned

IN_THE_MAKING = (PlanStatus.DRAFT, PlanStatus.SUBMITTED)
EDITABLE = (PlanStatus.DRAFT, PlanStatus.REJECTED)

# Where a problem is: ("goals", 0, "actions", 1, "due_date").
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ActionDraft:
    description: str
    responsible_id: int | None
    due_date: date | None


@dataclass(frozen=True)
class GoalDraft:
    description: str
    actions: Sequence[ActionDraft]


def plan_problems(*, case: Case, goals: Sequence[GoalDraft]) -> dict[Path, list[str]]:
    """What is wrong with ``goals`` as the plan of ``case``, by where it is wrong; empty when
    nothing is. One query, whatever the number of actions."""
    problems: dict[Path, list[str]] = {}
    if not goals:
        problems[("goals",)] = [_("A plan needs at least one goal.")]
    responsible_ids = {
        action.responsible_id
        for goal in goals
        for action in goal.actions
        if action.responsible_id is not None
    }
    # Kept simple on purpose: somebody active in the case's agency.
    eligible = set(
        User.objects.filter(
            pk__in=responsible_ids, is_active=True, agency_id=case.agency_id
        ).values_list("pk", flat=True)
    )
    today = timezone.localdate()
    for g, goal in enumerate(goals):
        if not goal.description.strip():
            problems[("goals", g, "description")] = [_("A goal needs a description.")]
        if not goal.actions:
            problems[("goals", g, "actions")] = [_("A goal needs at least one action.")]
        for a, action in enumerate(goal.actions):
            where: Path = ("goals", g, "actions", a)
            if not action.description.strip():
                problems[(*where, "description")] = [_("An action needs a description.")]
            if action.responsible_id is None:
                problems[(*where, "responsible")] = [_("Name who is responsible.")]
            elif action.responsible_id not in eligible:
                problems[(*where, "responsible")] = [
                    _("The person responsible must be an active member of the case's agency.")
                ]
            if action.due_date is None:
                problems[(*where, "due_date")] = [_("Give a due date.")]
            elif action.due_date < today:
                problems[(*where, "due_date")] = [_("The due date is in the past.")]
    return problems


class PlanProblemsError(ValidationError):
    """What is wrong with a plan's goals: a ValidationError keyed by the dotted place of each
    problem (``goals.0.actions.1.due_date``), with the places themselves in ``problems`` for a
    caller that nests them (the API)."""

    def __init__(self, problems: dict[Path, list[str]]) -> None:
        super().__init__(
            {".".join(str(step) for step in path): messages for path, messages in problems.items()}
        )
        self.problems = problems


def _check_goals(case: Case, goals: Sequence[GoalDraft]) -> None:
    problems = plan_problems(case=case, goals=goals)
    if problems:
        raise PlanProblemsError(problems)


def _write_goals(plan: CasePlan, goals: Sequence[GoalDraft]) -> dict[str, int]:
    """Two inserts whatever the size of the plan: the goals, then all their actions."""
    rows = PlanGoal.objects.bulk_create(
        [
            PlanGoal(plan=plan, order=order, description=goal.description)
            for order, goal in enumerate(goals)
        ]
    )
    actions = PlanAction.objects.bulk_create(
        [
            PlanAction(
                goal=row,
                order=order,
                description=action.description,
                responsible_id=action.responsible_id,
                due_date=action.due_date,
            )
            for row, goal in zip(rows, goals, strict=True)
            for order, action in enumerate(goal.actions)
        ]
    )
    return {"goals": len(rows), "actions": len(actions)}


def _require_none_in_the_making(case: Case, *, besides: CasePlan | None = None) -> None:
    others = CasePlan.objects.filter(case=case, status__in=IN_THE_MAKING)
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    if others.exists():
        raise StateConflictError(
            _("This case already has a plan in the making: finish or edit that one.")
        )


def _locked_plan(plan: CasePlan, case: Case, expected_version: int | None = None) -> CasePlan:
    """The plan of ``case`` (404 for another case's), locked after its case as every plan service
    locks them; StaleVersionError (412) when it changed since the caller read
    ``expected_version``."""
    locked = CasePlan.objects.select_for_update().filter(pk=plan.pk, case=case).first()
    if locked is None:
        raise Http404("No such plan.")
    check_version(locked, expected_version)
    return locked


def _as_tuples(goals: Sequence[GoalDraft]) -> tuple[Any, ...]:
    return tuple(
        (
            goal.description,
            tuple((a.description, a.responsible_id, a.due_date) for a in goal.actions),
        )
        for goal in goals
    )


def _goals_as_written(plan: CasePlan) -> tuple[Any, ...]:
    goals = plan.goals.order_by("order", "id").prefetch_related(
        Prefetch("actions", queryset=PlanAction.objects.order_by("order", "id"))
    )
    return tuple(
        (
            goal.description,
            tuple((a.description, a.responsible_id, a.due_date) for a in goal.actions.all()),
        )
        for goal in goals
    )


DECISION_FIELDS = ("status", "decided_by", "decided_at", "decision_comment")


def _reopen_for_editing(plan: CasePlan) -> None:
    """A rejected plan goes back to draft; its decision stays in the audit trail only, so the
    next decision is judged against the next submission."""
    plan.status = PlanStatus.DRAFT
    plan.decided_by = None
    plan.decided_at = None
    plan.decision_comment = ""


@transaction.atomic(durable=True)
def plan_create(*, actor: User, case: Case, goals: Sequence[GoalDraft]) -> CasePlan:
    case, _access = case_get(
        actor, case.pk, section=Section.CASE_PLAN, action="write_plan", lock=True
    )
    _require_none_in_the_making(case)
    _check_goals(case, goals)
    plan = CasePlan.objects.create(case=case, created_by=actor)
    changes: dict[str, Any] = {"status": plan.status, **_write_goals(plan, goals)}
    if advance_stage(case, when_at=Stage.ASSESSMENT, to=Stage.CASE_PLAN):
        case_changed(case, "stage")
        changes["stage"] = [Stage.ASSESSMENT, Stage.CASE_PLAN]
    audit.record(actor=actor, action="plan.create", obj=plan, case_id=case.pk, changes=changes)
    return plan


@transaction.atomic(durable=True)
def plan_update(
    *,
    actor: User,
    plan: CasePlan,
    goals: Sequence[GoalDraft],
    expected_version: int | None = None,
) -> CasePlan:
    """Replaces the goals and actions of a draft or rejected plan, refused (412) when
    ``expected_version`` is given and the plan changed since the caller read it."""
    case, _access = case_get(
        actor, plan.case_id, section=Section.CASE_PLAN, action="write_plan", lock=True
    )
    plan = _locked_plan(plan, case, expected_version)
    if plan.status not in EDITABLE:
        raise StateConflictError(_("Only a draft or rejected plan can be edited."))
    _require_none_in_the_making(case, besides=plan)
    _check_goals(case, goals)
    before = plan.status
    if before == PlanStatus.DRAFT and _goals_as_written(plan) == _as_tuples(goals):
        # The same goals again: the version stays, so other editors get no needless 412.
        return plan
    _reopen_for_editing(plan)
    save_versioned(plan, DECISION_FIELDS)
    PlanGoal.objects.filter(plan=plan).delete()
    changes: dict[str, Any] = _write_goals(plan, goals)
    if before != plan.status:
        changes["status"] = [before, plan.status]
    audit.record(actor=actor, action="plan.update", obj=plan, case_id=case.pk, changes=changes)
    return plan


@transaction.atomic(durable=True)
def plan_submit(*, actor: User, plan: CasePlan, expected_version: int | None = None) -> CasePlan:
    case, _access = case_get(
        actor, plan.case_id, section=Section.CASE_PLAN, action="write_plan", lock=True
    )
    plan = _locked_plan(plan, case, expected_version)
    if plan.status not in EDITABLE:
        raise StateConflictError(_("Only a draft or rejected plan can be submitted."))
    _require_none_in_the_making(case, besides=plan)
    before = plan.status
    _reopen_for_editing(plan)
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_by = actor
    plan.submitted_at = timezone.now()
    save_versioned(plan, (*DECISION_FIELDS, "submitted_by", "submitted_at"))
    approval_requested(case, subject=f"plan:{plan.pk}", period=plan.submitted_at.isoformat())
    case_reschedule_reminders(case)
    audit.record(
        actor=actor,
        action="plan.submit",
        obj=plan,
        case_id=case.pk,
        changes={"status": [before, plan.status]},
    )
    return plan


def _decide(
    *, actor: User, plan: CasePlan, to: str, comment: str, expected_version: int | None
) -> tuple[Case, CasePlan]:
    case, _access = case_get(
        actor, plan.case_id, section=Section.CASE_PLAN, action="approve_plan", lock=True
    )
    plan = _locked_plan(plan, case, expected_version)
    if plan.submitted_by_id == actor.pk:
        raise PermissionDenied(_("Nobody approves or rejects their own submission."))
    if plan.status != PlanStatus.SUBMITTED:
        raise StateConflictError(_("Only a submitted plan can be approved or rejected."))
    if to == PlanStatus.REJECTED and not comment.strip():
        raise ValidationError({"comment": [_("Say why the plan is rejected.")]})
    plan.status = to
    plan.decided_by = actor
    plan.decided_at = timezone.now()
    plan.decision_comment = comment
    save_versioned(plan, DECISION_FIELDS)
    approval_settled(case, subject=f"plan:{plan.pk}")
    return case, plan


@transaction.atomic(durable=True)
def plan_approve(
    *, actor: User, plan: CasePlan, comment: str = "", expected_version: int | None = None
) -> CasePlan:
    """Approval puts the plan to work: a case at the plan stage moves to implementation."""
    case, plan = _decide(
        actor=actor,
        plan=plan,
        to=PlanStatus.APPROVED,
        comment=comment,
        expected_version=expected_version,
    )
    changes: dict[str, Any] = {"status": [PlanStatus.SUBMITTED, PlanStatus.APPROVED]}
    # The plan in force is reviewed at an interval set by the child's risk.
    case.review_by = timezone.localdate() + review_interval(case.risk_level)
    fields = ["review_by"]
    if advance_stage(case, when_at=Stage.CASE_PLAN, to=Stage.IMPLEMENTATION):
        fields.append("stage")
        changes["stage"] = [Stage.CASE_PLAN, Stage.IMPLEMENTATION]
    case_changed(case, *fields)
    case_reschedule_reminders(case)
    changes["review_by"] = case.review_by
    audit.record(actor=actor, action="plan.approve", obj=plan, case_id=case.pk, changes=changes)
    return plan


@transaction.atomic(durable=True)
def plan_reject(
    *, actor: User, plan: CasePlan, comment: str, expected_version: int | None = None
) -> CasePlan:
    """A rejection says why, so the plan can be put right."""
    case, plan = _decide(
        actor=actor,
        plan=plan,
        to=PlanStatus.REJECTED,
        comment=comment,
        expected_version=expected_version,
    )
    case_reschedule_reminders(case)
    audit.record(
        actor=actor,
        action="plan.reject",
        obj=plan,
        case_id=case.pk,
        changes={"status": [PlanStatus.SUBMITTED, PlanStatus.REJECTED]},
    )
    return plan
