"""Follow-up visits through the API: the scoped list and its filters, recording a visit (and
everything a bad record leaves untouched), rescheduling a missed one, and who may do what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from cases.choices import Stage, Status
from cases.models import Case
from notifications.models import Notification, NotificationKind
from reintegration.models import FollowUp, Reintegration
from tests.conftest import World, api_client
from tests.factories import CaseFactory
from tests.reintegration.helpers import (
    SCORES,
    another_commune,
    months_ago,
    reintegrate,
    visit_body,
    visits,
)

LIST = "/api/v1/follow-ups/"


def detail(visit: FollowUp, action: str = "") -> str:
    return f"/api/v1/follow-ups/{visit.pk}/{action}"


def ids(answer: Any) -> list[int]:
    assert answer.status_code == 200, answer.content
    return [visit["id"] for visit in answer.json()["results"]]


def back_home(world: World, **kwargs: Any) -> Reintegration:
    """A child back home 13 months ago: every visit of the default schedule is in the past."""
    return reintegrate(world, on=months_ago(13), **kwargs)


# --- The list ----------------------------------------------------------------------------------


def test_the_list_filters_by_status(world: World) -> None:
    first, second, third, fourth = visits(back_home(world))
    client = api_client(world.teammate)
    assert (
        client.post(detail(first, "complete/"), visit_body(first.scheduled_date)).status_code == 200
    )
    later = (timezone.localdate() + timedelta(days=5)).isoformat()
    replacement = client.post(
        detail(second, "reschedule/"), {"new_date": later, "reason": "Family away"}
    ).json()

    assert ids(client.get(LIST, {"status": "completed"})) == [first.pk]
    assert ids(client.get(LIST, {"status": "missed"})) == [second.pk]
    assert ids(client.get(LIST, {"status": "scheduled"})) == [
        third.pk,
        fourth.pk,
        replacement["id"],
    ]
    assert ids(client.get(LIST, {"status": "cancelled"})) == []
    assert client.get(LIST, {"status": "lost"}).status_code == 400


def test_the_list_filters_by_due_dates_before_exclusive_after_inclusive(world: World) -> None:
    first, second, third, fourth = visits(back_home(world))
    client = api_client(world.worker)
    on = third.scheduled_date.isoformat()

    assert ids(client.get(LIST, {"due_before": on})) == [first.pk, second.pk]
    assert ids(client.get(LIST, {"due_after": on})) == [third.pk, fourth.pk]
    assert ids(
        client.get(
            LIST,
            {
                "due_after": second.scheduled_date.isoformat(),
                "due_before": fourth.scheduled_date.isoformat(),
            },
        )
    ) == [
        second.pk,
        third.pk,
    ]
    assert client.get(LIST, {"due_before": "next week"}).status_code == 400


def test_the_list_filters_by_case_and_never_shows_an_invisible_one(world: World) -> None:
    mine = back_home(world)
    other = back_home(world)
    stranger = back_home(
        world, case=CaseFactory.create(owner=world.other_worker, location=world.pp_village)
    )
    client = api_client(world.worker)

    assert ids(client.get(LIST, {"case": mine.case_id})) == [v.pk for v in visits(mine)]
    assert ids(client.get(LIST, {"case": other.case_id})) == [v.pk for v in visits(other)]
    assert ids(client.get(LIST, {"case": stranger.case_id})) == []
    assert client.get(LIST, {"case": "one"}).status_code == 400


def test_the_list_is_soonest_first_across_cases(world: World) -> None:
    early = back_home(world)
    late = reintegrate(world, on=months_ago(13) + timedelta(days=10))

    listed = ids(api_client(world.worker).get(LIST))

    by_date = sorted([*visits(early), *visits(late)], key=lambda v: (v.scheduled_date, v.pk))
    assert listed == [visit.pk for visit in by_date]
    assert listed[:2] == [visits(early)[0].pk, visits(late)[0].pk]


def test_people_without_the_follow_ups_of_a_case_see_none_of_its_visits(world: World) -> None:
    first = visits(back_home(world))[0]

    for persona in ("agency_admin", "analyst", "other_worker", "police", "system_admin"):
        client = api_client(getattr(world, persona))
        assert ids(client.get(LIST)) == [], persona
        assert client.get(detail(first)).status_code == 404, persona


@pytest.mark.parametrize(("cases", "months"), [(1, [1, 2, 3]), (3, list(range(1, 11)))])
def test_the_list_runs_a_bounded_number_of_queries(
    world: World, cases: int, months: list[int], django_assert_max_num_queries: Any
) -> None:
    for _ in range(cases):
        reintegrate(world, on=months_ago(11), months=months)

    for persona in ("worker", "commune_member"):
        reader = User.objects.get(pk=getattr(world, persona).pk)  # as a request loads her
        # The count and the page (and the committee member's place), and the page's reading in
        # the audit trail (4): as many for 3 visits as 30.
        with django_assert_max_num_queries(7):
            answer = api_client(reader).get(LIST)
        assert len(ids(answer)) == cases * len(months), persona


def test_a_visit_shows_the_childs_name_age_sex_and_address_and_nothing_else_of_the_case(
    world: World,
) -> None:
    first = visits(back_home(world))[0]
    child = first.case.child

    answer = api_client(world.commune_member).get(detail(first))

    assert answer.status_code == 200
    data = answer.json()
    assert data["child"] == {
        "given_name": child.given_name,
        "family_name": child.family_name,
        "given_name_km": child.given_name_km,
        "family_name_km": child.family_name_km,
        "sex": child.sex,
        "age": child.age,
        "address": {
            "location": world.pp_village.pk,
            "location_name": world.pp_village.name_en,
            "location_name_km": world.pp_village.name_km,
            "caregiver": "ម្ដាយ Sokha",
        },
    }
    assert not {"summary", "concerns", "risk_level", "owner", "family"} & set(data)
    assert (data["status"], data["overdue"]) == ("scheduled", True)


def test_a_visit_still_to_come_is_not_overdue(world: World) -> None:
    coming = visits(reintegrate(world, on=timezone.localdate()))[0]

    assert api_client(world.worker).get(detail(coming)).json()["overdue"] is False


# --- Recording a visit -------------------------------------------------------------------------


def test_a_visit_with_all_seven_scores_is_recorded(world: World) -> None:
    first = visits(back_home(world))[0]
    day = first.scheduled_date + timedelta(days=2)

    answer = api_client(world.teammate).post(
        detail(first, "complete/"), visit_body(day, notes="កុមារទៅសាលារៀនវិញ")
    )

    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert (data["status"], data["visit_date"], data["outcome"]) == (
        "completed",
        day.isoformat(),
        "stable",
    )
    assert (data["scores"], data["visited_by"]) == (SCORES, world.teammate.pk)
    assert data["notes"] == "កុមារទៅសាលារៀនវិញ"
    first.refresh_from_db()
    assert (first.status, first.reminder_at, first.completed_at is not None) == (
        "completed",
        None,
        True,
    )
    assert Case.objects.get(pk=first.case_id).last_contact_at is not None


def test_the_first_visit_moves_a_case_in_reintegration_to_follow_up(world: World) -> None:
    case = CaseFactory.create(
        owner=world.worker, location=world.pp_village, stage=Stage.IMPLEMENTATION
    )
    first = visits(back_home(world, case=case))[0]
    case.refresh_from_db()
    assert case.stage == Stage.REINTEGRATION

    api_client(world.worker).post(detail(first, "complete/"), visit_body(first.scheduled_date))

    case.refresh_from_db()
    assert case.stage == Stage.FOLLOW_UP


def test_what_a_reintegration_and_a_visit_change_on_the_case_is_in_its_history(
    world: World,
) -> None:
    """The reintegration app changes the case only through the case's services, so each change
    has its event on the case."""
    case = CaseFactory.create(
        owner=world.worker, location=world.pp_village, stage=Stage.IMPLEMENTATION
    )
    first = visits(back_home(world, case=case))[0]
    begun = AuditEvent.objects.get(action="case.follow_up_begin", case_id=case.pk)
    assert begun.changes == {"stage": Stage.REINTEGRATION}

    api_client(world.worker).post(
        detail(first, "complete/"), visit_body(first.scheduled_date, outcome="at_risk")
    )

    contact = AuditEvent.objects.get(action="case.contact", case_id=case.pk)
    assert contact.changes == {"visits_due": True, "stage": Stage.FOLLOW_UP}
    assert contact.actor_id == world.worker.pk
    due = AuditEvent.objects.get(action="case.reassess_by", case_id=case.pk)
    assert due.changes == {"reassess_by": timezone.localdate().isoformat()}


def _without(domain: str) -> dict[str, int]:
    return {name: score for name, score in SCORES.items() if name != domain}


def bad_visits(plan: Reintegration) -> dict[str, tuple[str, dict[str, Any]]]:
    """What is wrong with each record: (the field the answer names, the change to a good one)."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return {
        "a missing domain": ("scores", {"scores": _without("child_view")}),
        "no scores": ("scores", {"scores": {}}),
        "an unknown domain": ("scores", {"scores": {**SCORES, "spirituality": 3}}),
        "a score of 0": ("scores", {"scores": {**SCORES, "safety": 0}}),
        "a score of 6": ("scores", {"scores": {**SCORES, "health": 6}}),
        "a score in words": ("scores", {"scores": {**SCORES, "care": "good"}}),
        "a fractional score": ("scores", {"scores": {**SCORES, "care": 3.5}}),
        "an unknown outcome": ("outcome", {"outcome": "fine"}),
        "a date in the future": ("visit_date", {"visit_date": tomorrow.isoformat()}),
        "a date before the reintegration": (
            "visit_date",
            {"visit_date": (plan.date - timedelta(days=1)).isoformat()},
        ),
    }


