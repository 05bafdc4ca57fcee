"""A request to approve a plan or a closure stops saying "new" once it is decided, whoever
decides it; a request about another plan or the case's closure stays."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.services import case as services
from cases.services.plan import (
    ActionDraft,
    GoalDraft,
    plan_approve,
    plan_create,
    plan_reject,
    plan_submit,
)
from notifications.models import Notification, NotificationKind
from notifications.outbox import Notice, notify
from tests.conftest import World


def _plan_goals(responsible: int) -> list[GoalDraft]:
    due = timezone.localdate() + timedelta(days=7)
    return [GoalDraft(description="School", actions=[ActionDraft("Enrol", responsible, due)])]


def _asked(world: World, kind: str = NotificationKind.APPROVAL_REQUESTED) -> Notification:
    return Notification.objects.get(recipient=world.supervisor, kind=kind)


def test_a_decided_plan_settles_its_request_and_reminder(world: World) -> None:
    case = world.own_case
    plan = plan_create(actor=world.worker, case=case, goals=_plan_goals(world.worker.pk))
    plan = plan_submit(actor=world.worker, plan=plan)
    # The reminder the sweep would send when the decision is late.
    notify(
        [
            Notice(
                kind=NotificationKind.APPROVAL_WAITING,
                recipient_id=world.supervisor.pk,
                subject=f"plan:{plan.pk}",
                period="late",
                case_id=case.pk,
                case_number=case.case_number,
            )
        ]
    )
    # A request about the case's closure is about something else.
    notify(
        [
            Notice(
                kind=NotificationKind.APPROVAL_REQUESTED,
                recipient_id=world.supervisor.pk,
                subject=f"closure:{case.pk}",
                period="x",
                case_id=case.pk,
            )
        ]
    )
    requested = Notification.objects.get(
        kind=NotificationKind.APPROVAL_REQUESTED, key__contains=f"|plan:{plan.pk}|"
    )
    assert requested.read_at is None
    plan_approve(actor=world.supervisor, plan=plan)
    assert Notification.objects.get(pk=requested.pk).read_at is not None
    assert _asked(world, NotificationKind.APPROVAL_WAITING).read_at is not None
    other = Notification.objects.get(key__contains=f"|closure:{case.pk}|")
    assert other.read_at is None


def test_a_rejected_plan_settles_too(world: World) -> None:
    plan = plan_create(actor=world.worker, case=world.own_case, goals=_plan_goals(world.worker.pk))
    plan = plan_submit(actor=world.worker, plan=plan)
    assert _asked(world).read_at is None
    plan_reject(actor=world.supervisor, plan=plan, comment="Name a school")
    assert _asked(world).read_at is not None


def test_a_decided_closure_settles_its_request(world: World) -> None:
    case = world.own_case
    services.case_request_closure(actor=world.worker, case=case, reason="reintegrated")
    assert _asked(world).read_at is None
    services.case_reject_closure(actor=world.supervisor, case=case, comment="Not yet")
    assert _asked(world).read_at is not None

    case.refresh_from_db()
    services.case_request_closure(actor=world.worker, case=case, reason="reintegrated")
    again = Notification.objects.filter(
        kind=NotificationKind.APPROVAL_REQUESTED, read_at__isnull=True
    ).get()
    case.refresh_from_db()
    services.case_approve_closure(actor=world.supervisor, case=case)
    assert Notification.objects.get(pk=again.pk).read_at is not None
