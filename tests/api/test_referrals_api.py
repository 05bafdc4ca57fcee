"""Referral pathways end to end through the API, checking at each step what every party can
and cannot see (200/404) and do (403/409)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import AgencyType, Role
from accounts.models import Agency, User
from audit.models import AuditEvent
from cases.models import Case, CaseNote
from core.errors import StateConflictError
from notifications.models import WebhookDelivery, WebhookEndpoint
from referrals import services
from referrals.models import Referral
from referrals.selectors import referrals_visible_to
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, CaseFactory, LocationFactory, UserFactory, province

TODAY = timezone.localdate


def _intake(user: User, village: Any, **extra: Any) -> dict[str, Any]:
    response = api_client(user).post(
        "/api/v1/cases/",
        {
            "child": {
                "given_name": "Srey Leak",
                "family_name": "Meas",
                "given_name_km": "ស្រីលក្ខណ៍",
                "family_name_km": "មាស",
                "sex": "female",
                "estimated_age": 15,
                "location": village.pk,
            },
            "concerns": ["sex_trafficking"],
            "source": "police",
            **extra,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def _consent(user: User, case_id: int) -> None:
    response = api_client(user).post(
        f"/api/v1/cases/{case_id}/consents/",
        {
            "given_by": "caregiver",
            "giver_name": "Meas Sophal",
            "scope": ["referral", "services"],
            "date": TODAY().isoformat(),
        },
    )
    assert response.status_code == 201, response.content


def _refer(user: User, case_id: int, to: Agency, **extra: Any) -> Any:
    body = {
        "case": case_id,
        "to_agency": to.pk,
        "type": "service",
        "urgency": "urgent",
        "services": ["shelter", "psychosocial"],
        "reason": "Needs a safe place tonight.",
        "shared_sections": ["profile", "concerns"],
        **extra,
    }
    return api_client(user).post("/api/v1/referrals/", body)


def _status(user: User, path: str) -> int:
    return int(api_client(user).get(path).status_code)


@pytest.fixture
def dosvy_worker(world: World) -> User:
    return UserFactory.create(
        username="dosvy_worker", agency=world.dosvy_pp, supervisor=world.dosvy_officer
    )


def test_police_transfer_to_dosvy_then_dosvy_service_referral_to_a_shelter(
    world: World, dosvy_worker: User
) -> None:
    # A police officer identifies a child victim, opens an intake record and transfers it.
    case = _intake(world.police, world.pp_village)
    case_url = f"/api/v1/cases/{case['id']}/"
    refused = _refer(world.police, case["id"], world.dosvy_pp, type="transfer", services=[])
    assert refused.status_code == 400
    assert "consent_override_reason" in refused.json()
    sent = _refer(
        world.police,
        case["id"],
        world.dosvy_pp,
        type="transfer",
        services=[],
        urgency="emergency",
        consent_override_reason="Child found in a raid; family not traced.",
    )
    assert sent.status_code == 201, sent.content
    referral = sent.json()
    assert referral["status"] == "sent"
    respond_by = datetime.fromisoformat(referral["respond_by"])
    assert abs(respond_by - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=1)
    referral_url = f"/api/v1/referrals/{referral['id']}/"

    # Before accepting, DoSVY sees the summary but not the case.
    incoming = api_client(dosvy_worker).get("/api/v1/referrals/?direction=incoming").json()
    [summary] = incoming["results"]
    assert summary["child"] == {
        "initials": "S.M.",
        "age": 15,
        "sex": "female",
        "concerns": ["sex_trafficking"],
    }
    assert summary["case"] is None
    assert summary["consent_overridden"] is True
    assert "Srey Leak" not in str(incoming)
    assert _status(dosvy_worker, case_url) == 404
    # Somebody outside both agencies sees neither.
    assert _status(world.worker, referral_url) == 404
    assert _status(world.worker, case_url) == 404
    # The sender cannot answer its own referral.
    accept_by_police = api_client(world.police).post(
        f"{referral_url}accept/", {"assigned_to": world.police.pk}
    )
    assert accept_by_police.status_code == 403

    accepted = api_client(world.dosvy_officer).post(
        f"{referral_url}accept/", {"assigned_to": dosvy_worker.pk}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    # The transfer moved the case: DoSVY owns it, the police keep their referral only.
    dosvy_view = api_client(dosvy_worker).get(case_url)
    assert dosvy_view.status_code == 200
    assert dosvy_view.json()["owner"] == dosvy_worker.pk
    assert dosvy_view.json()["agency"] == world.dosvy_pp.pk
    assert _status(world.police, case_url) == 404
    assert api_client(world.police).get(referral_url).json()["status"] == "accepted"
    assert (
        api_client(world.police)
        .post(f"{referral_url}cancel/", {"reason": "Changed mind"})
        .status_code
        == 409
    )

    # DoSVY records consent and refers the child to an NGO shelter, sharing two sections.
    _consent(dosvy_worker, case["id"])
    api_client(dosvy_worker).post(
        f"/api/v1/cases/{case['id']}/notes/",
        {"kind": "home_visit", "date": TODAY().isoformat(), "text": "Met the aunt."},
    )
    shelter_referral = _refer(dosvy_worker, case["id"], world.ngo)
    assert shelter_referral.status_code == 201, shelter_referral.content
    shelter_url = f"/api/v1/referrals/{shelter_referral.json()['id']}/"
    assert shelter_referral.json()["consent_overridden"] is False
    assert _status(world.worker, case_url) == 404

    api_client(world.supervisor).post(f"{shelter_url}accept/", {"assigned_to": world.worker.pk})
    # The shelter's worker reads the shared sections only, and adds to the case.
    shelter_view = api_client(world.worker).get(case_url).json()
    assert shelter_view["child"]["given_name_km"] == "ស្រីលក្ខណ៍"
    assert shelter_view["concerns"] == ["sex_trafficking"]
    assert shelter_view["access"]["sections"] == ["concerns", "profile"]
    assert _status(world.worker, f"{case_url}notes/") == 403
    assert _status(world.worker, f"{case_url}risk-assessments/") == 403
    assert _status(world.worker, f"{case_url}history/") == 403
    added_note = api_client(world.worker).post(
        f"{case_url}notes/",
        {"kind": "office_visit", "date": TODAY().isoformat(), "text": "Settled in the shelter."},
    )
    assert added_note.status_code == 201
    added_service = api_client(world.worker).post(
        f"{case_url}services/",
        {"service": "psychosocial", "status": "delivered", "provider_agency": world.ngo.pk},
    )
    assert added_service.status_code == 201, added_service.content
    # Another worker of the shelter, not assigned, does not see the case.
    assert _status(world.teammate, case_url) == 404

    completed = api_client(world.worker).post(
        f"{shelter_url}complete/", {"outcome": "Six weeks of shelter and counselling; stable."}
    )
    assert completed.status_code == 200, completed.content
    # Counter-referral: the outcome and the services come back to DoSVY's case.
    sender_notes = api_client(dosvy_worker).get(f"{case_url}notes/").json()["results"]
    assert {"referral_outcome", "office_visit", "home_visit"} <= {n["kind"] for n in sender_notes}
    sender_services = api_client(dosvy_worker).get(f"{case_url}services/").json()["results"]
    assert [s["service"] for s in sender_services] == ["psychosocial"]
    # The shelter now sees what it contributed, and no more of the case.
    assert _status(world.worker, case_url) == 404
    contributions = api_client(world.worker).get(shelter_url).json()["contributions"]
    assert {n["text"] for n in contributions["notes"]} == {
        "Settled in the shelter.",
        "Six weeks of shelter and counselling; stable.",
    }
    assert [s["service"] for s in contributions["services"]] == ["psychosocial"]
    assert "Met the aunt." not in str(contributions)


def test_labour_inspector_refers_children_from_a_brick_kiln(
    world: World, dosvy_worker: User
) -> None:
    inspectorate = AgencyFactory.create(
        name="Labour inspectorate", type=AgencyType.LABOUR_INSPECTORATE
    )
    inspector = UserFactory.create(
        username="inspector", role=Role.LABOUR_INSPECTOR, agency=inspectorate
    )
    case = _intake(
        inspector,
        world.pp_village,
        concerns=["child_labour"],
        labour_sector="brick_kiln",
        source="labour_inspection",
    )
    # Inspectors may not share without consent, whatever the reason given.
    overridden = _refer(
        inspector,
        case["id"],
        world.dosvy_pp,
        type="transfer",
        services=[],
        consent_override_reason="Urgent",
    )
    assert overridden.status_code == 403
    assert not Referral.objects.exists()
    _consent(inspector, case["id"])
    sent = _refer(inspector, case["id"], world.dosvy_pp, type="transfer", services=[])
    assert sent.status_code == 201, sent.content
    url = f"/api/v1/referrals/{sent.json()['id']}/"
    # A second live referral of the same case to the same agency is refused.
    assert (
        _refer(inspector, case["id"], world.dosvy_pp, type="transfer", services=[]).status_code
        == 409
    )

    assert api_client(dosvy_worker).post(f"{url}decline/", {"reason": ""}).status_code == 400
    declined = api_client(dosvy_worker).post(f"{url}decline/", {"reason": "Not in our province"})
    assert declined.status_code == 200
    assert _status(dosvy_worker, f"/api/v1/cases/{case['id']}/") == 404
    # The inspector still owns the case and sees the answer.
    assert api_client(inspector).get(url).json()["decline_reason"] == "Not in our province"
    assert _status(inspector, f"/api/v1/cases/{case['id']}/") == 200
    assert (
        api_client(dosvy_worker).post(f"{url}accept/", {"assigned_to": dosvy_worker.pk}).status_code
        == 409
    )


def test_referrals_wait_for_the_supervisor_when_the_agency_requires_it(world: World) -> None:
    world.ngo.requires_referral_approval = True
    world.ngo.save()
    _consent(world.worker, world.own_case.pk)
    sent = _refer(world.worker, world.own_case.pk, world.dosvy_pp)
    assert sent.status_code == 201
    assert sent.json()["status"] == "pending_approval"
    assert sent.json()["respond_by"] is None
    url = f"/api/v1/referrals/{sent.json()['id']}/"
    # The receiver does not see it yet; the sender cannot approve her own.
    assert _status(world.dosvy_officer, url) == 404
    assert api_client(world.worker).post(f"{url}approve/").status_code == 403
    approved = api_client(world.supervisor).post(f"{url}approve/")
    assert approved.status_code == 200
    assert approved.json()["status"] == "sent"
    assert _status(world.dosvy_officer, url) == 200
    assert api_client(world.supervisor).post(f"{url}approve/").status_code == 409


def test_a_referral_without_consent_or_override_is_refused_and_nothing_saved(
    world: World,
) -> None:
    response = _refer(world.worker, world.own_case.pk, world.dosvy_pp)
    assert response.status_code == 400
    assert not Referral.objects.exists()
    forbidden = _refer(
        world.worker, world.own_case.pk, world.dosvy_pp, consent_override_reason="Urgent"
    )
    assert forbidden.status_code == 403
    assert not Referral.objects.exists()


def test_a_consent_override_is_audited_and_shown_to_the_receiver(world: World) -> None:
    sent = _refer(
        world.supervisor,
        world.own_case.pk,
        world.dosvy_pp,
        consent_override_reason="Caregiver is the suspect.",
    )
    assert sent.status_code == 201
    event = AuditEvent.objects.get(action="referral.create")
    assert event.changes["consent_override"] is True
    seen = api_client(world.dosvy_officer).get(f"/api/v1/referrals/{sent.json()['id']}/").json()
    assert seen["consent_override_reason"] == "Caregiver is the suspect."


def test_bad_referral_input_answers_400_naming_the_field(world: World) -> None:
    _consent(world.worker, world.own_case.pk)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"to_agency": world.ngo.pk}, "to_agency"),
        ({"services": ["teleportation"]}, "services"),
        ({"services": []}, "services"),
        ({"shared_sections": ["diary"]}, "shared_sections"),
        ({"urgency": "whenever"}, "urgency"),
        ({"reason": ""}, "reason"),
    ]
    for change, field in cases:
        response = _refer(world.worker, world.own_case.pk, world.dosvy_pp, **change)
        assert response.status_code == 400, (change, response.content)
        assert field in response.json(), (change, response.json())
    assert not Referral.objects.exists()
    assert _refer(world.other_worker, world.own_case.pk, world.dosvy_pp).status_code == 404


def test_the_same_idempotency_key_creates_one_referral(world: World) -> None:
    _consent(world.worker, world.own_case.pk)
    client = api_client(world.worker)
    body = {
        "case": world.own_case.pk,
        "to_agency": world.dosvy_pp.pk,
        "type": "service",
        "urgency": "routine",
        "services": ["education"],
        "reason": "School place",
    }
    first = client.post("/api/v1/referrals/", body, headers={"Idempotency-Key": "ref-1"})
    again = client.post("/api/v1/referrals/", body, headers={"Idempotency-Key": "ref-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Referral.objects.count() == 1


def test_an_accepted_referral_cannot_be_cancelled_and_completion_ends_access(
    world: World,
) -> None:
    _consent(world.worker, world.own_case.pk)
    sent = _refer(world.worker, world.own_case.pk, world.dosvy_pp).json()
    dosvy_worker = UserFactory.create(agency=world.dosvy_pp)
    url = f"/api/v1/referrals/{sent['id']}/"
    api_client(world.dosvy_officer).post(f"{url}accept/", {"assigned_to": dosvy_worker.pk})
    assert _status(dosvy_worker, f"/api/v1/cases/{world.own_case.pk}/") == 200
    cancelled = api_client(world.worker).post(f"{url}cancel/", {"reason": "Family moved"})
    assert cancelled.status_code == 409
    done = api_client(dosvy_worker).post(f"{url}complete/", {"outcome": "Back at school"})
    assert done.status_code == 200
    assert _status(dosvy_worker, f"/api/v1/cases/{world.own_case.pk}/") == 404


def test_a_sent_referral_can_be_cancelled_and_then_not_accepted(world: World) -> None:
    _consent(world.worker, world.own_case.pk)
    sent = _refer(world.worker, world.own_case.pk, world.dosvy_pp).json()
    url = f"/api/v1/referrals/{sent['id']}/"
    assert api_client(world.dosvy_officer).post(f"{url}cancel/", {"reason": "x"}).status_code == 403
    assert api_client(world.worker).post(f"{url}cancel/", {"reason": "Moved"}).status_code == 200
    accept = api_client(world.dosvy_officer).post(
        f"{url}accept/", {"assigned_to": world.dosvy_officer.pk}
    )
    assert accept.status_code == 409


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_accept_and_cancel_let_exactly_one_win() -> None:
    phnom_penh = province("12")
    village = LocationFactory.village_in(phnom_penh)
    sender_agency = AgencyFactory.create(name="Sender NGO")
    receiver_agency = AgencyFactory.create(name="Receiver NGO")
    supervisor = UserFactory.create(role=Role.SUPERVISOR, agency=sender_agency)
    receiver = UserFactory.create(role=Role.SUPERVISOR, agency=receiver_agency)
    case = CaseFactory.create(owner=supervisor, location=village)
    referral = services.referral_create(
        actor=supervisor,
        case=case,
        to_agency=receiver_agency,
        type="service",
        urgency="urgent",
        services=["shelter"],
        reason="Safety",
        shared_sections=["profile"],
        consent_override_reason="Emergency",
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(act: Any) -> None:
        try:
            barrier.wait(timeout=10)
            act()
            outcomes.append("won")
        except StateConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    accept = threading.Thread(
        target=run,
        args=(
            lambda: services.referral_accept(
                actor=receiver, referral=referral, assigned_to=receiver
            ),
        ),
    )
    cancel = threading.Thread(
        target=run,
        args=(
            lambda: services.referral_cancel(
                actor=supervisor, referral=referral, reason="Changed plans"
            ),
        ),
    )
    for thread in (accept, cancel):
        thread.start()
    for thread in (accept, cancel):
        thread.join()
    assert sorted(outcomes) == ["conflict", "won"]
    referral.refresh_from_db()
    assert referral.status in {"accepted", "cancelled"}
    granted = Case.objects.filter(pk=case.pk, caseuserobjectpermission__user=receiver).exists()
    assert granted == (referral.status == "accepted")


def _service_referral(sender: User, to: Agency, created_at: datetime | None = None) -> Referral:
    assert sender.agency is not None
    case = CaseFactory.create(owner=sender, location=sender.agency.location)
    referral = services.referral_create(
        actor=sender,
        case=case,
        to_agency=to,
        type="service",
        urgency="routine",
        services=["education"],
        reason="School",
        shared_sections=["profile"],
        consent_override_reason="Test",
    )
    if created_at is not None:
        Referral.objects.filter(pk=referral.pk).update(created_at=created_at)
    return referral


def _walk(user: User, path: str) -> tuple[list[int], list[dict[str, Any]]]:
    """Every row of a list, page by page, and the pages' envelopes."""
    ids: list[int] = []
    pages: list[dict[str, Any]] = []
    url: str | None = path
    while url:
        page = api_client(user).get(url).json()
        pages.append(page)
        ids += [row["id"] for row in page["results"]]
        url = page["next"]
    return ids, pages


