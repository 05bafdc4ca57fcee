"""A restricted case stays hidden behind its referrals: the sender's colleagues who are not named
on it never read its referrals, the receiving side never learns which case it is unless named,
and the notifications of either side say no more than the referral does."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import IntegrityError, connections, transaction

from accounts.choices import Role
from accounts.models import Agency
from cases.models import Case
from cases.services.records import consent_create
from cases.services.restricted import case_name_person
from core.errors import StateConflictError
from notifications.models import Notification, NotificationKind
from notifications.reminders import run_sweep
from referrals import services
from referrals.models import Referral
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, CaseFactory, LocationFactory, UserFactory, province

REASON = "Abused by an official of the commune."


def _refer(world: World, case: Case, to: Agency, **extra: Any) -> Referral:
    values = {
        "type": "service",
        "urgency": "urgent",
        "services": ["shelter"],
        "reason": REASON,
        "shared_sections": ["profile"],
        "consent_override_reason": "",
        **extra,
    }
    return services.referral_create(actor=world.worker, case=case, to_agency=to, **values)


@pytest.fixture
def restricted_referral(world: World) -> Referral:
    """The worker's restricted case referred to the DoSVY office, as its owner sends it
    (a supervisor sends without approval; the worker's agency needs none)."""
    consent_create(
        actor=world.worker,
        case=world.restricted_case,
        given_by="child",
        giver_name="Srey",
        scope=["referral"],
        date=world.restricted_case.created_at.date(),
    )
    return _refer(world, world.restricted_case, world.dosvy_pp)


def test_the_senders_supervisor_and_agency_admin_not_named_cannot_read_the_referral(
    world: World, restricted_referral: Referral
) -> None:
    url = f"/api/v1/referrals/{restricted_referral.pk}/"
    assert api_client(world.worker).get(url).status_code == 200
    for outsider in (world.supervisor, world.agency_admin):
        response = api_client(outsider).get(url)
        assert response.status_code == 404
        listed = api_client(outsider).get("/api/v1/referrals/").json()["results"]
        assert restricted_referral.pk not in [row["id"] for row in listed]
        assert REASON not in api_client(outsider).get("/api/v1/referrals/").content.decode()


def test_the_referral_page_of_a_restricted_case_is_missing_to_the_unnamed_supervisor(
    world: World, restricted_referral: Referral, client: Any
) -> None:
    client.force_login(world.supervisor)
    assert client.get(f"/referrals/{restricted_referral.pk}/").status_code == 404
    page = client.get("/referrals/?direction=outgoing").content.decode()
    assert REASON not in page
    assert world.restricted_case.case_number not in page


def test_a_named_supervisor_reads_the_referral_with_its_case(
    world: World, restricted_referral: Referral
) -> None:
    case_name_person(actor=world.worker, case=world.restricted_case, person=world.supervisor)
    answer = api_client(world.supervisor).get(f"/api/v1/referrals/{restricted_referral.pk}/")
    assert answer.status_code == 200
    assert answer.json()["case_number"] == world.restricted_case.case_number


def test_the_receiving_side_never_learns_the_restricted_case_even_once_it_works_on_it(
    world: World, restricted_referral: Referral
) -> None:
    url = f"/api/v1/referrals/{restricted_referral.pk}/"
    before = api_client(world.dosvy_officer).get(url).json()
    assert before["case"] is None
    assert "case_number" not in before
    services.referral_accept(
        actor=world.dosvy_officer, referral=restricted_referral, assigned_to=world.dosvy_officer
    )
    after = api_client(world.dosvy_officer).get(url).json()
    assert after["status"] == "accepted"
    assert after["case"] is None
    assert world.restricted_case.case_number not in str(after)


def test_the_received_notification_of_a_restricted_case_names_the_referral_only(
    world: World, restricted_referral: Referral
) -> None:
    [received] = Notification.objects.filter(kind=NotificationKind.REFERRAL_RECEIVED)
    assert received.recipient_id == world.dosvy_officer.pk
    assert received.referral_id == restricted_referral.pk
    assert received.case_id is None
    assert received.case_number == ""
    listed = api_client(world.dosvy_officer).get("/api/v1/notifications/").content.decode()
    assert world.restricted_case.case_number not in listed


def test_no_receiving_side_notification_names_an_unrestricted_case_before_it_is_opened(
    world: World,
) -> None:
    consent_create(
        actor=world.worker,
        case=world.own_case,
        given_by="child",
        giver_name="Dara",
        scope=["referral"],
        date=world.own_case.created_at.date(),
    )
    receiving_supervisor = UserFactory.create(role=Role.SUPERVISOR, agency=world.other_ngo)
    referral = _refer(world, world.own_case, world.other_ngo)
    [received] = Notification.objects.filter(referral_id=referral.pk)
    assert received.recipient_id == receiving_supervisor.pk
    assert (received.case_id, received.case_number) == (None, "")


def test_overdue_reminders_of_a_restricted_referral_skip_the_unnamed_sending_side(
    world: World, restricted_referral: Referral
) -> None:
    Referral.objects.filter(pk=restricted_referral.pk).update(
        reminder_at=restricted_referral.created_at, respond_by=restricted_referral.created_at
    )
    run_sweep()
    overdue = Notification.objects.filter(kind=NotificationKind.REFERRAL_OVERDUE)
    told = {note.recipient_id: note for note in overdue}
    assert world.supervisor.pk not in told  # the sender's supervisor, not named
    assert told[world.worker.pk].case_number == world.restricted_case.case_number
    assert told[world.dosvy_officer.pk].case_id is None


def test_a_referral_needing_approval_asks_first_that_the_supervisor_be_named(
    world: World, restricted_referral: Referral
) -> None:
    Agency.objects.filter(pk=world.ngo.pk).update(requires_referral_approval=True)
    world.worker.refresh_from_db()
    with pytest.raises(StateConflictError):
        _refer(world, world.restricted_case, world.other_ngo)
    case_name_person(actor=world.worker, case=world.restricted_case, person=world.supervisor)
    pending = _refer(world, world.restricted_case, world.other_ngo)
    assert pending.status == "pending_approval"
    approved = api_client(world.supervisor).post(f"/api/v1/referrals/{pending.pk}/approve/")
    assert approved.status_code == 200


# --- One live referral per case and agency, however many requests race -------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_parallel_referrals_of_one_case_to_one_agency_make_exactly_one() -> None:
    village = LocationFactory.village_in(province("12"))
    sender = AgencyFactory.create(name="Sending NGO")
    receiver = AgencyFactory.create(name="Receiving NGO")
    supervisor = UserFactory.create(role=Role.SUPERVISOR, agency=sender)
    case = CaseFactory.create(owner=supervisor, location=village)
    body = {
        "case": case.pk,
        "to_agency": receiver.pk,
        "type": "service",
        "urgency": "urgent",
        "services": ["shelter"],
        "reason": "Safety",
        "shared_sections": ["profile"],
        "consent_override_reason": "Emergency",
    }
    barrier = threading.Barrier(20)
    codes: list[int] = []

    def send() -> None:
        try:
            barrier.wait(timeout=20)
            codes.append(api_client(supervisor).post("/api/v1/referrals/", body).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201] + [409] * 19
    assert Referral.objects.filter(case=case, to_agency=receiver).count() == 1


def test_the_database_itself_refuses_a_second_live_referral(world: World) -> None:
    first = Referral.objects.create(
        case=world.own_case,
        from_agency=world.ngo,
        to_agency=world.dosvy_pp,
        type="service",
        urgency="urgent",
        reason="x",
        status="sent",
        created_by=world.worker,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            case=world.own_case,
            from_agency=world.ngo,
            to_agency=world.dosvy_pp,
            type="service",
            urgency="urgent",
            reason="x",
            status="pending_approval",
            created_by=world.worker,
        )
    Referral.objects.filter(pk=first.pk).update(status="declined")
    Referral.objects.create(
        case=world.own_case,
        from_agency=world.ngo,
        to_agency=world.dosvy_pp,
        type="service",
        urgency="urgent",
        reason="again",
        status="sent",
        created_by=world.worker,
    )
