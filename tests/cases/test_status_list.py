"""The case list of at most a status, compiled once for each shape of the caller's visibility:
for every caller, status and window, the very cases the ORM's statement of the same list finds,
whether a territory holder's narrow scopes are listed by id or left as a subquery."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from accounts.models import User
from cases import policy
from cases.choices import Status
from cases.models import Case, CaseNamedUser
from cases.selectors import case as case_selectors
from cases.selectors.case import StatusList, case_list
from tests.cases.listed import listed_case
from tests.conftest import World, api_client
from tests.factories import UserFactory

STATUSES = [None, *Status.values]
WINDOWS = [(0, 51), (1, 3), (2, 4), (3, 5)]


@pytest.fixture
def cases(world: World, national: User) -> None:
    """Open and closed cases of every relation: owned, a teammate's, another agency's, another
    province's, granted to a person and to a group, restricted with a reader named on it, and
    a case of the provincial supervisor's team outside her territory (found only by her narrow
    scopes)."""
    village, elsewhere = world.pp_village, world.bmc_village
    for status in Status.values:
        listed_case(world.worker, village, status=status)
        listed_case(world.teammate, village, status=status)
        listed_case(world.other_worker, village, status=status)
        listed_case(world.bmc_worker, elsewhere, status=status)
    closed_restricted = listed_case(world.worker, village, status=Status.CLOSED, restricted=True)
    CaseNamedUser.objects.create(case=closed_restricted, user=world.worker)
    CaseNamedUser.objects.create(case=world.restricted_case, user=national)
    assign_perm("cases.view_case", world.worker, listed_case(world.bmc_worker, elsewhere))
    group = Group.objects.create(name="reintegration team")
    world.police.groups.add(group)
    assign_perm(
        "cases.view_case", group, listed_case(world.bmc_worker, elsewhere, status=Status.CLOSED)
    )
    member = UserFactory.create(
        username="dosvy_member", agency=world.dosvy_pp, supervisor=world.dosvy_officer
    )
    for status in Status.values:
        listed_case(member, elsewhere, status=status)


def _callers(world: World, national: User) -> list[User]:
    return [
        world.worker,
        world.teammate,
        world.supervisor,
        world.agency_admin,
        world.other_worker,
        world.dosvy_officer,
        national,
        world.bmc_worker,
        world.police,
        world.commune_member,
        world.analyst,
        UserFactory.create(username="left", agency=world.ngo, is_active=False),
        world.system_admin,  # of no agency
    ]


def _orm_window(user: User, status: str | None, start: int, stop: int) -> list[Case]:
    """The list as the FilterSet and the ORM make it."""
    listed = case_list(user=user)
    if status is not None:
        listed = listed.filter(status=status)
    return list(listed[start:stop])


def _seen(cases: list[Case]) -> list[tuple[int, str, str, str]]:
    return [(case.pk, case.case_number, case.status, case.child.given_name) for case in cases]


def _every_window_is_the_orms(world: World, national: User) -> int:
    found = 0
    for user in _callers(world, national):
        for status in STATUSES:
            listed = StatusList(user=user, status=status)
            for start, stop in WINDOWS:
                expected = _seen(_orm_window(user, status, start, stop))
                assert _seen(listed[start:stop]) == expected, (user, status, start)
                found += len(expected)
    return found


@pytest.mark.usefixtures("cases")
def test_every_window_is_the_orms_for_every_caller_and_status(world: World, national: User) -> None:
    # The fixture's cases are seen by someone in some window: the test compares lists.
    assert _every_window_is_the_orms(world, national) > 100


@pytest.mark.usefixtures("cases")
def test_the_same_when_a_territory_holders_narrow_scopes_are_a_subquery(
    world: World, national: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past RESOLVED_IDS, the narrow scopes stay a subquery in the statement (another shape):
    the same cases, her team's case in the other province among them."""
    monkeypatch.setattr(policy, "RESOLVED_IDS", 0)
    policy.forget_scope_sizes()
    outside = Case.objects.get(owner__username="dosvy_member", status=Status.OPEN)
    assert outside.pk in {
        case.pk for case in StatusList(user=world.dosvy_officer, status=None)[0:51]
    }
    assert _every_window_is_the_orms(world, national) > 100


@pytest.mark.usefixtures("cases")
def test_compiled_once_for_a_shape_and_read_in_one_statement(world: World) -> None:
    case_selectors._window_statement.cache_clear()
    for user in (world.worker, world.teammate, world.other_worker):  # three social workers
        with CaptureQueriesContext(connection) as statements:
            StatusList(user=user, status=Status.OPEN)[0:51]
        assert len(statements) == 1
    info = case_selectors._window_statement.cache_info()
    assert (info.misses, info.hits) == (1, 2)


@pytest.mark.usefixtures("cases")
def test_the_api_lists_through_it_and_refuses_what_the_filter_refuses(world: World) -> None:
    client = api_client(world.dosvy_officer)
    case_selectors._window_statement.cache_clear()
    for query, expected in (
        ("", _orm_window(world.dosvy_officer, None, 0, 50)),
        ("?status=open", _orm_window(world.dosvy_officer, "open", 0, 50)),
        ("?status=closed&page_size=2&page=2", _orm_window(world.dosvy_officer, "closed", 2, 4)),
    ):
        answer = client.get(f"/api/v1/cases/{query}")
        assert answer.status_code == 200, query
        assert [row["id"] for row in answer.json()["results"]] == [c.pk for c in expected], query
    assert case_selectors._window_statement.cache_info().misses == 3
    # An empty value filters nothing (django-filter's rule), and another filter goes with the
    # status to the FilterSet: the same lists, not compiled here.
    for query, expected in (
        ("?status=", _orm_window(world.dosvy_officer, None, 0, 50)),
        (
            "?status=open&owner=me",
            list(
                case_list(user=world.dosvy_officer).filter(status="open", owner=world.dosvy_officer)
            ),
        ),
    ):
        answer = client.get(f"/api/v1/cases/{query}")
        assert answer.status_code == 200, query
        assert [row["id"] for row in answer.json()["results"]] == [c.pk for c in expected], query
    assert case_selectors._window_statement.cache_info().misses == 3
    for query in ("?status=lost", "?status=open&status=gone"):
        assert client.get(f"/api/v1/cases/{query}").status_code == 400, query


@pytest.mark.usefixtures("cases")
def test_the_case_list_page_lists_through_it(world: World, client: Any) -> None:
    client.force_login(world.dosvy_officer)
    case_selectors._window_statement.cache_clear()
    for query, status in (("", None), ("?status=closed", "closed"), ("?status=open", "open")):
        page = client.get(f"/cases/{query}")
        assert page.status_code == 200, query
        shown = [row.case.pk for row in page.context["rows"]]
        assert shown == [case.pk for case in _orm_window(world.dosvy_officer, status, 0, 25)]
        assert shown, query
    # The page's own shapes (the place read by name): of any status, and of one status, asked
    # twice. An invalid status goes to the FilterSet.
    info = case_selectors._window_statement.cache_info()
    assert (info.misses, info.hits) == (2, 1)
    assert client.get("/cases/?status=lost").status_code == 200
    info = case_selectors._window_statement.cache_info()
    assert (info.misses, info.hits) == (2, 1)
