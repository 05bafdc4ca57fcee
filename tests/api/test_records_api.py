"""Services delivered, notes and consent through the API: who may read and write them, what bad
input gets (nothing saved), Khmer text kept exactly, and bounded list queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import User
from audit.models import AuditEvent
from cases.choices import ConsentScope, NoteKind, ServiceStatus
from cases.models import Case, CaseNote, CaseService, Consent
from tests.conftest import World, api_client
from tests.factories import UserFactory

TODAY = timezone.localdate


def _url(case: Case, what: str) -> str:
    return f"/api/v1/cases/{case.pk}/{what}/"


def _note(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": NoteKind.HOME_VISIT,
        "date": TODAY().isoformat(),
        "text": "Visited the family.",
    } | overrides


def _service(**overrides: Any) -> dict[str, Any]:
    return {
        "service": "psychosocial",
        "status": ServiceStatus.IN_PROGRESS,
        "start_date": TODAY().isoformat(),
        "notes": "Weekly sessions",
    } | overrides


def _consent(**overrides: Any) -> dict[str, Any]:
    return {
        "given_by": "caregiver",
        "giver_name": "Chan Srey",
        "scope": [ConsentScope.DATA_SHARING, ConsentScope.REFERRAL],
        "date": TODAY().isoformat(),
    } | overrides


PAYLOADS: dict[str, Callable[..., dict[str, Any]]] = {
    "notes": _note,
    "services": _service,
    "consents": _consent,
}


def _rows() -> tuple[int, int, int]:
    return CaseNote.objects.count(), CaseService.objects.count(), Consent.objects.count()


# --- Who may -----------------------------------------------------------------------------------

# persona -> (write, read) on the worker's own case, for notes, services and consents alike.
ACCESS = {
    "worker": (201, 200),
    "supervisor": (201, 200),
    "other_worker": (404, 404),
    "dosvy_officer": (403, 200),
    "commune_member": (404, 404),
    "police": (404, 404),
    "analyst": (404, 404),
}


@pytest.mark.parametrize("what", sorted(PAYLOADS))
@pytest.mark.parametrize("persona", sorted(ACCESS))
def test_records_access_per_persona(world: World, persona: str, what: str) -> None:
    write, read = ACCESS[persona]
    client = api_client(getattr(world, persona))

    written = client.post(_url(world.own_case, what), PAYLOADS[what]())
    listed = client.get(_url(world.own_case, what))

    assert written.status_code == write, written.content
    assert listed.status_code == read, listed.content


def _granted(world: World, *codenames: str) -> User:
    user = UserFactory.create(agency=world.other_ngo)
    for codename in codenames:
        assign_perm(codename, user, world.own_case)
    return user


def test_a_profile_grant_does_not_open_the_notes(world: World) -> None:
    client = api_client(_granted(world, "cases.view_case_profile"))

    for what, payload in PAYLOADS.items():
        assert client.get(_url(world.own_case, what)).status_code == 403
        assert client.post(_url(world.own_case, what), payload()).status_code == 403
    assert _rows() == (0, 0, 0)


def test_a_contributor_reads_and_adds_notes_and_services_but_not_consent(world: World) -> None:
    contributor = _granted(world, "cases.view_case_notes", "cases.contribute_case")
    client = api_client(contributor)

    note = client.post(_url(world.own_case, "notes"), _note())
    service = client.post(_url(world.own_case, "services"), _service())
    consent = client.post(_url(world.own_case, "consents"), _consent())

    assert note.status_code == service.status_code == 201
    assert consent.status_code == 403
    assert note.json()["agency"] == service.json()["agency"] == world.other_ngo.pk
    assert service.json()["recorded_by"] == contributor.pk
    for what in PAYLOADS:
        assert client.get(_url(world.own_case, what)).status_code == 200
    assert client.get(f"/api/v1/cases/{world.own_case.pk}/case-plans/").status_code == 403


def test_a_contributor_edits_only_the_services_their_agency_recorded(world: World) -> None:
    owners = api_client(world.worker).post(_url(world.own_case, "services"), _service()).json()
    contributor = api_client(_granted(world, "cases.view_case_notes", "cases.contribute_case"))
    theirs = contributor.post(_url(world.own_case, "services"), _service()).json()

    refused = contributor.patch(
        f"{_url(world.own_case, 'services')}{owners['id']}/", {"status": ServiceStatus.DELIVERED}
    )
    allowed = contributor.patch(
        f"{_url(world.own_case, 'services')}{theirs['id']}/", {"status": ServiceStatus.DELIVERED}
    )

    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert allowed.json()["status"] == ServiceStatus.DELIVERED


def test_writes_to_a_closed_case_answer_409(world: World) -> None:
    case = world.own_case
    case.status, case.closed_at = "closed", timezone.now()
    case.save(update_fields=["status", "closed_at"])
    client = api_client(world.worker)

    for what, payload in PAYLOADS.items():
        assert client.post(_url(case, what), payload()).status_code == 409
    assert _rows() == (0, 0, 0)


# --- Notes -------------------------------------------------------------------------------------


def test_khmer_note_text_round_trips_byte_for_byte(world: World) -> None:
    # Subscript consonants, a zero-width space and surrounding blanks must all survive.
    text = "  ក្មេងស្រី\u200bនៅ\u200bផ្ទះ\u200bជាមួយ\u200bយាយ។ ស្ថានភាព\u200bល្អប្រសើរ។\n"
    client = api_client(world.worker)

    created = client.post(_url(world.own_case, "notes"), _note(text=text))
    listed = client.get(_url(world.own_case, "notes"))

    assert created.status_code == 201
    assert created.json()["text"].encode() == text.encode()
    assert listed.json()["results"][0]["text"].encode() == text.encode()
    assert CaseNote.objects.get().text.encode() == text.encode()


def test_note_is_audited_without_its_text(world: World) -> None:
    secret = "The uncle threatened her"
    created = api_client(world.worker).post(_url(world.own_case, "notes"), _note(text=secret))

    event = AuditEvent.objects.get(action="note.create")
    assert event.case_id == world.own_case.pk
    assert event.object_id == str(created.json()["id"])
    assert secret not in str(event.changes)


def test_notes_cannot_be_edited_or_deleted(world: World) -> None:
    note_id = api_client(world.worker).post(_url(world.own_case, "notes"), _note()).json()["id"]
    client = api_client(world.worker)

    assert client.patch(
        f"{_url(world.own_case, 'notes')}{note_id}/", {"text": "x"}
    ).status_code in {
        404,
        405,
    }
    assert client.delete(_url(world.own_case, "notes")).status_code == 405
    assert CaseNote.objects.get().text == "Visited the family."


# --- Bad input ---------------------------------------------------------------------------------

TOMORROW = (TODAY() + timedelta(days=1)).isoformat()

BAD_INPUT: dict[str, dict[str, Any]] = {
    "note in the future": {"what": "notes", "payload": _note(date=TOMORROW)},
    "blank note": {"what": "notes", "payload": _note(text="   \n ")},
    "empty note": {"what": "notes", "payload": _note(text="")},
    "unknown note kind": {"what": "notes", "payload": _note(kind="gossip")},
    "service ends before it starts": {
        "what": "services",
        "payload": _service(start_date="2024-05-10", end_date="2024-05-01"),
    },
    "unknown service": {"what": "services", "payload": _service(service="spa")},
    "unknown service status": {"what": "services", "payload": _service(status="maybe")},
    "unknown provider": {"what": "services", "payload": _service(provider_agency=99999999)},
    "empty scope": {"what": "consents", "payload": _consent(scope=[])},
    "unknown scope": {"what": "consents", "payload": _consent(scope=["everything"])},
    "repeated scope": {"what": "consents", "payload": _consent(scope=["referral", "referral"])},
    "consent in the future": {"what": "consents", "payload": _consent(date=TOMORROW)},
    "unknown giver": {"what": "consents", "payload": _consent(given_by="neighbour")},
}


@pytest.mark.parametrize("bad", sorted(BAD_INPUT))
def test_bad_input_answers_400_and_saves_nothing(world: World, bad: str) -> None:
    what, payload = BAD_INPUT[bad]["what"], BAD_INPUT[bad]["payload"]
    before, events = _rows(), AuditEvent.objects.count()

    response = api_client(world.worker).post(_url(world.own_case, what), payload)

    assert response.status_code == 400, response.content
    assert _rows() == before
    assert AuditEvent.objects.count() == events


def test_service_is_recorded_with_the_recorders_agency_and_edited(world: World) -> None:
    client = api_client(world.worker)
    created = client.post(
        _url(world.own_case, "services"), _service(provider_agency=world.other_ngo.pk)
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["service"] == "psychosocial"
    assert body["agency"] == world.ngo.pk
    assert body["provider_agency"] == world.other_ngo.pk
    detail_url = f"{_url(world.own_case, 'services')}{body['id']}/"

    bad = client.patch(detail_url, {"end_date": "2000-01-01"})
    good = client.patch(
        detail_url, {"status": ServiceStatus.DELIVERED, "end_date": TODAY().isoformat()}
    )

    assert bad.status_code == 400
    assert "end_date" in bad.json()
    assert good.status_code == 200
    assert good.json()["status"] == ServiceStatus.DELIVERED
    assert set(
        AuditEvent.objects.filter(case_id=world.own_case.pk).values_list("action", flat=True)
    ) == {"service.create", "service.update"}


def test_a_stale_if_match_on_a_service_is_refused_with_412_and_nothing_changes(
    world: World,
) -> None:
    client = api_client(world.worker)
    created = client.post(_url(world.own_case, "services"), _service()).json()
    detail_url = f"{_url(world.own_case, 'services')}{created['id']}/"
    read = client.get(detail_url)
    assert read["ETag"] == f'"{created["id"]}-1"'
    first = client.patch(
        detail_url, {"status": ServiceStatus.DELIVERED}, HTTP_IF_MATCH=read["ETag"]
    )
    assert first.status_code == 200
    assert first["ETag"] == f'"{created["id"]}-2"'

    stale = client.patch(
        detail_url, {"status": ServiceStatus.CANCELLED}, HTTP_IF_MATCH=read["ETag"]
    )

    assert stale.status_code == 412
    assert CaseService.objects.get(pk=created["id"]).status == ServiceStatus.DELIVERED
    assert AuditEvent.objects.filter(action="service.update").count() == 1
    # Without If-Match the write goes through, and the same values again change nothing.
    again = client.patch(detail_url, {"status": ServiceStatus.DELIVERED})
    assert again["ETag"] == first["ETag"]
    assert AuditEvent.objects.filter(action="service.update").count() == 1


# --- Consent -----------------------------------------------------------------------------------


def test_consent_is_recorded_and_withdrawn_once(world: World) -> None:
    client = api_client(world.worker)
    created = client.post(_url(world.own_case, "consents"), _consent())
    assert created.status_code == 201, created.content
    assert created.json()["withdrawn"] is False
    withdraw_url = f"{_url(world.own_case, 'consents')}{created.json()['id']}/withdraw/"

    first = client.post(withdraw_url, {"date": TODAY().isoformat()})
    again = client.post(withdraw_url, {"date": TODAY().isoformat()})

    assert first.status_code == 200
    assert first.json()["withdrawn"] is True
    assert first.json()["withdrawn_on"] == TODAY().isoformat()
    assert again.status_code == 409
    assert (
        AuditEvent.objects.filter(case_id=world.own_case.pk, action="consent.withdraw").count() == 1
    )


def test_withdrawing_consent_needs_manage_access(world: World) -> None:
    consent_id = (
        api_client(world.worker).post(_url(world.own_case, "consents"), _consent()).json()["id"]
    )
    contributor = _granted(world, "cases.view_case_notes", "cases.contribute_case")
    url = f"{_url(world.own_case, 'consents')}{consent_id}/withdraw/"

    assert api_client(contributor).post(url, {}).status_code == 403
    assert api_client(world.dosvy_officer).post(url, {}).status_code == 403
    assert api_client(world.other_worker).post(url, {}).status_code == 404
    assert Consent.objects.get().withdrawn is False


# --- Query counts ------------------------------------------------------------------------------


def _fill(world: World, size: int) -> None:
    case, worker = world.own_case, world.worker
    CaseNote.objects.bulk_create(
        CaseNote(
            case=case,
            kind=NoteKind.PHONE,
            date=TODAY(),
            text=f"Note {n}",
            agency=world.ngo,
            author=worker,
        )
        for n in range(size)
    )
    CaseService.objects.bulk_create(
        CaseService(case=case, service_id="medical", agency=world.ngo, recorded_by=worker)
        for _ in range(size)
    )
    Consent.objects.bulk_create(
        Consent(case=case, given_by="child", scope=["services"], date=TODAY(), recorded_by=worker)
        for _ in range(size)
    )


@pytest.mark.parametrize("what", sorted(PAYLOADS))
@pytest.mark.parametrize("size", [1, 40])
def test_record_lists_run_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any, what: str, size: int
) -> None:
    _fill(world, size)
    client = api_client(world.worker)

    with django_assert_max_num_queries(11):
        response = client.get(_url(world.own_case, what))

    assert response.status_code == 200
    assert len(response.json()["results"]) == size


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("notes", "notes"),
        ("services", "notes"),
        ("consents", "notes"),
        ("case-plans", "case_plan"),
        ("risk-assessments", "risk"),
    ],
)
def test_reading_a_part_of_the_case_file_is_recorded_in_the_audit_trail(
    world: World, path: str, section: str
) -> None:
    response = api_client(world.dosvy_officer).get(f"/api/v1/cases/{world.own_case.pk}/{path}/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=f"case.view_{section}")
    assert event.actor_id == world.dosvy_officer.pk
    assert event.case_id == world.own_case.pk


def test_a_refused_read_is_not_recorded_as_a_read(world: World) -> None:
    assign_perm("cases.view_case_profile", world.other_worker, world.own_case)
    client = api_client(world.other_worker)
    assert client.get(f"/api/v1/cases/{world.own_case.pk}/notes/").status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="case.view_notes").exists()


@pytest.mark.parametrize("kind", ["safety_plan", "referral_outcome"])
def test_notes_the_system_writes_cannot_be_written_by_hand(world: World, kind: str) -> None:
    response = api_client(world.worker).post(
        f"/api/v1/cases/{world.own_case.pk}/notes/",
        {"kind": kind, "date": timezone.localdate().isoformat(), "text": "Forged"},
    )
    assert response.status_code == 400
    assert "kind" in response.json()
    assert not CaseNote.objects.filter(text="Forged").exists()
