"""The helpline's call log through the API: its operators record calls and read the log with
the helpline's supervisors; nobody else does, and a case out of the operator's reach is refused
as a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.choices import AgencyType, Role
from accounts.models import Agency, User
from audit.models import AuditEvent
from intake.models import ConcernReport, HelplineCall
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/calls/"


@dataclass
class Helplines:
    helpline: Agency
    operator: User
    colleague: User
    supervisor: User
    other_operator: User


def make_helplines() -> Helplines:
    """A helpline with two operators and a supervisor, and another helpline's operator."""
    helpline = AgencyFactory.create(name="Child Helpline 1280", type=AgencyType.HELPLINE)
    other = AgencyFactory.create(name="Another helpline", type=AgencyType.HELPLINE)
    return Helplines(
        helpline=helpline,
        operator=UserFactory.create(
            username="operator", role=Role.HELPLINE_OPERATOR, agency=helpline
        ),
        colleague=UserFactory.create(
            username="colleague", role=Role.HELPLINE_OPERATOR, agency=helpline
        ),
        supervisor=UserFactory.create(
            username="helpline_supervisor", role=Role.SUPERVISOR, agency=helpline
        ),
        other_operator=UserFactory.create(
            username="other_operator", role=Role.HELPLINE_OPERATOR, agency=other
        ),
    )


def operator_with_calls(calls: int) -> User:
    """An operator of a helpline of her own that took ``calls`` calls (the query-count guards
    read her log)."""
    helpline = AgencyFactory.create(name=f"Helpline of {calls} calls", type=AgencyType.HELPLINE)
    operator = UserFactory.create(
        username=f"operator_of_{calls}", role=Role.HELPLINE_OPERATOR, agency=helpline
    )
    HelplineCall.objects.bulk_create(
        HelplineCall(
            received_at=timezone.now() - timedelta(minutes=minutes + 1),
            caller_type="child",
            reason="abuse",
            action="advice",
            duration_minutes=3,
            operator=operator,
            agency=helpline,
        )
        for minutes in range(calls)
    )
    return operator


@pytest.fixture
def helplines(world: World) -> Helplines:
    return make_helplines()


def a_call(**changes: Any) -> dict[str, Any]:
    return {
        "received_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        "caller_type": "neighbour",
        "reason": "neglect",
        "action": "advice",
        "duration_minutes": 7,
        **changes,
    }


def test_operator_records_a_call_and_lists_it(helplines: Helplines) -> None:
    client = api_client(helplines.operator)
    answer = client.post(URL, a_call(), format="json")
    assert answer.status_code == 201, answer.content
    call = HelplineCall.objects.get()
    assert call.operator == helplines.operator
    assert call.agency == helplines.helpline
    assert answer.json()["id"] == call.pk
    event = AuditEvent.objects.get(action="helpline_call.create")
    assert event.object_id == str(call.pk)

    for reader in (helplines.operator, helplines.colleague, helplines.supervisor):
        listed = api_client(reader).get(URL)
        assert listed.status_code == 200, listed.content
        (row,) = listed.json()["results"]
        assert row["id"] == call.pk
        assert row["caller_type"] == "neighbour"
        assert row["operator"] == helplines.operator.pk


def test_another_helplines_operator_does_not_see_the_call(helplines: Helplines) -> None:
    assert api_client(helplines.operator).post(URL, a_call(), format="json").status_code == 201
    listed = api_client(helplines.other_operator).get(URL)
    assert listed.status_code == 200
    assert listed.json()["results"] == []


def test_a_social_worker_may_neither_record_nor_read_calls(
    world: World, helplines: Helplines
) -> None:
    client = api_client(world.worker)
    assert client.post(URL, a_call(), format="json").status_code == 403
    assert client.get(URL).status_code == 403
    # A supervisor of another kind of agency reads no call log either.
    assert api_client(world.supervisor).get(URL).status_code == 403
    # The helpline's supervisor reads the log but takes no calls.
    assert api_client(helplines.supervisor).post(URL, a_call(), format="json").status_code == 403
    assert not HelplineCall.objects.exists()


def test_a_case_out_of_reach_is_refused_as_a_missing_one(
    world: World, helplines: Helplines
) -> None:
    client = api_client(helplines.operator)
    out_of_reach = client.post(URL, a_call(case=world.own_case.pk), format="json")
    missing = client.post(URL, a_call(case=world.own_case.pk + 10_000), format="json")
    assert out_of_reach.status_code == missing.status_code == 400
    assert out_of_reach.json() == missing.json() == {"case": ["No such case."]}
    assert not HelplineCall.objects.exists()
    assert not AuditEvent.objects.filter(action="helpline_call.create").exists()


