"""The follow-up list asked with at most a status and its dates, compiled once for each shape of
the caller's visibility: for every caller, ask and window, the very visits the FilterSet and the
ORM find; and the asks it answers, the others left to the FilterSet."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from cases import policy
from reintegration import selectors
from reintegration.api.filters import FollowUpFilter, compiled_follow_up_list
from reintegration.api.serializers import FOLLOW_UP_COLUMNS
from reintegration.choices import FollowUpStatus
from reintegration.models import FollowUp
from reintegration.selectors import FollowUpList, follow_ups_visible
from tests.conftest import World, api_client
from tests.factories import CaseFactory, UserFactory
from tests.reintegration.helpers import another_commune, months_ago, reintegrate

WINDOWS = [(0, 51), (1, 3), (2, 5)]


def _asks() -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [
        {},
        {"status": FollowUpStatus.SCHEDULED},
        {"status": FollowUpStatus.MISSED},
        {"due_before": today + timedelta(days=60)},
        {"due_after": today - timedelta(days=10)},
        {
            "status": FollowUpStatus.SCHEDULED,
            "due_before": today + timedelta(days=200),
            "due_after": today,
        },
    ]


@pytest.fixture
def visits(world: World) -> None:
    """Children back home in the commune member's commune and in another, of the worker and
    of another agency's worker, some visits missed and some past."""
    reintegrate(world, on=months_ago(2))
    reintegrate(world, on=months_ago(5), months=[1, 3, 6, 12, 18])
    elsewhere, _member = another_commune(world)
    reintegrate(world, on=months_ago(1), location=elsewhere)
    other = CaseFactory.create(owner=world.other_worker, location=world.pp_village)
    reintegrate(world, on=months_ago(4), case=other, follow_up_worker=world.other_worker)
    FollowUp.objects.filter(scheduled_date__lt=timezone.localdate()).update(
        status=FollowUpStatus.MISSED
    )


def _callers(world: World, national: User) -> list[User]:
    return [
        world.worker,
        world.teammate,  # the follow-up worker, by grant
        world.supervisor,
        world.other_worker,
        world.commune_member,  # by area grant
        world.dosvy_officer,
        national,
        world.bmc_worker,
        world.police,
        world.analyst,
        UserFactory.create(username="left", agency=world.ngo, is_active=False),
    ]


def _filterset_window(user: User, asked: dict[str, Any], start: int, stop: int) -> list[FollowUp]:
    visible = (
        follow_ups_visible(user=user).only(*FOLLOW_UP_COLUMNS).order_by("scheduled_date", "id")
    )
    query = QueryDict(mutable=True)
    query.update({name: str(value) for name, value in asked.items()})
    filtered = FollowUpFilter(query, queryset=visible)
    assert filtered.is_valid()
    return list(filtered.qs[start:stop])


def _seen(visits: list[FollowUp]) -> list[tuple[int, date, str, str]]:
    return [
        (visit.pk, visit.scheduled_date, visit.status, visit.case.child.given_name)
        for visit in visits
    ]


def _every_window_is_the_filtersets(world: World, national: User) -> int:
    found = 0
    for user in _callers(world, national):
        for asked in _asks():
            listed = FollowUpList(user=user, asked=asked, columns=FOLLOW_UP_COLUMNS)
            for start, stop in WINDOWS:
                expected = _seen(_filterset_window(user, asked, start, stop))
                assert _seen(listed[start:stop]) == expected, (user, asked, start)
                found += len(expected)
    return found


@pytest.mark.usefixtures("visits")
def test_every_window_is_the_filtersets_for_every_caller_and_ask(
    world: World, national: User
) -> None:
    assert _every_window_is_the_filtersets(world, national) > 100


@pytest.mark.usefixtures("visits")
def test_the_same_when_a_territory_holders_narrow_scopes_are_a_subquery(
    world: World, national: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "RESOLVED_IDS", 0)
    policy.forget_scope_sizes()
    assert _every_window_is_the_filtersets(world, national) > 100


@pytest.mark.usefixtures("visits")
def test_compiled_once_for_a_shape_and_read_in_one_statement(world: World) -> None:
    selectors._follow_up_window.cache_clear()
    asked = {"status": FollowUpStatus.SCHEDULED, "due_before": timezone.localdate()}
    for user in (world.worker, world.other_worker, world.bmc_worker):  # three social workers
        with CaptureQueriesContext(connection) as statements:
            FollowUpList(user=user, asked=asked, columns=FOLLOW_UP_COLUMNS)[0:51]
        assert len(statements) == 1
    info = selectors._follow_up_window.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def _asked(query: str, user: User) -> object:
    return compiled_follow_up_list(user, QueryDict(query), columns=FOLLOW_UP_COLUMNS)


def test_the_asks_a_compiled_list_answers(world: World) -> None:
    for query in ("", "status=scheduled", "status=scheduled&due_before=2026-01-31", "due_after="):
        assert isinstance(_asked(query, world.worker), FollowUpList), query
    listed = _asked("status=missed&due_before=2026-01-31&due_after=2025-12-01", world.worker)
    assert isinstance(listed, FollowUpList)
    assert listed.asked == {
        "status": "missed",
        "due_before": date(2026, 1, 31),
        "due_after": date(2025, 12, 1),
    }
    # Left to the FilterSet, which applies or refuses them.
    for query in ("case=3", "status=late", "due_before=2026-13-01", "due_before=2026-02-30"):
        assert _asked(query, world.worker) is None, query


@pytest.mark.usefixtures("visits")
def test_the_api_answers_from_it_as_the_filterset_does(world: World) -> None:
    client = api_client(world.commune_member)
    today = timezone.localdate()
    for asked in _asks():
        query = {name: str(value) for name, value in asked.items()}
        answered = client.get("/api/v1/follow-ups/", {**query, "page_size": "3"})
        assert answered.status_code == 200
        expected = [visit.pk for visit in _filterset_window(world.commune_member, asked, 0, 3)]
        assert [row["id"] for row in answered.json()["results"]] == expected
    assert client.get("/api/v1/follow-ups/", {"due_before": str(today)}).json()["results"]
    assert client.get("/api/v1/follow-ups/", {"status": "late"}).status_code == 400
