"""The schema says what the server sends, for the exchange between agencies: referrals, the
queue, the service directory, custody transfers, placements, reintegration and follow-ups,
people, agencies and places, webhooks and notifications.

Every answer here is a real one, from each side of the exchange and in each state that changes
its shape, checked strictly against the published schema (tests/api/schema_check.py): a field
sent but not declared, a value outside its declared type, enum or format, or a null where none
is declared, fails. Where a field is sent to some callers only, the test also checks who gets
it, so both shapes are exercised."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.choices import AgencyType, Role
from accounts.models import Agency, AgencyService, User
from cases.models import Case
from cases.services.records import consent_create
from notifications.models import DeliveryStatus, WebhookDelivery
from referrals.models import Referral
from reintegration.choices import SCORE_MAX, SCORE_MIN, WellbeingDomain
from tests.api.schema_check import check_answer, openapi_document
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, CaseFactory, UserFactory
from tests.reintegration.helpers import SCORES, months_ago

TODAY = timezone.localdate


def _call(user: User, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    """The answer to ``user``'s request, checked against the schema."""
    client = api_client(user)
    response = (
        getattr(client, method)(path, body) if body is not None else getattr(client, method)(path)
    )
    assert response.status_code == status, response.content
    return check_answer(response)


def _get(user: User, path: str) -> Any:
    return _call(user, "get", path)


def _consent(user: User, case: Case) -> None:
    consent_create(actor=user, case=case, given_by="caregiver", scope=["referral"], date=TODAY())


def _refer(user: User, case: Case, to: Agency, **extra: Any) -> dict[str, Any]:
    body = {
        "case": case.pk,
        "to_agency": to.pk,
        "type": "service",
        "urgency": "urgent",
        "services": ["shelter", "psychosocial"],
        "reason": "Needs a safe place tonight.",
        "shared_sections": ["profile", "concerns"],
        **extra,
    }
    answer: dict[str, Any] = _call(user, "post", "/api/v1/referrals/", body, status=201)
    return answer


@pytest.fixture
def dosvy_worker(world: World) -> User:
    return UserFactory.create(
        username="dosvy_worker", agency=world.dosvy_pp, supervisor=world.dosvy_officer
    )


@pytest.fixture
def shelter(world: World) -> Agency:
    agency = AgencyFactory.create(name="Safe Haven", type=AgencyType.NGO)
    AgencyService.objects.bulk_create(
        [AgencyService(agency=agency, service_id=code) for code in ("shelter", "psychosocial")]
    )
    agency.coverage.add(world.phnom_penh)
    return agency


# --- Referrals ---------------------------------------------------------------------------------


def test_a_referral_from_both_sides_before_and_after_acceptance(
    world: World, dosvy_worker: User
) -> None:
    case = world.own_case
    _consent(world.worker, case)
    sent = _refer(world.worker, case, world.dosvy_pp)
    assert sent["direction"] == "outgoing"
    assert sent["case"] == case.pk
    assert sent["case_number"] == case.case_number
    url = f"/api/v1/referrals/{sent['id']}/"

    # The receiver, before accepting: a summary of the child, not the case.
    [incoming] = _get(dosvy_worker, "/api/v1/referrals/?direction=incoming")["results"]
    assert incoming["case"] is None
    assert "case_number" not in incoming
    assert "contributions" not in incoming
    before = _get(dosvy_worker, url)
    assert before["case"] is None
    assert before["contributions"] == {"notes": [], "services": []}
    assert before["actions"] == ["accept", "decline"]

    accepted = _call(dosvy_worker, "post", f"{url}accept/", {"assigned_to": dosvy_worker.pk})
    assert accepted["case"] == case.pk
    api_client(dosvy_worker).post(
        f"/api/v1/cases/{case.pk}/notes/",
        {"kind": "home_visit", "date": TODAY().isoformat(), "text": "ជួបគ្រួសារ"},
    )
    after = _get(dosvy_worker, url)
    assert after["case"] == case.pk
    assert "case_number" not in after
    assert len(after["contributions"]["notes"]) == 1
    _get(dosvy_worker, "/api/v1/referrals/?direction=incoming")

    # The sender, after: the case and its number, never contributions of its own.
    outgoing = _get(world.worker, url)
    assert outgoing["case_number"] == case.case_number
    assert "contributions" not in outgoing
    _get(world.worker, "/api/v1/referrals/?direction=outgoing")

    completed = _call(dosvy_worker, "post", f"{url}complete/", {"outcome": "Safe at home."})
    assert completed["status"] == "completed"


