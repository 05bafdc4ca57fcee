"""The reminder sweep (notifications.reminders) over each app's due items: who is reminded of
what, when, and never twice."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import timezone

from cases.models import Case, CaseNote, CasePlan
from cases.reminders import case_reschedule_reminders
from cases.services import plan as plans
from cases.services.case import case_open
from cases.services.records import case_note_create
from notifications.models import Notification, NotificationKind
from notifications.reminders import run_sweep
from referrals.services import referral_create
from reintegration.models import FollowUp
from reintegration.services import follow_up_complete
from tests.conftest import World
from tests.notifications.scenarios import (
    at,
    received,
    reintegrate,
    supervisor_of_other_ngo,
    visits,
)

SCORES = dict.fromkeys(
    ["safety", "care", "health", "education", "family_relationships", "economic", "child_view"], 4
)


def _sweep(when: Any) -> int:
    return run_sweep(now=when)


# --- Follow-up visits --------------------------------------------------------------------------


def test_a_visit_is_reminded_days_before_then_as_overdue_the_day_after_each_once(
    world: World,
) -> None:
    first = visits(reintegrate(world, on=timezone.localdate()))[0]
    day = first.scheduled_date

    assert _sweep(at(day - timedelta(days=5))) == 0
    assert _sweep(at(day - timedelta(days=2))) == 2
    assert received(NotificationKind.FOLLOW_UP_DUE, follow_up_id=first.pk) == {
        "teammate",
        "commune_member",
    }
    assert _sweep(at(day - timedelta(days=1))) == 0
    assert _sweep(at(day)) == 0  # the day itself is not overdue yet

    assert _sweep(at(day + timedelta(days=2))) == 4
    assert received(NotificationKind.FOLLOW_UP_OVERDUE, follow_up_id=first.pk) == {
        "teammate",
        "commune_member",
        "worker",
        "supervisor",
    }
    assert _sweep(at(day + timedelta(days=30))) == 0


def test_a_visit_first_swept_after_its_date_is_only_reminded_as_overdue(world: World) -> None:
    first = visits(reintegrate(world, on=timezone.localdate()))[0]

    _sweep(at(first.scheduled_date + timedelta(days=3)))

    assert not received(NotificationKind.FOLLOW_UP_DUE, follow_up_id=first.pk)
    assert received(NotificationKind.FOLLOW_UP_OVERDUE, follow_up_id=first.pk)


def test_a_recorded_visit_is_not_reminded(world: World) -> None:
    past = timezone.localdate() - timedelta(days=40)
    first = visits(reintegrate(world, on=past))[0]
    follow_up_complete(
        actor=world.commune_member,
        follow_up=first,
        visit_date=first.scheduled_date,
        outcome="stable",
        scores=SCORES,
    )

    _sweep(at(first.scheduled_date + timedelta(days=3)))

    assert not Notification.objects.filter(follow_up_id=first.pk).exists()


def test_reminders_stop_when_the_case_is_closed(world: World) -> None:
    first = visits(reintegrate(world, on=timezone.localdate()))[0]
    Case.objects.filter(pk=first.case_id).update(status="closed", closed_at=timezone.now())

    assert _sweep(at(first.scheduled_date + timedelta(days=3))) == 0
    assert FollowUp.objects.get(pk=first.pk).reminder_at is None


# --- Referrals -----------------------------------------------------------------------------


def test_a_referral_not_answered_in_time_is_escalated_to_both_agencies_supervisors(
    world: World,
) -> None:
    other_boss = supervisor_of_other_ngo(world)
    referral = referral_create(
        actor=world.supervisor,
        case=world.own_case,
        to_agency=world.other_ngo,
        type="service",
        urgency="urgent",
        services=["family_tracing"],
        reason="Needs a family tracer",
        shared_sections=["profile"],
        consent_override_reason="Child in danger",
    )
    assert received(NotificationKind.REFERRAL_RECEIVED) == {other_boss}
    assert referral.respond_by is not None

    assert _sweep(referral.respond_by - timedelta(minutes=1)) == 0
    _sweep(referral.respond_by + timedelta(minutes=1))

    assert received(NotificationKind.REFERRAL_OVERDUE) == {"supervisor", other_boss}
    assert _sweep(referral.respond_by + timedelta(days=3)) == 0


# --- The case's own deadlines ------------------------------------------------------------------


def _with_deadlines(case: Case, **fields: Any) -> Case:
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    case_reschedule_reminders(case)
    return case


def test_a_reassessment_date_reminds_the_owner_once(world: World) -> None:
    due = timezone.localdate() + timedelta(days=10)
    _with_deadlines(world.own_case, reassess_by=due)

    assert _sweep(at(due - timedelta(days=5))) == 0
    assert _sweep(at(due - timedelta(days=2))) == 1
    assert received(NotificationKind.REASSESSMENT_DUE) == {"worker"}
    assert _sweep(at(due + timedelta(days=2))) == 0


def test_a_review_date_reminds_the_owner_and_her_supervisor(world: World) -> None:
    due = timezone.localdate() + timedelta(days=10)
    _with_deadlines(world.own_case, review_by=due)

    _sweep(at(due))

    assert received(NotificationKind.REVIEW_DUE) == {"worker", "supervisor"}


def test_a_high_risk_child_without_contact_is_flagged_each_period_until_someone_visits(
    world: World, settings: Any
) -> None:
    settings.NO_CONTACT_DAYS = 14
    start = timezone.now()
    case = _with_deadlines(world.own_case, risk_level="high", last_contact_at=start)

    assert _sweep(start + timedelta(days=13)) == 0
    assert _sweep(start + timedelta(days=15)) == 2
    assert _sweep(start + timedelta(days=16)) == 0
    assert _sweep(start + timedelta(days=29)) == 2  # a second period without contact
    assert received(NotificationKind.NO_RECENT_CONTACT) == {"worker", "supervisor"}

    case_note_create(
        actor=world.worker,
        case=case,
        kind="home_visit",
        date=timezone.localdate(),
        text="Visited at home",
    )
    case.refresh_from_db()
    assert case.last_contact_at is not None
    assert case.last_contact_at > start
    assert _sweep(case.last_contact_at + timedelta(days=13)) == 0


def test_a_low_risk_child_is_not_flagged_for_lack_of_contact(world: World) -> None:
    start = timezone.now()
    _with_deadlines(world.own_case, risk_level="low", last_contact_at=start)

    assert _sweep(start + timedelta(days=60)) == 0


def test_a_plan_waiting_for_approval_tells_the_supervisor_then_reminds_her_once(
    world: World, settings: Any
) -> None:
    settings.APPROVAL_REMIND_HOURS = 48
    plan = plans.plan_create(
        actor=world.worker,
        case=world.own_case,
        goals=[
            plans.GoalDraft(
                description="Back to school",
                actions=[
                    plans.ActionDraft(
                        description="Enrol",
                        responsible_id=world.worker.pk,
                        due_date=timezone.localdate() + timedelta(days=300),
                    ),
                ],
            )
        ],
    )
    plans.plan_submit(actor=world.worker, plan=plan)
    plan.refresh_from_db()
    assert plan.submitted_at is not None
    assert received(NotificationKind.APPROVAL_REQUESTED) == {"supervisor"}

    assert _sweep(plan.submitted_at + timedelta(hours=47)) == 0
    assert _sweep(plan.submitted_at + timedelta(hours=49)) == 1
    assert received(NotificationKind.APPROVAL_WAITING) == {"supervisor"}
    assert _sweep(plan.submitted_at + timedelta(hours=100)) == 0


def test_an_approved_plans_dated_action_reminds_the_person_responsible(world: World) -> None:
    due = timezone.localdate() + timedelta(days=20)
    plan = plans.plan_create(
        actor=world.worker,
        case=world.own_case,
        goals=[
            plans.GoalDraft(
                description="Back to school",
                actions=[
                    plans.ActionDraft(
                        description="Enrol at the primary school",
                        responsible_id=world.teammate.pk,
                        due_date=due,
                    ),
                ],
            )
        ],
    )
    plans.plan_submit(actor=world.worker, plan=plan)
    plans.plan_approve(actor=world.supervisor, plan=CasePlan.objects.get(pk=plan.pk))

    _sweep(at(due - timedelta(days=1)))

    assert received(NotificationKind.PLAN_ACTION_DUE) == {"teammate"}
    case = Case.objects.get(pk=world.own_case.pk)
    assert case.review_by is not None  # approval set the next review


# --- Once only, and cheaply --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_create_each_notification_once(world: World) -> None:
    past = timezone.localdate() - timedelta(days=400)
    for _ in range(6):
        reintegrate(world, on=past)  # 24 overdue visits, 4 people each
    when = timezone.now()
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            counts.append(run_sweep(now=when, batch_size=5))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    overdue = Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_OVERDUE)
    assert overdue.count() == 24 * 4
    assert sum(counts) == 24 * 4
    assert overdue.values("key").distinct().count() == 24 * 4


@pytest.mark.parametrize("reintegrations", [1, 8])
def test_the_sweep_runs_a_bounded_number_of_queries_per_batch(
    world: World, reintegrations: int, django_assert_max_num_queries: Any
) -> None:
    past = timezone.localdate() - timedelta(days=400)
    for _ in range(reintegrations):
        reintegrate(world, on=past)
    with django_assert_max_num_queries(30):  # 8 reintegrations: 32 visits in one batch
        created = run_sweep(now=timezone.now())
    assert created == reintegrations * 4 * 4


@pytest.mark.parametrize(
    ("table", "index"),
    [
        ("reintegration_followup", "follow_up_reminder_due_idx"),
        ("cases_case", "case_reminder_due_idx"),
        ("referrals_referral", "referral_reminder_due_idx"),
    ],
)
def test_the_sweeps_claim_of_due_rows_is_served_by_its_partial_index(
    world: World, table: str, index: str
) -> None:
    condition = {
        "reintegration_followup": "status = 'scheduled' AND reminder_at IS NOT NULL",
        "cases_case": "status = 'open' AND reminder_at IS NOT NULL",
        "referrals_referral": "reminder_at IS NOT NULL",
    }[table]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT id FROM {table} WHERE {condition} AND reminder_at <= now() "  # noqa: S608
            "ORDER BY reminder_at LIMIT 500 FOR UPDATE SKIP LOCKED"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


# --- The command -------------------------------------------------------------------------------


def test_run_reminders_past_every_deadline_creates_them_all_and_a_second_run_none(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    other_boss = supervisor_of_other_ngo(world)
    today = timezone.localdate()
    reintegrate(world, on=today)  # 4 visits ahead: each overdue, to 4 people
    referral_create(
        actor=world.supervisor,
        case=world.teammates_case,
        to_agency=world.other_ngo,
        type="service",
        urgency="emergency",
        services=["shelter"],
        reason="Emergency shelter",
        shared_sections=[],
        consent_override_reason="Child in danger",
    )
    _with_deadlines(world.own_case, reassess_by=today + timedelta(days=30))
    expected = 4 * 4 + 2 + 1  # visits; the referral to both supervisors; the reassessment
    events = Notification.objects.count()  # referral_received, sent at once

    call_command("run_reminders", at=(timezone.now() + timedelta(days=800)).isoformat())
    assert f"{expected} notifications created" in capsys.readouterr().out
    assert Notification.objects.count() == events + expected
    assert received(NotificationKind.REFERRAL_OVERDUE) == {"supervisor", other_boss}

    call_command("run_reminders", at=(timezone.now() + timedelta(days=800)).isoformat())
    assert "0 notifications created" in capsys.readouterr().out


def test_run_reminders_refuses_a_time_it_cannot_read(db: None) -> None:
    with pytest.raises(CommandError, match="Not an ISO 8601 time"):
        call_command("run_reminders", at="next tuesday")


def test_notes_that_are_not_contacts_do_not_count_as_contact(world: World) -> None:
    case_note_create(
        actor=world.worker,
        case=world.own_case,
        kind="other",
        date=timezone.localdate(),
        text="Filed the birth certificate",
    )
    assert CaseNote.objects.filter(case=world.own_case).exists()
    assert Case.objects.get(pk=world.own_case.pk).last_contact_at is None


def test_the_police_are_reminded_to_refer_a_child_they_registered_and_still_hold(
    world: World, settings: Any
) -> None:
    settings.REFER_ON_HOURS = 24
    case = case_open(
        actor=world.police,
        child={
            "given_name": "Dara",
            "sex": "male",
            "estimated_age": 12,
            "location": world.pp_village,
        },
        concerns=["labour_trafficking"],
        source="police",
    )

    assert _sweep(case.created_at + timedelta(hours=23)) == 0
    assert _sweep(case.created_at + timedelta(hours=25)) == 1
    assert received(NotificationKind.REFERRAL_NEEDED) == {"police"}
    assert _sweep(case.created_at + timedelta(days=5)) == 0


def test_a_social_workers_own_case_needs_no_reminder_to_refer(world: World) -> None:
    case = case_open(
        actor=world.worker,
        child={
            "given_name": "Dara",
            "sex": "male",
            "estimated_age": 12,
            "location": world.pp_village,
        },
        concerns=["labour_trafficking"],
        source="community",
    )

    assert _sweep(case.created_at + timedelta(days=3)) == 0