def test_a_bad_visit_record_answers_400_and_changes_nothing(world: World) -> None:
    plan = back_home(world)
    first = visits(plan)[0]
    case_version = Case.objects.get(pk=plan.case_id).version

    for bad, (field, changes) in bad_visits(plan).items():
        answer = api_client(world.teammate).post(
            detail(first, "complete/"), {**visit_body(first.scheduled_date, "at_risk"), **changes}
        )

        assert answer.status_code == 400, bad
        assert field in answer.json(), bad
        first.refresh_from_db()
        assert (first.status, first.visit_date, first.outcome, first.scores) == (
            "scheduled",
            None,
            "",
            {},
        ), bad
    assert Case.objects.get(pk=plan.case_id).version == case_version
    assert Case.objects.get(pk=plan.case_id).reassess_by is None
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="follow_up.complete").exists()


def test_a_visit_recorded_on_the_day_of_the_reintegration_is_accepted(world: World) -> None:
    plan = back_home(world)
    first = visits(plan)[0]

    answer = api_client(world.teammate).post(detail(first, "complete/"), visit_body(plan.date))

    assert answer.status_code == 200, answer.content


def test_a_visit_recorded_twice_answers_409_and_keeps_the_first_record(world: World) -> None:
    first = visits(back_home(world))[0]
    client = api_client(world.teammate)
    client.post(detail(first, "complete/"), visit_body(first.scheduled_date))

    again = client.post(detail(first, "complete/"), visit_body(timezone.localdate(), "breakdown"))

    assert again.status_code == 409
    first.refresh_from_db()
    assert (first.outcome, first.visit_date) == ("stable", first.scheduled_date)