def test_a_referral_waiting_for_approval_declined_and_cancelled(
    world: World, dosvy_worker: User
) -> None:
    world.ngo.requires_referral_approval = True
    world.ngo.save(update_fields=["requires_referral_approval"])
    case = CaseFactory.create(owner=world.worker, location=world.pp_village)
    _consent(world.worker, case)
    pending = _refer(
        world.worker, case, world.dosvy_pp, type="transfer", services=[], shared_sections=[]
    )
    assert pending["status"] == "pending_approval"
    assert pending["respond_by"] is None
    url = f"/api/v1/referrals/{pending['id']}/"
    approved = _call(world.supervisor, "post", f"{url}approve/")
    assert approved["respond_by"] is not None
    declined = _call(dosvy_worker, "post", f"{url}decline/", {"reason": "No place."})
    assert declined["status"] == "declined"

    other = _refer(
        world.supervisor,
        world.teammates_case,
        world.other_ngo,
        consent_override_reason="Family not traced yet.",
    )
    assert other["consent_overridden"] is True
    cancelled = _call(
        world.supervisor, "post", f"/api/v1/referrals/{other['id']}/cancel/", {"reason": "Done."}
    )
    assert cancelled["status"] == "cancelled"


def test_a_restricted_case_referral_names_no_case_to_the_unnamed_receiver(
    world: World, dosvy_worker: User
) -> None:
    _consent(world.worker, world.restricted_case)
    sent = _refer(world.worker, world.restricted_case, world.dosvy_pp)
    url = f"/api/v1/referrals/{sent['id']}/"
    _call(dosvy_worker, "post", f"{url}accept/", {"assigned_to": dosvy_worker.pk})

    accepted = _get(dosvy_worker, url)
    assert accepted["case"] is None
    assert "case_number" not in accepted
    [listed] = _get(dosvy_worker, "/api/v1/referrals/")["results"]
    assert listed["case"] is None
    assert _get(world.worker, url)["case_number"] == world.restricted_case.case_number


def test_the_queue_from_the_sending_and_receiving_sides(world: World, dosvy_worker: User) -> None:
    world.ngo.requires_referral_approval = True
    world.ngo.save(update_fields=["requires_referral_approval"])
    _consent(world.worker, world.own_case)
    _refer(world.worker, world.own_case, world.dosvy_pp)
    _consent(world.supervisor, world.teammates_case)
    late = _refer(world.supervisor, world.teammates_case, world.dosvy_pp)
    Referral.objects.filter(pk=late["id"]).update(respond_by=timezone.now() - timedelta(hours=1))

    sender = _get(world.supervisor, "/api/v1/referrals/queue/")
    assert [item["case_number"] for item in sender["pending_approval"]] == [
        world.own_case.case_number
    ]
    assert sender["overdue"][0]["case"] == world.teammates_case.pk
    receiver = _get(world.dosvy_officer, "/api/v1/referrals/queue/")
    [waiting] = receiver["awaiting_answer"]
    assert waiting["case"] is None
    assert waiting["case_number"] is None


def test_the_service_directory_near_a_place_and_everywhere(world: World, shelter: Agency) -> None:
    near = _get(
        world.worker, f"/api/v1/service-directory/?services=shelter&location={world.pp_village.pk}"
    )["results"]
    assert [entry["level"] for entry in near if entry["agency"]["id"] == shelter.pk] == ["province"]
    everywhere = _get(world.worker, "/api/v1/service-directory/")["results"]
    levels = {entry["level"] for entry in everywhere}
    assert None in levels
    assert "national" in levels


def test_custody_transfers_with_and_without_the_familys_consent(
    world: World, shelter: Agency
) -> None:
    url = f"/api/v1/cases/{world.own_case.pk}/custody-transfers/"
    body = {
        "to_agency": shelter.pk,
        "legal_basis": "ច្បាប់ស្តីពីការបង្ក្រាបការជួញដូរមនុស្ស មាត្រា ៤៩",
        "authorising_official": "Chan Dara",
        "date": TODAY().isoformat(),
        "family_consent": False,
        "no_consent_reason": "The family is implicated.",
    }
    _call(world.worker, "post", url, body, status=201)
    _call(world.worker, "post", url, {**body, "family_consent": True}, status=201)
    assert len(_get(world.worker, url)["results"]) == 2


# --- Placements, reintegration and follow-ups -----------------------------------------------------


