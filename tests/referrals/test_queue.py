"""The supervisor's queue: referrals waiting for their approval, for their agency's answer, and
past their deadline; bounded, in a fixed number of queries, for supervisors and admins only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Agency, User
from cases.models import Case
from referrals.choices import ReferralStatus, ReferralType, Urgency
from referrals.models import Referral
from referrals.queue import QUEUE_LENGTH, supervisor_queue
from tests.conftest import World, api_client
from tests.factories import CaseFactory, UserFactory

URL = "/api/v1/referrals/queue/"


def _referral(
    *, by: User, case: Case, to: Agency, status: str, respond_in: timedelta | None = None
) -> Referral:
    now = timezone.now()
    assert by.agency is not None
    return Referral.objects.create(
        case=case,
        from_agency=by.agency,
        to_agency=to,
        type=ReferralType.SERVICE,
        urgency=Urgency.URGENT,
        reason="Needs support.",
        status=status,
        created_by=by,
        respond_by=now + respond_in if respond_in is not None else None,
        sent_at=now if status != ReferralStatus.PENDING_APPROVAL else None,
    )


HOUR = timedelta(hours=1)


@pytest.fixture
def dosvy_case(world: World) -> Case:
    dosvy_worker = UserFactory.create(username="dosvy_worker", agency=world.dosvy_pp)
    return CaseFactory.create(owner=dosvy_worker, location=world.pp_village)


@pytest.fixture
def queue_world(world: World, dosvy_case: Case) -> dict[str, Referral]:
    """Referrals around the NGO whose supervisor is ``world.supervisor``."""
    dosvy_worker = dosvy_case.owner
    unsupervised = UserFactory.create(username="unsupervised", agency=world.ngo)
    own, teammates = world.own_case, world.teammates_case
    pending, sent = ReferralStatus.PENDING_APPROVAL, ReferralStatus.SENT

    def another(owner: User) -> Case:
        """One more case of ``owner``: a case has one live referral to an agency at a time."""
        return CaseFactory.create(owner=owner, location=world.pp_village)

    return {
        "to_approve": _referral(
            by=world.worker, case=own, to=world.other_ngo, status=pending, respond_in=72 * HOUR
        ),
        "to_approve_sooner": _referral(
            by=world.teammate,
            case=teammates,
            to=world.dosvy_pp,
            status=pending,
            respond_in=24 * HOUR,
        ),
        "not_my_team": _referral(
            by=unsupervised, case=another(unsupervised), to=world.other_ngo, status=pending
        ),
        "incoming": _referral(
            by=dosvy_worker, case=dosvy_case, to=world.ngo, status=sent, respond_in=48 * HOUR
        ),
        "incoming_late": _referral(
            by=dosvy_worker,
            case=another(dosvy_worker),
            to=world.ngo,
            status=sent,
            respond_in=-2 * HOUR,
        ),
        "incoming_pending": _referral(
            by=dosvy_worker,
            case=another(dosvy_worker),
            to=world.ngo,
            status=pending,
            respond_in=-5 * HOUR,
        ),
        "incoming_accepted": _referral(
            by=dosvy_worker,
            case=another(dosvy_worker),
            to=world.ngo,
            status=ReferralStatus.ACCEPTED,
            respond_in=-5 * HOUR,
        ),
        "outgoing_late": _referral(
            by=world.worker, case=own, to=world.dosvy_pp, status=sent, respond_in=-30 * HOUR
        ),
        "outgoing_in_time": _referral(
            by=world.worker,
            case=another(world.worker),
            to=world.dosvy_pp,
            status=sent,
            respond_in=10 * HOUR,
        ),
        "elsewhere_late": _referral(
            by=dosvy_worker, case=dosvy_case, to=world.other_ngo, status=sent, respond_in=-5 * HOUR
        ),
    }


def _ids(referrals: list[Referral]) -> list[int]:
    return [referral.pk for referral in referrals]


def test_supervisor_sees_what_waits_for_them_most_pressing_first(
    world: World, queue_world: dict[str, Referral]
) -> None:
    queue = supervisor_queue(user=world.supervisor)

    r = queue_world
    assert _ids(queue.pending_approval) == [r["to_approve_sooner"].pk, r["to_approve"].pk]
    assert _ids(queue.awaiting_answer) == [r["incoming_late"].pk, r["incoming"].pk]
    assert _ids(queue.overdue) == [r["outgoing_late"].pk, r["incoming_late"].pk]


def test_agency_admin_sees_the_agency_overdue_both_ways(
    world: World, queue_world: dict[str, Referral]
) -> None:
    queue = supervisor_queue(user=world.agency_admin)

    r = queue_world
    assert queue.pending_approval == []  # nobody reports to the admin
    assert _ids(queue.awaiting_answer) == [r["incoming_late"].pk, r["incoming"].pk]
    assert _ids(queue.overdue) == [r["outgoing_late"].pk, r["incoming_late"].pk]


def test_each_list_is_bounded(world: World, dosvy_case: Case) -> None:
    now = timezone.now()
    Referral.objects.bulk_create(
        Referral(
            case=CaseFactory.create(owner=dosvy_case.owner, location=world.pp_village),
            from_agency=world.dosvy_pp,
            to_agency=world.ngo,
            type=ReferralType.SERVICE,
            urgency=Urgency.ROUTINE,
            reason="Routine.",
            status=ReferralStatus.SENT,
            created_by=dosvy_case.owner,
            respond_by=now + number * HOUR,
        )
        for number in range(QUEUE_LENGTH + 5)
    )

    queue = supervisor_queue(user=world.supervisor)

    assert len(queue.awaiting_answer) == QUEUE_LENGTH
    deadlines = [referral.respond_by for referral in queue.awaiting_answer]
    assert deadlines == sorted(deadlines)  # type: ignore[type-var]


def test_the_queue_takes_three_queries(
    world: World, queue_world: dict[str, Referral], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):
        queue = supervisor_queue(user=world.supervisor)
    with django_assert_num_queries(0):
        for referral in [*queue.pending_approval, *queue.awaiting_answer, *queue.overdue]:
            assert referral.from_agency.name
            assert referral.to_agency.name
            assert referral.case_number  # type: ignore[attr-defined]


# --- API ---------------------------------------------------------------------------------------


def test_api_answers_the_three_lists(world: World, queue_world: dict[str, Referral]) -> None:
    response = api_client(world.supervisor).get(URL)

    assert response.status_code == 200, response.content
    body = response.json()
    r = queue_world
    assert [item["id"] for item in body["overdue"]] == [
        r["outgoing_late"].pk,
        r["incoming_late"].pk,
    ]
    outgoing, incoming = body["overdue"]
    assert set(outgoing) >= {
        "id",
        "case",
        "case_number",
        "type",
        "urgency",
        "status",
        "from_agency",
        "to_agency",
        "respond_by",
        "created_at",
    }
    assert outgoing["case"] == world.own_case.pk
    assert outgoing["case_number"] == world.own_case.case_number
    assert outgoing["from_agency"] == world.ngo.pk
    assert outgoing["to_agency"] == world.dosvy_pp.pk
    assert outgoing["status"] == "sent"
    assert outgoing["urgency"] == "urgent"
    assert outgoing["type"] == "service"
    # The receiving agency has not accepted: it is not told which case it is.
    assert incoming["case"] is None
    assert incoming["case_number"] is None
    assert incoming["from_agency_name"] == "DoSVY Phnom Penh"
    assert [item["id"] for item in body["pending_approval"]] == [
        r["to_approve_sooner"].pk,
        r["to_approve"].pk,
    ]
    assert body["pending_approval"][0]["case_number"] == world.teammates_case.case_number
    assert len(body["awaiting_answer"]) == 2


@pytest.mark.parametrize(
    "persona", ["worker", "police", "commune_member", "analyst", "system_admin"]
)
def test_api_is_for_supervisors_and_agency_admins_only(world: World, persona: str) -> None:
    assert api_client(getattr(world, persona)).get(URL).status_code == 403


def test_api_needs_a_signed_in_user(world: World) -> None:
    assert api_client().get(URL).status_code in {401, 403}


def test_api_agency_admin_gets_a_queue(world: World) -> None:
    response = api_client(world.agency_admin).get(URL)

    assert response.status_code == 200
    assert response.json() == {"pending_approval": [], "awaiting_answer": [], "overdue": []}


def test_api_query_count_does_not_grow_with_the_referrals(
    world: World, queue_world: dict[str, Referral], dosvy_case: Case
) -> None:
    client = api_client(world.supervisor)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    before = count()
    second_dosvy = UserFactory.create(
        username="dosvy_two", role=Role.SOCIAL_WORKER, agency=world.dosvy_pp
    )
    for hours in range(1, 6):
        own = CaseFactory.create(owner=world.worker, location=world.pp_village)
        _referral(
            by=world.worker,
            case=own,
            to=world.other_ngo,
            status=ReferralStatus.PENDING_APPROVAL,
            respond_in=hours * HOUR,
        )
        theirs = CaseFactory.create(owner=second_dosvy, location=world.pp_village)
        _referral(
            by=second_dosvy,
            case=theirs,
            to=world.ngo,
            status=ReferralStatus.SENT,
            respond_in=-hours * HOUR,
        )
    assert count() == before