def test_a_missed_visit_cannot_be_recorded(world: World) -> None:
    first = visits(back_home(world))[0]
    client = api_client(world.teammate)
    today = timezone.localdate().isoformat()
    client.post(detail(first, "reschedule/"), {"new_date": today, "reason": "Nobody home"})

    answer = client.post(detail(first, "complete/"), visit_body(first.scheduled_date))

    assert answer.status_code == 409
    first.refresh_from_db()
    assert first.status == "missed"


def test_oversight_reads_a_visit_but_may_not_record_it(world: World) -> None:
    first = visits(back_home(world))[0]
    client = api_client(world.dosvy_officer)

    assert client.get(detail(first)).status_code == 200
    assert (
        client.post(detail(first, "complete/"), visit_body(first.scheduled_date)).status_code == 403
    )
    new_date = timezone.localdate().isoformat()
    assert (
        client.post(detail(first, "reschedule/"), {"new_date": new_date, "reason": "x"}).status_code
        == 403
    )
    first.refresh_from_db()
    assert first.status == "scheduled"


def test_the_owner_her_supervisor_the_follow_up_worker_and_the_commune_record_visits(
    world: World,
) -> None:
    people = [world.worker, world.supervisor, world.teammate, world.commune_member]

    for person, visit in zip(people, visits(back_home(world)), strict=True):
        answer = api_client(person).post(
            detail(visit, "complete/"), visit_body(visit.scheduled_date)
        )

        assert answer.status_code == 200, (person.username, answer.content)
        visit.refresh_from_db()
        assert visit.visited_by == person