def test_placements_reintegration_and_follow_ups(world: World) -> None:
    case = CaseFactory.create(owner=world.worker, location=world.pp_village)
    base = f"/api/v1/cases/{case.pk}"
    care = _call(
        world.worker,
        "post",
        f"{base}/placements/",
        {
            "type": "residential_care",
            "start_date": (TODAY() - timedelta(days=120)).isoformat(),
            "agency": world.ngo.pk,
            "caregiver": "Hope Shelter",
            "gatekeeping": {
                "reason": "No safe family care yet.",
                "alternatives_considered": "Kinship care with the aunt.",
                "approved_by": world.supervisor.pk,
            },
        },
        status=201,
    )
    assert care["gatekeeping"]["approved_by"] == world.supervisor.pk
    home = _call(
        world.worker,
        "post",
        f"{base}/placements/",
        {
            "type": "parents",
            "start_date": months_ago(2).isoformat(),
            "location": world.pp_village.pk,
            "caregiver": "ម្ដាយ Sokha",
        },
        status=201,
    )
    assert home["gatekeeping"] is None
    assert len(_get(world.worker, f"{base}/placements/")["results"]) == 2

    reintegration = _call(
        world.worker,
        "post",
        f"{base}/reintegration/",
        {
            "date": months_ago(2).isoformat(),
            "placement": home["id"],
            "follow_up_worker": world.teammate.pk,
            "commune_focal_point": world.commune_member.pk,
            "preparation_visits": [
                {"date": months_ago(3).isoformat(), "notes": "Family visit with the child."},
                {"date": months_ago(3).isoformat()},
            ],
            "schedule_months": [1, 3],
        },
        status=201,
    )
    first, second = reintegration["follow_ups"]
    assert first["outcome"] is None

    scheduled = _get(world.teammate, f"/api/v1/follow-ups/{first['id']}/")
    assert scheduled["outcome"] == ""
    assert scheduled["scores"] == {}
    assert scheduled["overdue"] is True
    completed = _call(
        world.teammate,
        "post",
        f"/api/v1/follow-ups/{first['id']}/complete/",
        {"visit_date": TODAY().isoformat(), "outcome": "at_risk", "scores": SCORES, "notes": ""},
    )
    assert completed["scores"] == SCORES
    replacement = _call(
        world.teammate,
        "post",
        f"/api/v1/follow-ups/{second['id']}/reschedule/",
        {"new_date": (TODAY() + timedelta(days=7)).isoformat(), "reason": "Family away."},
        status=201,
    )
    assert replacement["rescheduled_from"] == second["id"]

    for reader in (world.worker, world.teammate, world.commune_member):
        listed = _get(reader, "/api/v1/follow-ups/")["results"]
        assert {visit["status"] for visit in listed} == {"completed", "missed", "scheduled"}
    [read_back] = _get(world.worker, f"{base}/reintegration/")["results"]
    assert [visit["outcome"] for visit in read_back["follow_ups"]] == ["at_risk", None, None]


# --- People, agencies and places -----------------------------------------------------------------


def test_people_with_and_without_an_email(world: World) -> None:
    quiet = UserFactory.create(username="no_email", email="", agency=world.ngo)
    me = _get(quiet, "/api/v1/users/me/")
    assert me["email"] == ""
    _call(quiet, "patch", "/api/v1/users/me/", {"preferred_language": "km"})
    _get(world.worker, "/api/v1/users/me/")
    _get(world.system_admin, "/api/v1/users/me/")

    for admin in (world.system_admin, world.agency_admin):
        _get(admin, "/api/v1/users/?page_size=200")
    created = _call(
        world.agency_admin,
        "post",
        "/api/v1/users/",
        {
            "username": "new_worker",
            "password": "a long enough passphrase",
            "full_name": "សុខ ចាន់",
            "email": "",
            "agency": world.ngo.pk,
            "role": Role.SOCIAL_WORKER,
            "supervisor": world.supervisor.pk,
        },
        status=201,
    )
    assert created["email"] == ""
    _get(world.agency_admin, f"/api/v1/users/{created['id']}/")
    _call(
        world.agency_admin,
        "patch",
        f"/api/v1/users/{created['id']}/",
        {"email": "sok.chan@example.org"},
    )


def test_agencies_and_locations(world: World, shelter: Agency) -> None:
    _get(world.worker, "/api/v1/agencies/?page_size=200")
    _get(world.worker, f"/api/v1/agencies/{shelter.pk}/")
    agency = _call(
        world.system_admin,
        "post",
        "/api/v1/agencies/",
        {
            "name": "Friends of Children",
            "type": "ngo",
            "services": ["education", "shelter"],
            "coverage": [world.phnom_penh.pk],
        },
        status=201,
    )
    _call(
        world.system_admin,
        "patch",
        f"/api/v1/agencies/{agency['id']}/",
        {"requires_referral_approval": True},
    )

    _get(world.worker, "/api/v1/locations/?level=province")
    _get(world.worker, f"/api/v1/locations/?parent={world.pp_commune.pk}")
    _get(world.worker, f"/api/v1/locations/{world.pp_village.pk}/")
    _call(
        world.system_admin,
        "post",
        "/api/v1/locations/",
        {
            "code": "120199",
            "name_en": "New Commune",
            "name_km": "ឃុំថ្មី",
            "level": "commune",
            "parent": world.pp_commune.parent_id,
        },
        status=201,
    )


