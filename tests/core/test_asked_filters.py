"""The API's filter backend builds only the filters a request names, and answers as the
whole FilterSet would."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cases.api.filters import CaseFilter
from cases.api.views import CaseViewSet
from cases.models import Case
from cases.policy import visible_cases
from core.api.filters import AskedFiltersBackend
from tests.conftest import World, api_client

CASES = "/api/v1/cases/"


def _filterset(query: dict[str, Any]) -> Any:
    request = Request(APIRequestFactory().get(CASES, query))
    view = CaseViewSet(request=request, action="list", format_kwarg=None)
    return AskedFiltersBackend().get_filterset(request, Case.objects.all(), view)


def test_only_the_named_filters_are_built(db: None) -> None:
    assert set(_filterset({"status": "open", "page": "2"}).filters) == {"status"}
    assert set(_filterset({"q": "Dara", "owner": "me"}).filters) == {"q", "owner"}
    assert set(_filterset({}).filters) == set()
    # Still a CaseFilter, its methods at hand for the filters that have one.
    assert isinstance(_filterset({"owner": "me"}), CaseFilter)


def test_the_narrowed_filterset_answers_as_the_whole_one(world: World) -> None:
    client = api_client(world.worker)
    query = {"status": "open", "owner": "me"}
    listed = {row["id"] for row in client.get(CASES, query).json()["results"]}
    request = Request(APIRequestFactory().get(CASES, query))
    request.user = world.worker
    whole = CaseFilter(query, queryset=visible_cases(world.worker), request=request)
    assert listed == set(whole.qs.values_list("id", flat=True))
    assert listed  # the worker owns open cases in this world


def test_a_wrong_value_among_others_is_still_refused(world: World) -> None:
    response = api_client(world.worker).get(CASES, {"status": "open", "risk_level": "dire"})
    assert response.status_code == 400
    assert set(response.json()) >= {"risk_level"}