def test_a_visit_of_a_closed_case_cannot_be_recorded(world: World) -> None:
    plan = back_home(world)
    first = visits(plan)[0]
    Case.objects.filter(pk=plan.case_id).update(status=Status.CLOSED, closed_at=timezone.now())

    answer = api_client(world.teammate).post(
        detail(first, "complete/"), visit_body(first.scheduled_date)
    )

    assert answer.status_code == 409
    first.refresh_from_db()
    assert first.status == "scheduled"


def test_a_worrying_visit_tells_the_owner_and_her_supervisor_and_asks_for_reassessment(
    world: World,
) -> None:
    told = {  # whoever records it is not told what she wrote herself
        "teammate": {"worker", "supervisor"},
        "worker": {"supervisor"},
        "commune_member": {"worker", "supervisor"},
    }
    plan = back_home(world)

    for (actor, expected), visit in zip(told.items(), visits(plan), strict=False):
        answer = api_client(getattr(world, actor)).post(
            detail(visit, "complete/"), visit_body(visit.scheduled_date, "breakdown")
        )

        assert answer.status_code == 200, answer.content
        concern = Notification.objects.filter(
            kind=NotificationKind.FOLLOW_UP_CONCERN, follow_up_id=visit.pk
        )
        assert set(concern.values_list("recipient__username", flat=True)) == expected, actor
        assert set(concern.values_list("case_id", flat=True)) == {plan.case_id}
        assert Case.objects.get(pk=plan.case_id).reassess_by == timezone.localdate()


def test_a_stable_visit_tells_nobody(world: World) -> None:
    first = visits(back_home(world))[0]

    api_client(world.teammate).post(detail(first, "complete/"), visit_body(first.scheduled_date))

    assert not Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_CONCERN).exists()
    assert Case.objects.get(pk=first.case_id).reassess_by is None


# --- Rescheduling ------------------------------------------------------------------------------


def test_a_missed_visit_is_replaced_by_a_new_one(world: World) -> None:
    first = visits(back_home(world))[0]
    new_date = timezone.localdate() + timedelta(days=7)

    answer = api_client(world.commune_member).post(
        detail(first, "reschedule/"),
        {"new_date": new_date.isoformat(), "reason": "The family was at the rice harvest."},
    )

    assert answer.status_code == 201, answer.content
    new = answer.json()
    assert new["id"] != first.pk
    assert (new["status"], new["scheduled_date"], new["rescheduled_from"], new["sequence"]) == (
        "scheduled",
        new_date.isoformat(),
        first.pk,
        first.sequence,
    )
    first.refresh_from_db()
    assert (first.status, first.missed_reason) == ("missed", "The family was at the rice harvest.")
    assert FollowUp.objects.get(pk=new["id"]).reminder_at is not None