def test_a_token_is_issued_as_declared(world: World) -> None:
    UserFactory.create(username="partner", agency=world.ngo)
    response = api_client().post(
        "/api/v1/auth/token/",
        {"username": "partner", "password": "correct horse battery staple"},
    )
    assert response.status_code == 200, response.content
    check_answer(response)


# --- Webhooks and notifications ------------------------------------------------------------------


def test_webhooks_and_their_deliveries(world: World, dosvy_worker: User) -> None:
    created = _call(
        world.agency_admin,
        "post",
        "/api/v1/webhooks/",
        {
            "url": "https://partner.example.org/cpims-hooks",
            "events": ["referral.created", "referral.accepted"],
        },
        status=201,
    )
    url = f"/api/v1/webhooks/{created['id']}/"
    _get(world.agency_admin, "/api/v1/webhooks/")
    _get(world.agency_admin, url)
    _call(world.agency_admin, "patch", url, {"events": ["referral.created"]})
    _call(world.agency_admin, "post", f"{url}rotate-secret/")

    _consent(world.worker, world.own_case)
    _refer(world.worker, world.own_case, world.dosvy_pp, urgency="routine")
    _refer(
        world.supervisor,
        world.teammates_case,
        world.other_ngo,
        type="transfer",
        services=[],
        shared_sections=[],
        consent_override_reason="Family not traced yet.",
    )
    WebhookDelivery.objects.filter(pk=WebhookDelivery.objects.earliest("pk").pk).update(
        status=DeliveryStatus.DELIVERED,
        attempts=1,
        last_status_code=204,
        delivered_at=timezone.now(),
        next_attempt_at=None,
    )
    deliveries = _get(world.agency_admin, f"{url}deliveries/")["results"]
    assert {delivery["status"] for delivery in deliveries} == {"delivered", "pending"}
    assert {delivery["payload"]["referral"]["urgency"] for delivery in deliveries} == {
        "routine",
        "urgent",
    }

    response = api_client(world.agency_admin).delete(url)
    assert response.status_code == 204
    check_answer(response)


def test_notifications_with_and_without_the_case(world: World, dosvy_worker: User) -> None:
    _consent(world.worker, world.restricted_case)
    sent = _refer(world.worker, world.restricted_case, world.dosvy_pp)
    # The receiving supervisor may not open the restricted case: the notice does not name it.
    [received] = _get(world.dosvy_officer, "/api/v1/notifications/")["results"]
    assert (received["kind"], received["case"], received["case_number"]) == (
        "referral_received",
        None,
        "",
    )
    assert _get(world.dosvy_officer, "/api/v1/notifications/unread-count/") == {"unread": 1}
    read = _call(world.dosvy_officer, "post", f"/api/v1/notifications/{received['id']}/read/")
    assert read["read"] is True
    _get(world.dosvy_officer, "/api/v1/notifications/?read=true")
    _call(world.dosvy_officer, "post", "/api/v1/notifications/read-all/")

    api_client(dosvy_worker).post(
        f"/api/v1/referrals/{sent['id']}/accept/", {"assigned_to": dosvy_worker.pk}
    )
    [accepted] = _get(world.worker, "/api/v1/notifications/?read=false")["results"]
    assert (accepted["kind"], accepted["case"]) == ("referral_accepted", world.restricted_case.pk)


# --- What the request bodies declare -------------------------------------------------------------


def test_a_visit_is_declared_with_every_wellbeing_domain_scored_in_range() -> None:
    schemas = openapi_document()["components"]["schemas"]
    complete = schemas["FollowUpCompleteRequest"]["properties"]["scores"]
    [scores_ref] = [part["$ref"] for part in complete["allOf"]]
    scores = schemas[scores_ref.rsplit("/", 1)[1]]
    assert set(scores["required"]) == set(WellbeingDomain.values) == set(scores["properties"])
    for domain in scores["properties"].values():
        assert (domain["type"], domain["minimum"], domain["maximum"]) == (
            "integer",
            SCORE_MIN,
            SCORE_MAX,
        )


def test_required_non_empty_lists_are_declared_so() -> None:
    schemas = openapi_document()["components"]["schemas"]
    assert schemas["WebhookEndpointCreateRequest"]["properties"]["events"]["minItems"] == 1
    assert schemas["ReintegrationCreateRequest"]["properties"]["schedule_months"]["minItems"] == 1
    referral = schemas["ReferralCreateRequest"]["properties"]
    assert "consent" in referral["consent_override_reason"]["description"]
    assert "service referral" in referral["services"]["description"]