def test_the_list_of_both_sides_merges_sent_and_received_newest_first(world: World) -> None:
    """No direction asked: each side is read alone and the two are merged by date (id breaking
    ties), page after page, as the one condition OR'ing both sides would order them."""
    dosvy_sender = UserFactory.create(
        role=Role.SUPERVISOR, agency=world.dosvy_pp, location=world.phnom_penh
    )
    now = timezone.now()
    # Interleaved in time, with two pairs sharing a moment across the sides.
    moments = [now - timedelta(hours=hours) for hours in (1, 2, 2, 3, 5, 8, 8, 9, 12, 13)]
    sent = [_service_referral(world.supervisor, world.dosvy_pp, at) for at in moments[::2]]
    received = [_service_referral(dosvy_sender, world.ngo, at) for at in moments[1::2]]
    Referral.objects.filter(pk=received[-1].pk).update(status="declined")

    expected = list(
        referrals_visible_to(world.supervisor)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert sorted(expected) == sorted(r.pk for r in sent + received)
    ids, pages = _walk(world.supervisor, "/api/v1/referrals/?page_size=3")
    assert ids == expected
    assert [page["count"] for page in pages] == [None, None, None, 10]
    directions = {row["id"]: row["direction"] for page in pages for row in page["results"]}
    assert {directions[r.pk] for r in sent} == {"outgoing"}
    assert {directions[r.pk] for r in received} == {"incoming"}

    # A filter narrows each side before they are merged.
    sent_only, _pages = _walk(world.supervisor, "/api/v1/referrals/?status=sent&page_size=4")
    assert sent_only == [pk for pk in expected if pk != received[-1].pk]
    # A page past the end is not found, as on every list.
    assert _status(world.supervisor, "/api/v1/referrals/?page_size=3&page=5") == 404
    # The other side's supervisor sees both too: what she sent, and what the NGO sent her.
    theirs, _pages = _walk(dosvy_sender, "/api/v1/referrals/?page_size=2")
    assert theirs == list(
        referrals_visible_to(dosvy_sender)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert set(theirs) == {r.pk for r in sent + received}


def test_the_sending_side_is_the_sender_her_supervisor_the_cases_holder_and_the_admin(
    world: World,
) -> None:
    """Each reason to read a sent referral on its own: having sent it, supervising who sent
    it, holding its case (a supervisor referred her worker's child), running the agency. A
    colleague of the same agency with none of these reasons reads nothing of it."""
    workers_case = CaseFactory.create(owner=world.worker, location=world.pp_village)
    _consent(world.worker, workers_case.pk)
    by_worker = Referral.objects.get(
        pk=_refer(world.worker, workers_case.pk, world.dosvy_pp).json()["id"]
    )
    teammates_case = CaseFactory.create(owner=world.teammate, location=world.pp_village)
    _consent(world.teammate, teammates_case.pk)
    by_supervisor = Referral.objects.get(
        pk=_refer(world.supervisor, teammates_case.pk, world.dosvy_pp).json()["id"]
    )
    assert (by_worker.created_by_id, by_supervisor.created_by_id) == (
        world.worker.pk,
        world.supervisor.pk,
    )
    expected = {
        world.worker: {by_worker.pk},
        world.supervisor: {by_worker.pk, by_supervisor.pk},
        world.teammate: {by_supervisor.pk},
        world.agency_admin: {by_worker.pk, by_supervisor.pk},
        world.other_worker: set(),
    }
    for reader, readable in expected.items():
        for direction in ("?direction=outgoing", ""):
            listed, _pages = _walk(reader, f"/api/v1/referrals/{direction}")
            assert set(listed) == readable, (reader.username, direction)
        for referral in (by_worker, by_supervisor):
            status = _status(reader, f"/api/v1/referrals/{referral.pk}/")
            assert status == (200 if referral.pk in readable else 404), reader.username


def test_a_role_that_receives_nothing_lists_only_what_its_side_sent(world: World) -> None:
    now = timezone.now()
    own = [
        _service_referral(world.police, world.dosvy_pp, now - timedelta(hours=h)) for h in (3, 1)
    ]
    dosvy_sender = UserFactory.create(
        role=Role.SUPERVISOR, agency=world.dosvy_pp, location=world.phnom_penh
    )
    _service_referral(dosvy_sender, world.police_agency, now)
    ids, _pages = _walk(world.police, "/api/v1/referrals/")
    assert ids == [own[1].pk, own[0].pk]


@pytest.mark.parametrize("direction", ["incoming", "outgoing", ""])
def test_referral_lists_run_the_same_queries_whatever_their_length(
    world: World, direction: str
) -> None:
    counts = []
    for batch in (2, 12):
        for _ in range(batch):
            _service_referral(world.supervisor, world.dosvy_pp)
        reader = world.dosvy_officer if direction == "incoming" else world.supervisor
        with CaptureQueriesContext(connections["default"]) as queries:
            response = api_client(reader).get(f"/api/v1/referrals/?direction={direction}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_receiving_agencys_outcome_note_is_written_by_the_service(world: World) -> None:
    _consent(world.worker, world.own_case.pk)
    sent = _refer(world.worker, world.own_case.pk, world.dosvy_pp).json()
    dosvy_worker = UserFactory.create(agency=world.dosvy_pp)
    url = f"/api/v1/referrals/{sent['id']}/"
    api_client(world.dosvy_officer).post(f"{url}accept/", {"assigned_to": dosvy_worker.pk})
    api_client(dosvy_worker).post(f"{url}complete/", {"outcome": "ថែទាំបានល្អ"})
    note = CaseNote.objects.get(case=world.own_case, kind="referral_outcome")
    assert note.text == "ថែទាំបានល្អ"
    assert note.agency_id == world.dosvy_pp.pk


def test_response_deadlines_follow_the_configured_hours(world: World, settings: Any) -> None:
    settings.REFERRAL_RESPONSE_HOURS = {"urgent": 6}
    assert services.response_time("urgent") == timedelta(hours=6)
    assert services.response_time("routine") == timedelta(days=7)


def test_a_referral_tells_both_agencies_systems_without_any_child_data(world: World) -> None:
    for agency in (world.ngo, world.dosvy_pp):
        WebhookEndpoint.objects.create(
            agency_id=agency.pk,
            url="http://127.0.0.1:9/hook",
            secret="s" * 40,
            events=["referral.created", "referral.accepted"],
            created_by_id=world.system_admin.pk,
        )
    sent = _refer(
        world.supervisor,
        world.own_case.pk,
        world.dosvy_pp,
        consent_override_reason="Caregiver is the suspect.",
    )
    assert sent.status_code == 201
    deliveries = WebhookDelivery.objects.filter(event="referral.created")
    assert deliveries.count() == 2
    payload = str(deliveries.first().payload)  # type: ignore[union-attr]
    child = world.own_case.child
    for secret in (child.given_name, child.given_name_km, child.family_name, "suspect"):
        assert secret not in payload
