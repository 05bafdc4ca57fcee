"""My notifications through the API: only mine, newest first, filtered, marked read one by one
or all at once, counted for the bell, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification, NotificationKind
from notifications.outbox import Notice, notify
from reintegration import services
from tests.conftest import World, api_client
from tests.reintegration.helpers import SCORES, months_ago, reintegrate, visits

LIST = "/api/v1/notifications/"
COUNT = "/api/v1/notifications/unread-count/"
READ_ALL = "/api/v1/notifications/read-all/"


def read_url(pk: int) -> str:
    return f"/api/v1/notifications/{pk}/read/"


def notice_for(
    user: User, number: int, kind: str = NotificationKind.REVIEW_DUE, minutes_ago: int = 0
) -> int:
    """One notification for ``user`` about case ``number``, created ``minutes_ago``."""
    (pk,) = notify(
        [
            Notice(
                kind=kind,
                recipient_id=user.pk,
                subject=f"case:{number}",
                case_id=number,
                case_number=f"12-2026-{number:05d}",
            )
        ]
    )
    Notification.objects.filter(pk=pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return pk


def ids(answer: Any) -> list[int]:
    assert answer.status_code == 200, answer.content
    return [row["id"] for row in answer.json()["results"]]


def test_i_see_only_my_notifications_newest_first(world: World) -> None:
    older = notice_for(world.worker, 1, minutes_ago=30)
    newer = notice_for(world.worker, 2, kind=NotificationKind.FOLLOW_UP_DUE, minutes_ago=5)
    oldest_but_last_made = notice_for(world.worker, 3, minutes_ago=90)
    notice_for(world.teammate, 4)

    answer = api_client(world.worker).get(LIST)

    assert ids(answer) == [newer, older, oldest_but_last_made]
    row = answer.json()["results"][0]
    assert {"id", "kind", "case", "referral", "follow_up", "created_at", "read"} <= set(row)
    assert (row["kind"], row["case"], row["case_number"], row["read"]) == (
        "follow_up_due",
        2,
        "12-2026-00002",
        False,
    )


def test_another_persons_notification_answers_404_and_stays_unread(world: World) -> None:
    theirs = notice_for(world.teammate, 1)

    assert api_client(world.worker).post(read_url(theirs)).status_code == 404
    assert api_client(world.worker).post(read_url(theirs + 1000)).status_code == 404
    assert Notification.objects.get(pk=theirs).read_at is None


def test_marking_one_read_keeps_the_first_time_it_was_read(world: World) -> None:
    mine = notice_for(world.worker, 1)
    client = api_client(world.worker)

    first = client.post(read_url(mine))

    assert first.status_code == 200, first.content
    assert (first.json()["id"], first.json()["read"]) == (mine, True)
    read_at = Notification.objects.get(pk=mine).read_at
    assert read_at is not None
    again = client.post(read_url(mine))
    assert again.status_code == 200
    assert Notification.objects.get(pk=mine).read_at == read_at


def test_the_list_filters_read_and_unread_and_by_kind(world: World) -> None:
    read = notice_for(world.worker, 1, minutes_ago=10)
    unread = notice_for(world.worker, 2, kind=NotificationKind.FOLLOW_UP_OVERDUE, minutes_ago=5)
    client = api_client(world.worker)
    client.post(read_url(read))

    assert ids(client.get(LIST, {"read": "false"})) == [unread]
    assert ids(client.get(LIST, {"read": "true"})) == [read]
    assert ids(client.get(LIST, {"kind": "follow_up_overdue"})) == [unread]
    assert ids(client.get(LIST)) == [unread, read]


def test_the_bell_counts_my_unread_notifications_only(world: World) -> None:
    first = notice_for(world.worker, 1)
    notice_for(world.worker, 2)
    notice_for(world.worker, 3)
    notice_for(world.teammate, 4)
    client = api_client(world.worker)

    assert client.get(COUNT).json() == {"unread": 3}
    client.post(read_url(first))
    assert client.get(COUNT).json() == {"unread": 2}


def test_read_all_marks_mine_and_nobody_elses(world: World) -> None:
    notice_for(world.worker, 1)
    notice_for(world.worker, 2)
    theirs = notice_for(world.teammate, 3)
    client = api_client(world.worker)

    answer = client.post(READ_ALL)

    assert answer.status_code == 200
    assert answer.json() == {"unread": 0}
    assert client.get(COUNT).json() == {"unread": 0}
    assert ids(client.get(LIST, {"read": "false"})) == []
    assert Notification.objects.get(pk=theirs).read_at is None
    assert api_client(world.teammate).get(COUNT).json() == {"unread": 1}


def test_without_signing_in_there_are_no_notifications(world: World) -> None:
    notice_for(world.worker, 1)
    anonymous = api_client()

    assert anonymous.get(LIST).status_code == 401
    assert anonymous.get(COUNT).status_code == 401
    assert anonymous.post(READ_ALL).status_code == 401
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_a_concern_notification_names_the_case_and_the_visit_but_not_the_child(
    world: World,
) -> None:
    first = visits(reintegrate(world, on=months_ago(13)))[0]
    services.follow_up_complete(
        actor=world.commune_member,
        follow_up=first,
        visit_date=first.scheduled_date,
        outcome="at_risk",
        scores=SCORES,
    )
    child = first.case.child

    answer = api_client(world.worker).get(LIST)

    (row,) = answer.json()["results"]
    assert (row["kind"], row["case"], row["follow_up"]) == (
        "follow_up_concern",
        first.case_id,
        first.pk,
    )
    body = answer.content.decode()
    for name in (child.given_name, child.family_name, child.given_name_km):
        assert name not in body


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_runs_a_bounded_number_of_queries(
    world: World, count: int, django_assert_max_num_queries: Any
) -> None:
    for number in range(count):
        notice_for(world.worker, number + 1, minutes_ago=number)

    with django_assert_max_num_queries(2):
        answer = api_client(world.worker).get(LIST)

    assert len(ids(answer)) == count
