"""The acceptance scenario, end to end through the API: a child goes from a shelter back to her
parents, the commune committee follows her up (seeing her visits and nothing else of her case),
a worrying visit and a missed one reach the people who must act, and closure waits for the
schedule to end well unless the supervisor decides."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from cases.choices import Stage
from cases.models import Case
from notifications.models import Notification, NotificationKind
from reintegration.services import add_months
from tests.conftest import World, api_client
from tests.factories import CaseFactory
from tests.reintegration.helpers import another_commune, months_ago, reintegrate, visit_body, visits

API = "/api/v1"


def at_nine(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9)))


def sweep(when: datetime) -> str:
    out = StringIO()
    call_command("run_reminders", at=when.isoformat(), stdout=out)
    return out.getvalue()


class Journey:
    """One child's case and the people around it, with the calls the scenario makes."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.case = CaseFactory.create(
            owner=world.worker, location=world.pp_village, stage=Stage.IMPLEMENTATION
        )
        self.home_day = months_ago(13)  # every visit of the default schedule is past
        # Another child, reintegrated into another commune on the same day.
        village, member = another_commune(world)
        elsewhere = reintegrate(world, on=self.home_day, location=village, focal_point=member)
        self.foreign_visit = visits(elsewhere)[0].pk
        self.visit_ids: list[int] = []

    def as_(self, user: User) -> Any:
        return api_client(user)

    def place(self, **body: Any) -> dict[str, Any]:
        answer = self.as_(self.world.worker).post(f"{API}/cases/{self.case.pk}/placements/", body)
        assert answer.status_code == 201, answer.content
        return dict(answer.json())

    def complete(self, user: User, number: int, outcome: str) -> Any:
        visit = self.as_(user).get(f"{API}/follow-ups/{self.visit_ids[number - 1]}/").json()
        day = date.fromisoformat(visit["scheduled_date"])
        return self.as_(user).post(
            f"{API}/follow-ups/{visit['id']}/complete/", visit_body(day, outcome)
        )

    def close(self, user: User) -> Any:
        body = {"reason": "reintegrated", "note": "Home and safe."}
        return self.as_(user).post(f"{API}/cases/{self.case.pk}/close/", body)

    def commune_member_sees_the_visits_only(self) -> None:
        """What the commune member may and may not see, checked at every step."""
        client = self.as_(self.world.commune_member)
        listed = client.get(f"{API}/follow-ups/")
        assert listed.status_code == 200
        assert [visit["id"] for visit in listed.json()["results"]] == self.visit_ids
        for visit in self.visit_ids:
            assert client.get(f"{API}/follow-ups/{visit}/").status_code == 200
        assert client.get(f"{API}/cases/{self.case.pk}/").status_code == 404
        assert client.get(f"{API}/cases/{self.case.pk}/notes/").status_code == 404
        assert client.get(f"{API}/follow-ups/{self.foreign_visit}/").status_code == 404

    def bring_home(self, *, check_each_step: bool = True) -> None:
        """Shelter, then her parents' home, then the reintegration: four visits scheduled."""
        world = self.world
        shelter = self.place(
            type="shelter",
            start_date=str(self.home_day - timedelta(days=120)),
            agency=world.ngo.pk,
            caregiver="Hope Shelter",
        )
        if check_each_step:
            self.commune_member_sees_the_visits_only()
        home = self.place(
            type="parents",
            start_date=str(self.home_day),
            location=world.pp_village.pk,
            caregiver="ម្ដាយ សុខា",
        )
        placements = self.as_(world.worker).get(f"{API}/cases/{self.case.pk}/placements/").json()
        assert [(p["id"], p["end_date"]) for p in placements["results"]] == [
            (home["id"], None),
            (shelter["id"], str(self.home_day)),
        ]
        if check_each_step:
            self.commune_member_sees_the_visits_only()

        answer = self.as_(world.worker).post(
            f"{API}/cases/{self.case.pk}/reintegration/",
            {
                "date": str(self.home_day),
                "placement": home["id"],
                "follow_up_worker": world.other_worker.pk,
                "commune_focal_point": world.commune_member.pk,
                "readiness_assessment": "She asks to go home.",
                "family_assessment": "Mother earns enough; school is near.",
            },
        )

        assert answer.status_code == 201, answer.content
        follow_ups = answer.json()["follow_ups"]
        assert len(follow_ups) == 4
        assert [visit["scheduled_date"] for visit in follow_ups] == [
            str(add_months(self.home_day, months)) for months in (1, 3, 6, 12)
        ]
        self.visit_ids = [visit["id"] for visit in follow_ups]
        self.case.refresh_from_db()
        assert (self.case.stage, self.case.follow_up_pending) == (Stage.REINTEGRATION, True)
        if check_each_step:
            self.commune_member_sees_the_visits_only()


def notifications(user: User, **filters: Any) -> list[dict[str, Any]]:
    answer = api_client(user).get(f"{API}/notifications/", filters)
    assert answer.status_code == 200
    return list(answer.json()["results"])


