"""The trafficking pathway in the statistics: identifications, repatriations and
prosecutions (initiated, convictions, restitution paid), counted from the store, with the same
suppression of small counts as every topic."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Case, CaseConcern
from legal.models import LegalProceeding
from reporting.facts import facts_refresh, restitution_state
from reporting.models import IdentificationFact
from tests.conftest import World, api_client
from tests.factories import CaseFactory
from trafficking.models import Repatriation, VictimIdentification

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = {"from": (TODAY - timedelta(days=30)).isoformat(), "to": TODAY.isoformat()}


def _cases(world: World, n: int) -> list[Case]:
    cases = [CaseFactory.create(owner=world.worker, location=world.pp_village) for _ in range(n)]
    for case in cases:
        CaseConcern.objects.create(case=case, concern_id="sex_trafficking")
    return cases


def _ask(world: World, topic: str, *group_by: str) -> dict[str, Any]:
    answer = api_client(world.analyst).get(
        f"/api/v1/statistics/{topic}/", {**PERIOD, "group_by": ",".join(group_by)}
    )
    assert answer.status_code == 200, answer.content
    body: dict[str, Any] = answer.json()
    return body


def _cells(answer: dict[str, Any]) -> dict[str, int | None]:
    (dimension,) = answer["group_by"]
    return {row[dimension]: row["count"] for row in answer["rows"]}


def test_identifications_are_counted_by_status(world: World) -> None:
    for case in _cases(world, 7):
        VictimIdentification.objects.create(
            case=case, date=TODAY, status="presumed", recorded_by=world.worker
        )
    for case in _cases(world, 6):
        VictimIdentification.objects.create(
            case=case,
            date=TODAY,
            status="identified",
            identifying_agency=world.dosvy_pp,
            recorded_by=world.dosvy_officer,
        )
    facts_refresh(full=True)
    answer = _ask(world, "identifications", "victim_status")
    assert _cells(answer) == {"presumed": 7, "identified": 6}
    assert answer["total"] == 13
    by_agency = _cells(_ask(world, "identifications", "identifying_agency_type"))
    assert by_agency["dosvy"] == 6
    assert by_agency[""] == 7


def test_repatriations_are_counted_and_small_counts_suppressed(world: World) -> None:
    for case in _cases(world, 6):
        Repatriation.objects.create(
            case=case, direction="to_cambodia", country="TH", created_by=world.worker
        )
    for case in _cases(world, 2):
        Repatriation.objects.create(
            case=case,
            direction="to_cambodia",
            country="MY",
            status="handed_over",
            created_by=world.worker,
        )
    facts_refresh(full=True)
    answer = _ask(world, "repatriations", "country")
    cells = _cells(answer)
    assert cells["MY"] is None  # two children: suppressed
    assert answer["total"] == 8
    # Complementary suppression: the Thai count would give the Malaysian one away.
    assert cells["TH"] is None
    assert answer["labels"]["country"]["TH"] == "Thailand"


def test_prosecutions_count_convictions_and_restitution(world: World) -> None:
    cases = _cases(world, 10)
    for number, case in enumerate(cases):
        LegalProceeding.objects.create(
            case=case,
            court="Banteay Meanchey provincial court",
            child_role="victim",
            filed_on=TODAY,
            defendant_status="convicted" if number < 5 else "judicial_supervision",
            restitution_ordered=4_000_000 if number < 5 else None,
            restitution_paid=4_000_000 if number < 5 else None,
            created_by=world.worker,
        )
    facts_refresh(full=True)
    by_status = _cells(_ask(world, "prosecutions", "defendant_status"))
    assert by_status["convicted"] == 5
    assert by_status["judicial_supervision"] == 5
    by_restitution = _cells(_ask(world, "prosecutions", "restitution"))
    assert by_restitution == {"none": 5, "paid": 5}


def test_a_change_reaches_the_store_at_the_next_refresh(world: World) -> None:
    (case,) = _cases(world, 1)
    facts_refresh(full=True)
    api_client(world.worker).post(
        f"/api/v1/cases/{case.pk}/victim-identifications/",
        {"date": TODAY.isoformat(), "status": "presumed"},
        format="json",
    )
    facts_refresh()
    assert IdentificationFact.objects.filter(case_id=case.pk).count() == 1


@pytest.mark.parametrize(
    ("ordered", "paid", "state"),
    [
        (None, None, "none"),
        (0, None, "none"),
        (100, None, "unpaid"),
        (100, 40, "part_paid"),
        (100, 100, "paid"),
    ],
)
def test_restitution_states(ordered: int | None, paid: int | None, state: str) -> None:
    assert restitution_state(ordered, paid) == state
