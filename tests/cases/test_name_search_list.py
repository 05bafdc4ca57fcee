"""The search by a child's name of a caller with a territory, compiled once for each shape of
her visibility: for every such caller, name, status and window, the very cases the FilterSet's
search and its paginator find; and the asks it answers, the others left to the FilterSet."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from cases import policy
from cases.api.filters import compiled_case_list
from cases.choices import Status
from cases.models import Case
from cases.search import search_cases
from cases.selectors import case as case_selectors
from cases.selectors.case import NameSearchList, StatusList, case_list
from core.pagination import KeysFirstPaginator
from tests.cases.listed import listed_case
from tests.conftest import World, api_client
from tests.factories import ChildFactory

STATUSES = [None, *Status.values]
WINDOWS = [(0, 51), (1, 3), (2, 4)]
# Whole names, a word alone, a word begun, a word misspelt, Khmer whole and in part, and names
# no child bears.
NAMES = [
    "Dara Sok",
    "sok",
    "Dar",
    "Sopheap",
    "Sophaep",
    "សុខ",
    "សុខដារា",
    "ដារា",
    "Nobody Here",
    "ណាមួយ",
]


def _case(owner: User, location: object, given: str, given_km: str, status: str) -> Case:
    child = ChildFactory.create(
        given_name=given, family_name="Sok", given_name_km=given_km, location=location
    )
    return listed_case(owner, location, status=status, child=child)


@pytest.fixture
def named(world: World) -> Case:
    """Children named alike in the capital and elsewhere, their cases of every status and
    relation, a restricted one among them."""
    for status in Status.values:
        for owner, place in (
            (world.worker, world.pp_village),
            (world.other_worker, world.pp_village),
            (world.bmc_worker, world.bmc_village),
        ):
            _case(owner, place, "Dara", "ដារា", status)
            _case(owner, place, "Sopheap", "សុភាព", status)
    restricted = _case(world.worker, world.pp_village, "Dara", "ដារា", Status.OPEN)
    Case.objects.filter(pk=restricted.pk).update(restricted=True)
    return restricted


def _territory_holders(world: World, national: User) -> list[User]:
    holders = [world.dosvy_officer, national]
    assert all(NameSearchList.answers(user) for user in holders)
    return holders


def _filterset_window(user: User, text: str, status: str | None, start: int, stop: int) -> list:
    listed = case_list(user=user)
    if status is not None:
        listed = listed.filter(status=status)
    found = search_cases(listed, text, territory=True)
    return list(KeysFirstPaginator(found, stop - start)._rows(start, stop))


def _seen(cases: list[Case]) -> list[tuple[int, str, str]]:
    return [(case.pk, case.status, case.child.given_name) for case in cases]


def _every_window_is_the_filtersets(world: World, national: User) -> int:
    found = 0
    for user in _territory_holders(world, national):
        for text in NAMES:
            for status in STATUSES:
                listed = NameSearchList(user=user, text=text, status=status)
                for start, stop in WINDOWS:
                    expected = _seen(_filterset_window(user, text, status, start, stop))
                    assert _seen(listed[start:stop]) == expected, (user, text, status, start)
                    found += len(expected)
    return found


@pytest.mark.usefixtures("named")
def test_every_window_is_the_filtersets_for_every_name_and_status(
    world: World, national: User
) -> None:
    assert _every_window_is_the_filtersets(world, national) > 100


@pytest.mark.usefixtures("named")
def test_the_same_when_the_narrow_scopes_are_a_subquery(
    world: World, national: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "RESOLVED_IDS", 0)
    policy.forget_scope_sizes()
    assert _every_window_is_the_filtersets(world, national) > 100


def test_a_restricted_case_is_found_only_by_those_named_on_it(
    world: World, national: User, named: Case
) -> None:
    for user in _territory_holders(world, national):
        found = {case.pk for case in NameSearchList(user=user, text="Dara", status=None)[0:100]}
        assert named.pk not in found
        assert found  # the others are


@pytest.mark.usefixtures("named")
def test_compiled_once_for_a_shape(world: World, national: User) -> None:
    case_selectors._search_keys_statement.cache_clear()
    for text in ("Dara", "Sopheap", "ដារា"):
        NameSearchList(user=national, text=text, status=Status.OPEN)[0:51]
    info = case_selectors._search_keys_statement.cache_info()
    assert (info.misses, info.hits) == (1, 2)


@pytest.mark.usefixtures("named")
def test_the_page_of_a_search_is_its_keys_then_its_rows(national: User) -> None:
    NameSearchList(user=national, text="Dara", status=None)[0:51]  # compiled
    with CaptureQueriesContext(connection) as statements:
        NameSearchList(user=national, text="Dara", status=None)[0:51]
    keys, rows = statements.captured_queries[-2:]
    assert '"cases_case"."child_id" = ANY' in keys["sql"]
    assert '"cases_case"."id" = ANY' in rows["sql"]
    assert "cases_child" in rows["sql"]
    assert "cases_child" not in keys["sql"]


def _asked(query: str, user: User) -> object:
    return compiled_case_list(user, QueryDict(query))


def test_the_asks_a_compiled_list_answers(world: World, national: User) -> None:
    supervisor = world.dosvy_officer
    assert isinstance(_asked("", supervisor), StatusList)
    assert isinstance(_asked("status=open", world.worker), StatusList)
    assert isinstance(_asked("q=Dara", supervisor), NameSearchList)
    assert isinstance(_asked("q=Dara&status=closed", national), NameSearchList)
    # Left to the FilterSet: another filter, a value it refuses, a case number, a blank name,
    # and callers whose search is read another way (no territory; an agency scope, whose
    # names may be hidden from her).
    for query, user in [
        ("q=Dara&stage=intake", supervisor),
        ("q=Dara&status=lost", supervisor),
        ("status=lost", supervisor),
        ("q=Da%00ra", supervisor),
        ("q=12-2026", supervisor),
        ("q=++", supervisor),
        ("q=Dara", world.worker),
        ("q=Dara", world.agency_admin),
    ]:
        assert _asked(query, user) is None, query


@pytest.mark.usefixtures("named")
def test_the_api_and_the_page_answer_from_it_as_the_filterset_does(
    world: World, national: User
) -> None:
    client = api_client(national)
    for text in ("Dara", "ដារា", "Sophea"):
        answered = client.get("/api/v1/cases/", {"q": text, "page_size": 5})
        assert answered.status_code == 200
        expected = [case.pk for case in _filterset_window(national, text, None, 0, 5)]
        assert [row["id"] for row in answered.json()["results"]] == expected
        assert expected, text