def test_a_child_followed_up_by_her_commune_through_a_worry_and_a_missed_visit(
    world: World,
) -> None:
    journey = Journey(world)
    journey.bring_home()
    commune_member, owner, supervisor = world.commune_member, world.worker, world.supervisor

    # The commune member records the first visit, stable, and the second, at risk.
    assert journey.complete(commune_member, 1, "stable").status_code == 200
    journey.commune_member_sees_the_visits_only()
    assert notifications(owner, kind=NotificationKind.FOLLOW_UP_CONCERN) == []
    worry = journey.complete(commune_member, 2, "at_risk")
    assert worry.status_code == 200, worry.content
    journey.commune_member_sees_the_visits_only()

    concerns = notifications(owner, kind=NotificationKind.FOLLOW_UP_CONCERN)
    assert [(n["case"], n["follow_up"], n["read"]) for n in concerns] == [
        (journey.case.pk, journey.visit_ids[1], False)
    ]
    assert concerns[0]["case_number"] == journey.case.case_number
    assert [n["follow_up"] for n in notifications(supervisor, kind="follow_up_concern")] == [
        journey.visit_ids[1]
    ]
    case = api_client(owner).get(f"{API}/cases/{journey.case.pk}/").json()
    assert case["reassess_by"] == timezone.localdate().isoformat()

    # Nobody records the third visit: the sweep, run after its date, says so; once.
    third = date.fromisoformat(
        api_client(owner).get(f"{API}/follow-ups/{journey.visit_ids[2]}/").json()["scheduled_date"]
    )
    when = at_nine(third + timedelta(days=2))
    first_run = sweep(when)
    overdue = Notification.objects.filter(
        kind=NotificationKind.FOLLOW_UP_OVERDUE, follow_up_id=journey.visit_ids[2]
    )
    assert set(overdue.values_list("recipient__username", flat=True)) == {
        "other_worker",
        "supervisor",
        "worker",
        "commune_member",
    }
    for person in (world.other_worker, supervisor):
        told = notifications(person, kind=NotificationKind.FOLLOW_UP_OVERDUE)
        assert journey.visit_ids[2] in [n["follow_up"] for n in told]
    assert not Notification.objects.filter(
        kind__in=[NotificationKind.FOLLOW_UP_OVERDUE, NotificationKind.FOLLOW_UP_DUE],
        follow_up_id=journey.visit_ids[3],
    ).exists()  # the fourth visit is months away at that time
    assert not first_run.startswith("0 ")
    count = Notification.objects.count()
    assert sweep(when).startswith("0 notifications created")
    assert Notification.objects.count() == count
    journey.commune_member_sees_the_visits_only()

    # The schedule has not ended well: the owner may not ask for closure; her supervisor closes.
    refused = journey.close(owner)
    assert refused.status_code == 409
    assert Case.objects.get(pk=journey.case.pk).status == "open"
    closed = journey.close(supervisor)
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["stage"]) == ("closed", "closure")
    # A closed case's visits are reminded no more: the fourth, past its date, stays silent.
    sweep(at_nine(add_months(journey.home_day, 12) + timedelta(days=2)))
    assert not Notification.objects.filter(follow_up_id=journey.visit_ids[3]).exists()


def test_a_schedule_ending_with_two_stable_visits_lets_the_owner_ask_for_closure(
    world: World,
) -> None:
    journey = Journey(world)
    journey.bring_home(check_each_step=False)
    commune_member, owner, supervisor = world.commune_member, world.worker, world.supervisor

    assert journey.complete(commune_member, 1, "stable").status_code == 200
    assert journey.complete(world.other_worker, 2, "at_risk").status_code == 200
    assert journey.complete(commune_member, 3, "stable").status_code == 200
    assert journey.close(owner).status_code == 409  # a visit is still to come
    assert journey.complete(commune_member, 4, "stable").status_code == 200
    journey.commune_member_sees_the_visits_only()

    asked = journey.close(owner)
    assert asked.status_code == 200, asked.content
    assert (asked.json()["status"], asked.json()["closure"]["requested_by"]) == ("open", owner.pk)
    comment = {"comment": "Four visits, the last two stable."}
    approved = api_client(supervisor).post(f"{API}/cases/{journey.case.pk}/close/approve/", comment)
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["stage"]) == ("closed", "closure")


def test_a_last_visit_at_risk_leaves_closure_to_the_supervisor(world: World) -> None:
    journey = Journey(world)
    journey.bring_home(check_each_step=False)

    for number, outcome in enumerate(["stable", "stable", "stable", "at_risk"], start=1):
        assert journey.complete(world.commune_member, number, outcome).status_code == 200

    assert journey.close(world.worker).status_code == 409
    assert Case.objects.get(pk=journey.case.pk).follow_up_pending


def test_a_missed_visit_made_up_later_counts_towards_closure(world: World) -> None:
    journey = Journey(world)
    journey.bring_home(check_each_step=False)
    member = world.commune_member
    for number in (1, 2, 3):
        assert journey.complete(member, number, "stable").status_code == 200
    today = timezone.localdate().isoformat()
    made_up = api_client(member).post(
        f"{API}/follow-ups/{journey.visit_ids[3]}/reschedule/",
        {"new_date": today, "reason": "Family away"},
    )
    assert made_up.status_code == 201, made_up.content
    assert journey.close(world.worker).status_code == 409  # the made-up visit is still to come

    answer = api_client(member).post(
        f"{API}/follow-ups/{made_up.json()['id']}/complete/", visit_body(timezone.localdate())
    )

    assert answer.status_code == 200, answer.content
    assert journey.close(world.worker).status_code == 200
