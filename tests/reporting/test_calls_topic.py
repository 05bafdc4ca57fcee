"""Helpline calls in the statistics (topic ``calls``): counted from the store by caller, reason,
action and month, with small counts suppressed as in every topic; placed by the case or report
they are linked to, and counted for the helpline in its own agency scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.choices import AgencyType, Role
from accounts.models import Agency, User
from cases.models import Case
from intake.models import HelplineCall
from reporting.facts import facts_refresh
from reporting.models import CallFact
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate()
PERIOD = {"from": (TODAY - timedelta(days=30)).isoformat(), "to": TODAY.isoformat()}


def _calls(operator: User, n: int, *, case: Case | None = None, **fields: str) -> None:
    assert operator.agency is not None
    values = {"caller_type": "parent", "reason": "abuse", "action": "advice", **fields}
    HelplineCall.objects.bulk_create(
        HelplineCall(
            received_at=NOW - timedelta(minutes=n + 1),
            duration_minutes=5,
            operator=operator,
            agency=operator.agency,
            case=case,
            **values,
        )
        for _ in range(n)
    )


def _ask(user: User, *group_by: str) -> dict[str, Any]:
    answer = api_client(user).get(
        "/api/v1/statistics/calls/", {**PERIOD, "group_by": ",".join(group_by)}
    )
    assert answer.status_code == 200, answer.content
    body: dict[str, Any] = answer.json()
    return body


def _cells(answer: dict[str, Any]) -> dict[str, int | None]:
    (dimension,) = answer["group_by"]
    return {row[dimension]: row["count"] for row in answer["rows"]}


def _operator(name: str) -> User:
    helpline: Agency = AgencyFactory.create(name=f"Helpline {name}", type=AgencyType.HELPLINE)
    return UserFactory.create(username=name, role=Role.HELPLINE_OPERATOR, agency=helpline)


def test_calls_are_counted_by_caller_and_small_counts_suppressed(world: World) -> None:
    operator = _operator("operator")
    _calls(operator, 9, caller_type="parent")
    _calls(operator, 6, caller_type="teacher", action="referral")
    _calls(operator, 2, caller_type="child", reason="family", action="no_action")
    facts_refresh(full=True)

    by_caller = _ask(world.analyst, "caller_type")
    # Two calls from children: suppressed, and with the total shown, the next smallest count
    # too (complementary suppression), or the total would give them away.
    assert _cells(by_caller) == {"parent": 9, "teacher": None, "child": None}
    assert by_caller["total"] == 17
    assert by_caller["labels"]["caller_type"]["teacher"] == "A teacher"

    by_action = _cells(_ask(world.analyst, "call_action"))
    assert by_action == {"advice": 9, "referral": None, "no_action": None}
    # Two reasons only: hiding the small one hides the other.
    by_reason = _ask(world.analyst, "call_reason")
    assert _cells(by_reason) == {"abuse": None, "family": None}
    assert by_reason["total"] == 17
    assert _cells(_ask(world.analyst, "month"))[TODAY.strftime("%Y-%m")] == 17


def test_a_helpline_counts_its_own_calls_and_a_province_the_calls_placed_in_it(
    world: World,
) -> None:
    operator, other = _operator("operator"), _operator("other_operator")
    case = CaseFactory.create(owner=operator, location=world.pp_village)
    _calls(operator, 6, case=case)
    _calls(operator, 7)
    _calls(other, 8)
    facts_refresh(full=True)

    assert _ask(world.analyst)["total"] == 21
    helpline_supervisor = UserFactory.create(
        username="helpline_supervisor", role=Role.SUPERVISOR, agency=operator.agency
    )
    assert _ask(helpline_supervisor)["total"] == 13
    # The Phnom Penh office's supervisor counts the calls about its province's cases.
    by_province = _ask(world.dosvy_officer, "province")
    assert by_province["total"] == 6
    assert _cells(by_province) == {world.phnom_penh.code: 6}
    # Nationally, the calls linked to nothing have no place.
    assert _cells(_ask(world.analyst, "province")) == {world.phnom_penh.code: 6, "": 15}


def test_a_call_reaches_the_store_at_the_next_refresh(world: World) -> None:
    operator = _operator("operator")
    facts_refresh(full=True)
    _calls(operator, 1)
    facts_refresh()
    assert CallFact.objects.count() == 1


def test_the_calls_topic_is_not_for_operators(world: World) -> None:
    answer = api_client(_operator("operator")).get("/api/v1/statistics/calls/", PERIOD)
    assert answer.status_code == 403