def test_a_case_the_operator_holds_is_linked(world: World, helplines: Helplines) -> None:
    case = CaseFactory.create(owner=helplines.operator, location=world.pp_village)
    answer = api_client(helplines.operator).post(
        URL, a_call(action="case_opened", case=case.pk), format="json"
    )
    assert answer.status_code == 201, answer.content
    assert HelplineCall.objects.get().case == case
    assert AuditEvent.objects.get(action="helpline_call.create").case_id == case.pk


def _report(world: World, reporter: User) -> ConcernReport:
    return ConcernReport.objects.create(
        location=world.pp_village,
        concern_id="sex_trafficking",
        urgency="urgent",
        description="Seen working at night.",
        reporter=reporter,
        office=world.dosvy_pp,
        triage_by=timezone.now() + timedelta(days=1),
    )


def test_a_call_links_the_operators_own_report_only(world: World, helplines: Helplines) -> None:
    client = api_client(helplines.operator)
    someone_elses = _report(world, world.commune_member)
    refused = client.post(
        URL, a_call(action="concern_report", concern_report=someone_elses.pk), format="json"
    )
    assert refused.status_code == 400
    assert refused.json() == {"concern_report": ["No such concern report."]}
    own = _report(world, helplines.operator)
    answer = client.post(URL, a_call(action="concern_report", concern_report=own.pk), format="json")
    assert answer.status_code == 201, answer.content
    assert HelplineCall.objects.get().concern_report == own


def test_case_opened_needs_a_case_and_concern_report_a_report(helplines: Helplines) -> None:
    client = api_client(helplines.operator)
    no_case = client.post(URL, a_call(action="case_opened"), format="json")
    assert no_case.status_code == 400
    assert "case" in no_case.json()
    no_report = client.post(URL, a_call(action="concern_report"), format="json")
    assert no_report.status_code == 400
    assert "concern_report" in no_report.json()
    assert not HelplineCall.objects.exists()


def test_a_call_in_the_future_or_long_ago_is_refused(helplines: Helplines) -> None:
    client = api_client(helplines.operator)
    for when in (timezone.now() + timedelta(hours=2), timezone.now() - timedelta(days=45)):
        answer = client.post(URL, a_call(received_at=when.isoformat()), format="json")
        assert answer.status_code == 400
        assert "received_at" in answer.json()
    assert not HelplineCall.objects.exists()


def test_an_idempotency_key_replays_the_first_answer(helplines: Helplines) -> None:
    client = api_client(helplines.operator)
    body = a_call()
    first = client.post(URL, body, format="json", headers={"Idempotency-Key": "call-1"})
    again = client.post(URL, body, format="json", headers={"Idempotency-Key": "call-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert HelplineCall.objects.count() == 1


def test_a_khmer_note_round_trips(helplines: Helplines) -> None:
    note = "ក្មេងស្រីអាយុ ១២ ឆ្នាំ នៅម្នាក់ឯងក្នុងផ្ទះ"
    client = api_client(helplines.operator)
    assert client.post(URL, a_call(note=note), format="json").status_code == 201
    assert client.get(URL).json()["results"][0]["note"] == note
    # The note stays out of the audit trail's values.
    event = AuditEvent.objects.get(action="helpline_call.create")
    assert note not in str(event.changes)


def test_the_list_filters_by_caller_action_and_time(helplines: Helplines) -> None:
    client = api_client(helplines.operator)
    yesterday = timezone.now() - timedelta(days=1)
    client.post(URL, a_call(received_at=yesterday.isoformat()), format="json")
    client.post(URL, a_call(caller_type="child", action="referral"), format="json")
    ids = HelplineCall.objects.order_by("received_at").values_list("pk", flat=True)
    older, newer = list(ids)

    def listed(**query: str) -> list[int]:
        answer = client.get(URL, query)
        assert answer.status_code == 200, answer.content
        return [row["id"] for row in answer.json()["results"]]

    assert listed() == [newer, older]  # newest first
    assert listed(caller_type="child") == [newer]
    assert listed(action="advice") == [older]
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    assert listed(received_after=since) == [newer]
    assert listed(received_before=since) == [older]
    assert client.get(URL, {"action": "shouted"}).status_code == 400
    assert client.get(URL, {"received_after": "yesterday"}).status_code == 400


@pytest.mark.parametrize("calls", [1, 12])
def test_the_list_costs_the_same_whatever_its_length(
    helplines: Helplines, calls: int, django_assert_max_num_queries: Any
) -> None:
    client = api_client(helplines.operator)
    for _ in range(calls):
        assert client.post(URL, a_call(), format="json").status_code == 201
    with django_assert_max_num_queries(2):  # the helpline of the operator, the page
        answer = client.get(URL)
    assert answer.status_code == 200
    assert len(answer.json()["results"]) == calls
