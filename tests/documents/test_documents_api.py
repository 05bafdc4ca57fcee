"""Case documents through the API (docs/api.md, "Documents"): uploads checked by content and
size, encrypted at rest, downloads audited and served only to those who see the documents
section, withdrawal instead of deletion."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from cases.choices import ConsentGiver, ConsentScope, Section, Status
from cases.models import Case, Consent
from documents.models import Document
from referrals import services as referral_services
from reintegration.choices import PlacementType
from reintegration.models import Placement
from tests.conftest import World, api_client
from tests.documents.helpers import EXE, JPEG, PDF, PNG, documents_url, stored_files, upload

pytestmark = pytest.mark.django_db


def _consent(case: Case, by: User) -> Consent:
    return Consent.objects.create(
        case=case,
        given_by=ConsentGiver.CAREGIVER,
        scope=[ConsentScope.REFERRAL, ConsentScope.DATA_SHARING],
        date=timezone.localdate(),
        recorded_by=by,
    )


def _download(client: Any, case: Case, document_id: int) -> Any:
    return client.get(f"{documents_url(case)}{document_id}/download/")


# --- Upload ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PDF, "certificate.jpg", "application/pdf"),
        (JPEG, "photo.pdf", "image/jpeg"),
        (PNG, "order", "image/png"),
    ],
)
def test_each_accepted_type_is_kept_as_its_content_shows_whatever_its_name(
    world: World, content: bytes, name: str, content_type: str
) -> None:
    response = upload(api_client(world.worker), world.own_case, content, name=name)

    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "kind", "title", "content_type", "size", "uploaded_by", "uploaded_at"} <= set(
        body
    )
    assert body["content_type"] == content_type
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["uploaded_by"] == world.worker.pk
    assert body["withdrawn"] is False
    event = AuditEvent.objects.get(action="document.upload")
    assert event.case_id == world.own_case.pk
    assert "title" not in event.changes


def test_a_renamed_program_is_refused_naming_the_accepted_types(
    world: World, vault_dir: Path
) -> None:
    response = upload(api_client(world.worker), world.own_case, EXE, name="certificate.pdf")

    assert response.status_code == 400
    assert "PDF, JPEG and PNG" in response.json()["file"][0]
    assert not Document.objects.exists()
    assert stored_files(vault_dir) == []


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(
    world: World, settings, vault_dir: Path
) -> None:
    settings.DOCUMENT_MAX_MB = 1
    too_big = PDF + b"0" * (1024 * 1024 - len(PDF) + 1)

    response = upload(api_client(world.worker), world.own_case, too_big)

    assert response.status_code == 400
    assert "1 MB" in response.json()["file"][0]
    assert not Document.objects.exists()
    assert stored_files(vault_dir) == []
    at_the_limit = upload(api_client(world.worker), world.own_case, too_big[:-1])
    assert at_the_limit.status_code == 201


def test_an_unknown_kind_or_a_blank_title_is_refused(world: World) -> None:
    client = api_client(world.worker)

    assert list(upload(client, world.own_case, kind="diary").json()) == ["kind"]
    assert list(upload(client, world.own_case, title="   ").json()) == ["title"]
    assert not Document.objects.exists()


def test_a_khmer_title_round_trips(world: World) -> None:
    title = "សំបុត្រកំណើត របស់ ស្រីលក្ខណ៍"
    client = api_client(world.worker)
    created = upload(client, world.own_case, title=title).json()

    listed = client.get(documents_url(world.own_case)).json()["results"]
    detail = client.get(f"{documents_url(world.own_case)}{created['id']}/").json()

    assert created["title"] == listed[0]["title"] == detail["title"] == title


def test_the_stored_bytes_are_not_the_file_but_its_encryption(
    world: World, settings, vault_dir: Path
) -> None:
    upload(api_client(world.worker), world.own_case, PDF)

    (stored,) = stored_files(vault_dir)
    sealed = stored.read_bytes()
    assert PDF not in sealed
    assert b"%PDF" not in sealed
    assert b"birth certificate" not in sealed.lower()
    assert Fernet(settings.DOCUMENT_KEYS[0]).decrypt(sealed) == PDF
    assert stored.name == Document.objects.get().storage_name.split("/")[-1]


def test_a_new_key_put_first_encrypts_and_the_old_one_still_decrypts(
    world: World, settings, vault_dir: Path
) -> None:
    client = api_client(world.worker)
    old_key = settings.DOCUMENT_KEYS[0]
    before = upload(client, world.own_case, PDF).json()
    new_key = Fernet.generate_key().decode()
    settings.DOCUMENT_KEYS = [new_key, old_key]

    after = upload(client, world.own_case, PNG).json()

    assert _download(client, world.own_case, before["id"]).getvalue() == PDF
    assert _download(client, world.own_case, after["id"]).getvalue() == PNG
    newest = vault_dir / Document.objects.get(pk=after["id"]).storage_name
    assert Fernet(new_key).decrypt(newest.read_bytes()) == PNG


def test_an_upload_refused_by_access_is_refused_before_the_file_is_read(world: World) -> None:
    # A DoSVY supervisor reads the case from her territory; she does not add to it.
    oversight = upload(api_client(world.dosvy_officer), world.own_case, EXE)
    outsider = upload(api_client(world.other_worker), world.own_case, EXE)

    assert oversight.status_code == 403
    assert outsider.status_code == 404


# --- Links to the records a document proves ---------------------------------------------------


def test_a_signed_consent_form_is_attached_to_a_consent_of_the_same_case(world: World) -> None:
    client = api_client(world.worker)
    consent = _consent(world.own_case, world.worker)
    elsewhere = _consent(world.teammates_case, world.teammate)

    attached = upload(client, world.own_case, kind="consent_form", consent=consent.pk)
    of_another_case = upload(client, world.own_case, kind="consent_form", consent=elsewhere.pk)
    of_another_kind = upload(client, world.own_case, kind="photo", consent=consent.pk)

    assert attached.status_code == 201
    assert attached.json()["consent"] == consent.pk
    assert of_another_case.status_code == 400
    assert list(of_another_case.json()) == ["consent"]
    assert of_another_kind.status_code == 400
    assert list(of_another_kind.json()) == ["consent"]
    assert Document.objects.count() == 1


# --- Reading and downloading ------------------------------------------------------------------


def test_a_download_is_the_file_as_an_attachment_and_is_audited(world: World) -> None:
    client = api_client(world.worker)
    created = upload(client, world.own_case, JPEG, kind="photo", title="Photo").json()

    response = _download(client, world.own_case, created["id"])

    assert response.status_code == 200
    assert response.getvalue() == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == (
        f'attachment; filename="document-{created["id"]}.jpg"'
    )
    events = AuditEvent.objects.filter(action="document.download")
    assert [(e.actor_id, e.case_id, e.object_id) for e in events] == [
        (world.worker.pk, world.own_case.pk, str(created["id"]))
    ]


def test_outside_reach_is_404_and_without_the_section_403(world: World) -> None:
    created = upload(api_client(world.worker), world.own_case).json()
    path = f"{documents_url(world.own_case)}{created['id']}/"

    for reader, expected in [
        (world.other_worker, 404),  # another agency's worker: the case is not hers
        (world.bmc_worker, 404),
        (world.agency_admin, 403),  # she sees the case's administrative fields only
        (world.supervisor, 200),
        (world.dosvy_officer, 200),
    ]:
        client = api_client(reader)
        assert client.get(documents_url(world.own_case)).status_code == expected, reader
        assert client.get(path).status_code == expected, reader
        assert client.get(f"{path}download/").status_code == expected, reader
    downloads = AuditEvent.objects.filter(action="document.download")
    assert set(downloads.values_list("actor_id", flat=True)) == {
        world.supervisor.pk,
        world.dosvy_officer.pk,
    }


def test_a_document_of_another_case_is_missing_under_this_one(world: World) -> None:
    created = upload(api_client(world.worker), world.own_case).json()
    other = api_client(world.worker).get(
        f"/api/v1/cases/{world.restricted_case.pk}/documents/{created['id']}/download/"
    )

    assert other.status_code == 404


def _refer(world: World, shared: list[str]) -> None:
    _consent(world.own_case, world.worker)
    referral = referral_services.referral_create(
        actor=world.worker,
        case=world.own_case,
        to_agency=world.other_ngo,
        type="service",
        urgency="routine",
        services=["psychosocial"],
        reason="Needs counselling.",
        shared_sections=shared,
    )
    referral_services.referral_accept(
        actor=world.other_worker, referral=referral, assigned_to=world.other_worker
    )


def test_an_agency_the_documents_were_shared_with_by_referral_downloads_them(
    world: World,
) -> None:
    created = upload(api_client(world.worker), world.own_case).json()
    _refer(world, [Section.PROFILE, Section.DOCUMENTS])
    receiver = api_client(world.other_worker)

    listed = receiver.get(documents_url(world.own_case))
    downloaded = _download(receiver, world.own_case, created["id"])

    assert [d["id"] for d in listed.json()["results"]] == [created["id"]]
    assert downloaded.status_code == 200
    assert downloaded.getvalue() == PDF
    assert AuditEvent.objects.filter(
        action="document.download", actor_id=world.other_worker.pk
    ).exists()
    # The receiver works on the case: she adds what she receives (a medical report, say).
    assert upload(receiver, world.own_case, PNG, kind="medical_report").status_code == 201


def test_an_agency_sent_a_referral_without_the_documents_does_not_read_them(
    world: World,
) -> None:
    created = upload(api_client(world.worker), world.own_case).json()
    _refer(world, [Section.PROFILE])

    receiver = api_client(world.other_worker)

    assert receiver.get(documents_url(world.own_case)).status_code == 403
    assert _download(receiver, world.own_case, created["id"]).status_code == 403


# --- Withdrawal -------------------------------------------------------------------------------


def test_a_withdrawn_document_is_kept_hidden_and_audited(world: World, vault_dir: Path) -> None:
    created = upload(api_client(world.worker), world.own_case).json()
    _refer(world, [Section.PROFILE, Section.DOCUMENTS])
    owner, receiver = api_client(world.worker), api_client(world.other_worker)
    path = f"{documents_url(world.own_case)}{created['id']}/"

    assert receiver.post(f"{path}withdraw/", {"reason": "Not mine."}).status_code == 403
    assert owner.post(f"{path}withdraw/", {"reason": "  "}).status_code == 400
    withdrawn = owner.post(f"{path}withdraw/", {"reason": "Another child's certificate."})

    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn"] is True
    assert withdrawn.json()["withdraw_reason"] == "Another child's certificate."
    assert owner.post(f"{path}withdraw/", {"reason": "Again."}).status_code == 409
    # Hidden from the receiver as if it never was; the owner still sees it, marked.
    assert receiver.get(documents_url(world.own_case)).json()["results"] == []
    assert receiver.get(path).status_code == 404
    assert receiver.get(f"{path}download/").status_code == 404
    (listed,) = owner.get(documents_url(world.own_case)).json()["results"]
    assert listed["withdrawn"] is True
    # Kept: the record and its file.
    document = Document.objects.get()
    assert document.withdrawn_by == world.worker
    assert (vault_dir / document.storage_name).exists()
    event = AuditEvent.objects.get(action="document.withdraw")
    assert (event.actor_id, event.case_id) == (world.worker.pk, world.own_case.pk)
    assert event.changes["reason"] == "Another child's certificate."


def test_there_is_no_way_to_delete_a_document(world: World) -> None:
    created = upload(api_client(world.worker), world.own_case).json()
    path = f"{documents_url(world.own_case)}{created['id']}/"

    assert api_client(world.worker).delete(path).status_code == 405
    assert api_client(world.supervisor).delete(path).status_code == 405
    assert Document.objects.count() == 1


# --- Lists ------------------------------------------------------------------------------------


# The case through its door (the case, the grants on it), the reading's audit event (in a
# savepoint: the chain's lock, its head, the event) and the page: as many for any number of
# documents.
LIST_QUERIES = 8


def test_the_list_costs_the_same_queries_for_two_documents_as_for_twenty(
    world: World, django_assert_max_num_queries
) -> None:
    client = api_client(world.worker)
    for number in range(2):
        upload(client, world.own_case, title=f"Page {number}")
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(client.get(documents_url(world.own_case)).json()["results"]) == 2
    for number in range(18):
        upload(client, world.own_case, title=f"More {number}")

    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(client.get(documents_url(world.own_case)).json()["results"]) == 20


def test_a_closed_case_takes_no_new_document_but_its_documents_stay_readable(
    world: World,
) -> None:
    client = api_client(world.worker)
    created = upload(client, world.own_case).json()
    Case.objects.filter(pk=world.own_case.pk).update(status=Status.CLOSED, closed_at=timezone.now())

    assert upload(client, world.own_case, PNG).status_code == 409
    assert _download(client, world.own_case, created["id"]).getvalue() == PDF
    assert Document.objects.count() == 1


def test_a_gatekeeping_decision_is_attached_to_a_placement_of_the_same_case(
    world: World,
) -> None:
    placement = Placement.objects.create(
        case=world.own_case,
        type=PlacementType.SHELTER,
        start_date=timezone.localdate(),
        caregiver="Hope Shelter",
        recorded_by=world.worker,
    )
    client = api_client(world.worker)

    attached = upload(client, world.own_case, kind="gatekeeping_decision", placement=placement.pk)
    missing = upload(client, world.own_case, kind="gatekeeping_decision", placement=10**12)

    assert attached.status_code == 201
    assert attached.json()["placement"] == placement.pk
    assert list(missing.json()) == ["placement"]


def test_a_client_that_asks_for_bytes_gets_the_file_as_bytes(world: World) -> None:
    client = api_client(world.worker)
    created = upload(client, world.own_case, PNG, kind="photo").json()
    path = f"{documents_url(world.own_case)}{created['id']}/download/"

    generic = client.get(path, headers={"Accept": "application/octet-stream"})
    either = client.get(path, headers={"Accept": "image/png, application/octet-stream"})

    assert generic["Content-Type"] == "application/octet-stream"
    assert generic.getvalue() == PNG
    assert either["Content-Type"] == "image/png"