def test_a_bad_reschedule_answers_400_and_changes_nothing(world: World) -> None:
    first = visits(back_home(world))[0]
    today = timezone.localdate().isoformat()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    bodies = [
        {"new_date": yesterday, "reason": "Away"},
        {"new_date": today, "reason": " "},
        {"new_date": today},
        {"reason": "Away"},
        {"new_date": "soon", "reason": "Away"},
    ]

    for body in bodies:
        answer = api_client(world.teammate).post(detail(first, "reschedule/"), body)

        assert answer.status_code == 400, body
        first.refresh_from_db()
        assert first.status == "scheduled", body
    assert FollowUp.objects.filter(case_id=first.case_id).count() == 4


def test_a_completed_visit_cannot_be_rescheduled(world: World) -> None:
    first = visits(back_home(world))[0]
    client = api_client(world.teammate)
    client.post(detail(first, "complete/"), visit_body(first.scheduled_date))

    answer = client.post(
        detail(first, "reschedule/"), {"new_date": timezone.localdate().isoformat(), "reason": "x"}
    )

    assert answer.status_code == 409
    assert FollowUp.objects.filter(case_id=first.case_id).count() == 4


# --- Another commune ---------------------------------------------------------------------------


def test_a_committee_member_of_another_commune_gets_404_and_sees_nothing(world: World) -> None:
    first = visits(back_home(world))[0]
    _village, stranger = another_commune(world)
    client = api_client(stranger)

    assert client.get(detail(first)).status_code == 404
    assert (
        client.post(detail(first, "complete/"), visit_body(first.scheduled_date)).status_code == 404
    )
    new_date = timezone.localdate().isoformat()
    assert (
        client.post(detail(first, "reschedule/"), {"new_date": new_date, "reason": "x"}).status_code
        == 404
    )
    assert ids(client.get(LIST)) == []
    assert ids(client.get(LIST, {"case": first.case_id})) == []
    first.refresh_from_db()
    assert first.status == "scheduled"


def test_a_committee_member_sees_only_her_communes_children(world: World) -> None:
    village, member = another_commune(world)
    here = back_home(world)
    there = back_home(world, location=village, focal_point=member)

    assert ids(api_client(world.commune_member).get(LIST)) == [v.pk for v in visits(here)]
    assert ids(api_client(member).get(LIST)) == [v.pk for v in visits(there)]


def test_an_inactive_committee_member_sees_nothing(world: World) -> None:
    first = visits(back_home(world))[0]
    world.commune_member.is_active = False
    world.commune_member.save(update_fields=["is_active"])

    client = api_client(world.commune_member)

    assert client.get(detail(first)).status_code == 404
    assert (
        client.post(detail(first, "complete/"), visit_body(first.scheduled_date)).status_code == 404
    )
    first.refresh_from_db()
    assert first.status == "scheduled"


@pytest.mark.parametrize("value", ["1.5", "one"])
def test_the_case_filter_takes_a_whole_number(world: World, value: str) -> None:
    answer = api_client(world.worker).get(LIST, {"case": value})

    assert answer.status_code == 400, answer.content
    assert "case" in answer.json()


def test_the_case_filter_lists_the_visits_of_one_case(world: World) -> None:
    first = visits(back_home(world))[0]

    listed = ids(api_client(world.worker).get(LIST, {"case": first.case_id}))

    assert first.pk in listed
    assert ids(api_client(world.worker).get(LIST, {"case": first.case_id + 1000})) == []


def test_a_visit_sent_twice_with_one_idempotency_key_is_recorded_once(world: World) -> None:
    """A visit typed offline may reach the server twice when the connection comes and goes."""
    first = visits(back_home(world))[0]
    client = api_client(world.teammate)
    body, key = visit_body(first.scheduled_date), {"Idempotency-Key": "visit-offline-1"}

    sent = client.post(detail(first, "complete/"), body, headers=key)
    again = client.post(detail(first, "complete/"), body, headers=key)

    assert sent.status_code == again.status_code == 200, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == sent.json()
    assert (
        AuditEvent.objects.filter(action="follow_up.complete", object_id=str(first.pk)).count() == 1
    )
    # Without the key, the second sending is refused: the visit is no longer scheduled.
    assert client.post(detail(first, "complete/"), body).status_code == 409
