"""Look-ahead pagination: a page reads one row past its end instead of counting the list, and
the total is known on the last page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Location
from core.pagination import JoinsAfterPaginator, KeysFirstPaginator, LookAheadPaginator
from tests.conftest import World


@pytest.fixture
def places(world: World) -> list[int]:
    return list(Location.objects.order_by("path").values_list("id", flat=True))


def _paginator(per_page: int) -> LookAheadPaginator:
    return LookAheadPaginator(Location.objects.order_by("path"), per_page)


def test_a_page_is_one_query_and_never_a_count(places: list[int]) -> None:
    paginator = _paginator(5)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.page(1)
    assert len(queries) == 1
    assert "COUNT(" not in queries[0]["sql"].upper()
    assert [place.pk for place in page] == places[:5]
    assert page.has_next()
    assert not page.has_previous()
    assert (page.start_index(), page.end_index()) == (1, 5)
    assert not paginator.count_is_exact
    assert paginator.count == 5  # more than this many


def test_the_last_page_knows_the_total(places: list[int]) -> None:
    paginator = _paginator(4)
    last_number = -(-len(places) // 4)
    page = paginator.page(last_number)
    assert not page.has_next()
    assert paginator.count_is_exact
    assert paginator.count == len(places)
    assert paginator.num_pages == last_number
    assert [place.pk for place in page] == places[(last_number - 1) * 4 :]


def test_a_page_past_the_end_is_refused_and_the_web_falls_back_to_the_first(
    places: list[int],
) -> None:
    paginator = _paginator(4)
    beyond = -(-len(places) // 4) + 1
    with pytest.raises(EmptyPage):
        paginator.page(beyond)
    with pytest.raises(EmptyPage):
        paginator.page(0)
    with pytest.raises(PageNotAnInteger):
        paginator.page("two")
    assert paginator.get_page(beyond).number == 1
    assert paginator.get_page("two").number == 1


def test_an_empty_list_has_one_empty_page(world: World) -> None:
    paginator = LookAheadPaginator(Location.objects.none(), 10)
    page = paginator.page(1)
    assert list(page) == []
    assert (page.start_index(), page.end_index()) == (0, 0)
    assert paginator.count_is_exact
    assert paginator.count == 0


def test_keys_first_pages_are_the_same_pages_from_a_sort_of_keys_alone(
    places: list[int], django_assert_num_queries: Any
) -> None:
    """The keys of a page are sorted without what the rows join; the rows are then read by
    key from the same queryset, in the keys' order, with their joins."""
    listed = Location.objects.select_related("parent").order_by("-path")
    expected = [place.pk for place in listed]
    paginator = KeysFirstPaginator(listed, 4)
    last_number = -(-len(expected) // 4)

    with CaptureQueriesContext(connection) as queries:
        first = paginator.page(1)
    with django_assert_num_queries(0):
        parents = [place.parent for place in first]

    assert [place.pk for place in first] == expected[:4]
    assert parents == [place.parent for place in listed[:4]]
    assert first.has_next()
    keys, rows = (query["sql"] for query in queries.captured_queries)
    assert "JOIN" not in keys
    assert "LIMIT 5" in keys
    assert "JOIN" in rows
    assert "ORDER BY" not in rows
    last = paginator.page(last_number)
    assert [place.pk for place in last] == expected[(last_number - 1) * 4 :]
    assert paginator.count_is_exact
    assert paginator.count == len(expected)


def test_joins_after_pages_are_the_same_pages_joined_once_cut(
    places: list[int], django_assert_num_queries: Any
) -> None:
    """One statement a page: the page's keys cut in a subquery without the joins, then its
    rows read with them, the list's columns only, in the list's order (the model's own when
    the list names none)."""
    for listed in (
        Location.objects.select_related("parent").only("path", "parent__name_en").order_by("-path"),
        Location.objects.select_related("parent").filter(parent__isnull=False),
    ):
        expected = list(listed)
        paginator = JoinsAfterPaginator(listed, 4)
        last_number = -(-len(expected) // 4)
        with CaptureQueriesContext(connection) as queries:
            first = paginator.page(1)
        with django_assert_num_queries(0):
            seen = [(place.pk, place.path, place.parent) for place in first]
        assert seen == [(place.pk, place.path, place.parent) for place in expected[:4]]
        assert first.has_next()
        assert first[0].get_deferred_fields() == expected[0].get_deferred_fields()
        [statement] = (query["sql"] for query in queries.captured_queries)
        rows, keys = statement.split("IN (SELECT", 1)
        assert "JOIN" in rows
        assert "JOIN" not in keys.split(")")[0]
        assert "LIMIT 5" in keys
        last = paginator.page(last_number)
        assert [place.pk for place in last] == [
            place.pk for place in expected[(last_number - 1) * 4 :]
        ]
        assert paginator.count_is_exact
        assert paginator.count == len(expected)
