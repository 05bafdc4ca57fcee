"""The case file's documents tab: the documents as the reader may see them, the upload, the
download and the withdrawal through the same services as the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import Section
from cases.models import Case
from cases.services.access import case_set_grants
from documents.models import Document
from referrals.models import CustodyTransfer
from tests.conftest import World
from tests.documents.helpers import EXE, PDF, stored_files
from tests.factories import AgencyFactory
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

TITLE_KM = "សំបុត្រកំណើត"


def _tab(case: Case) -> str:
    return f"/cases/{case.pk}/documents/"


def _post_upload(
    client: Any, case: Case, content: bytes = PDF, *, name: str = "scan.pdf", **fields: Any
) -> Any:
    data = {
        "document-file": SimpleUploadedFile(name, content),
        "document-kind": "birth_certificate",
        "document-title": TITLE_KM,
        **{f"document-{key}": value for key, value in fields.items()},
    }
    return client.post(f"/cases/{case.pk}/documents/add/", data)


def _file_url(document: Document) -> str:
    return f"/cases/{document.case_id}/documents/{document.pk}/file/"


def test_the_owner_uploads_from_the_tab_and_the_file_is_kept_encrypted(
    world: World, vault_dir: Path
) -> None:
    owner = signed_in(world.worker)
    form = owner.get(_tab(world.own_case) + "?record=document").content.decode()
    assert 'enctype="multipart/form-data"' in form
    assert 'name="document-file"' in form

    answer = _post_upload(owner, world.own_case)

    assert answer.status_code == 302
    document = Document.objects.get(case=world.own_case)
    assert document.title == TITLE_KM
    assert document.content_type == "application/pdf"
    (kept,) = stored_files(vault_dir)
    assert PDF not in kept.read_bytes()
    assert b"%PDF" not in kept.read_bytes()
    assert AuditEvent.objects.filter(action="document.upload", case_id=world.own_case.pk).exists()
    listed = owner.get(_tab(world.own_case)).content.decode()
    assert TITLE_KM in listed
    assert "Birth certificate" in listed
    assert _file_url(document) in listed


def test_a_renamed_program_is_refused_beside_the_file_and_nothing_is_kept(
    world: World, vault_dir: Path
) -> None:
    answer = _post_upload(signed_in(world.worker), world.own_case, EXE, name="certificate.pdf")

    assert answer.status_code == 400
    assert "PDF, JPEG and PNG" in str(answer.context["document_form"].errors["file"])
    assert f'value="{TITLE_KM}"' in answer.content.decode()
    assert not Document.objects.exists()
    assert stored_files(vault_dir) == []


def test_a_file_over_the_limit_is_refused(world: World, settings: Any, vault_dir: Path) -> None:
    settings.DOCUMENT_MAX_MB = 1
    too_large = PDF + b"x" * (1024 * 1024)

    answer = _post_upload(signed_in(world.worker), world.own_case, too_large)

    assert answer.status_code == 400
    assert "larger than 1 MB" in str(answer.context["document_form"].errors["file"])
    assert not Document.objects.exists()
    assert stored_files(vault_dir) == []


def test_the_download_is_the_file_as_uploaded_audited_and_never_cached(world: World) -> None:
    owner = signed_in(world.worker)
    _post_upload(owner, world.own_case)
    document = Document.objects.get()

    answer = owner.get(_file_url(document))

    assert answer.status_code == 200
    assert answer.getvalue() == PDF
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment;")
    assert answer["Cache-Control"] == "no-store"
    assert answer["X-Content-Type-Options"] == "nosniff"
    (event,) = AuditEvent.objects.filter(action="document.download")
    assert (event.actor_id, event.case_id, event.object_id) == (
        world.worker.pk,
        world.own_case.pk,
        str(document.pk),
    )


def test_the_tab_and_the_download_answer_as_the_door_does(world: World) -> None:
    _post_upload(signed_in(world.worker), world.own_case)
    document = Document.objects.get()

    for reader, expected in [
        (world.other_worker, 404),  # another agency's worker: the case is not hers
        (world.commune_member, 404),
        (world.agency_admin, 403),  # the case's administrative fields only
    ]:
        client = signed_in(reader)
        assert client.get(_tab(world.own_case)).status_code == expected, reader
        assert client.get(_file_url(document)).status_code == expected, reader
        assert _post_upload(client, world.own_case).status_code == expected, reader
    assert Document.objects.count() == 1
    assert not AuditEvent.objects.filter(action="document.download").exists()
    # A document of another case is missing under this one.
    other = signed_in(world.worker).get(
        f"/cases/{world.restricted_case.pk}/documents/{document.pk}/file/"
    )
    assert other.status_code == 404


def _share_documents(world: World) -> None:
    case_set_grants(
        actor=world.worker,
        case=world.own_case,
        grantee=world.other_worker,
        sections={Section.PROFILE, Section.DOCUMENTS},
        contribute=False,
        reason="referral",
    )


def test_a_reader_who_may_not_add_sees_no_form_and_is_refused(world: World) -> None:
    _post_upload(signed_in(world.worker), world.own_case)
    _share_documents(world)
    reader = signed_in(world.other_worker)

    page = reader.get(_tab(world.own_case) + "?record=document")
    document = Document.objects.get()

    assert page.status_code == 200
    assert TITLE_KM in page.content.decode()
    assert "document_form" not in page.context
    assert "withdraw_forms" not in page.context
    assert _post_upload(reader, world.own_case).status_code == 403
    withdraw = f"/cases/{world.own_case.pk}/documents/{document.pk}/withdraw/"
    assert reader.post(withdraw, {f"withdraw-{document.pk}-reason": "No."}).status_code == 403
    assert Document.objects.count() == 1


def test_withdrawal_hides_the_document_from_readers_and_is_audited(world: World) -> None:
    owner = signed_in(world.worker)
    _post_upload(owner, world.own_case)
    document = Document.objects.get()
    _share_documents(world)
    withdraw = f"/cases/{world.own_case.pk}/documents/{document.pk}/withdraw/"
    page = owner.get(_tab(world.own_case)).content.decode()
    assert withdraw in page
    assert "data-confirm=" in page

    blank = owner.post(withdraw, {f"withdraw-{document.pk}-reason": "  "})
    assert blank.status_code == 400
    done = owner.post(withdraw, {f"withdraw-{document.pk}-reason": "ឯកសាររបស់កុមារម្នាក់ទៀត"})

    assert done.status_code == 302
    document.refresh_from_db()
    assert document.withdrawn
    assert document.withdraw_reason == "ឯកសាររបស់កុមារម្នាក់ទៀត"
    event = AuditEvent.objects.get(action="document.withdraw")
    assert (event.actor_id, event.case_id) == (world.worker.pk, world.own_case.pk)
    reader = signed_in(world.other_worker)
    assert TITLE_KM not in reader.get(_tab(world.own_case)).content.decode()
    assert reader.get(_file_url(document)).status_code == 404
    # The owner still sees it, marked, and may still fetch it.
    shown = owner.get(_tab(world.own_case)).content.decode()
    assert TITLE_KM in shown
    assert "Withdrawn" in shown
    assert owner.get(_file_url(document)).status_code == 200


def _transfer(world: World, case: Case) -> CustodyTransfer:
    return CustodyTransfer.objects.create(
        case=case,
        to_agency=AgencyFactory.create(name="Safe Haven"),
        legal_basis="Court order",
        authorising_official="Chan Dara",
        date=timezone.localdate(),
        family_consent=True,
        recorded_by=world.worker,
    )


def test_a_custody_order_is_attached_to_its_transfer_from_the_page(world: World) -> None:
    transfer = _transfer(world, world.own_case)
    owner = signed_in(world.worker)
    custody = owner.get(f"/cases/{world.own_case.pk}/custody/").content.decode()
    asked = f"?record=document&amp;custody_transfer={transfer.pk}"
    assert asked in custody
    opened = owner.get(_tab(world.own_case) + asked.replace("&amp;", "&"))
    assert opened.context["document_form"]["kind"].value() == "custody_order"

    wrong_kind = _post_upload(owner, world.own_case, custody_transfer=transfer.pk)
    assert wrong_kind.status_code == 400
    assert "custody_transfer" in wrong_kind.context["document_form"].errors
    other_case = _transfer(world, world.teammates_case)
    elsewhere = _post_upload(
        owner, world.own_case, kind="custody_order", custody_transfer=other_case.pk
    )
    assert elsewhere.status_code == 400
    done = _post_upload(owner, world.own_case, kind="custody_order", custody_transfer=transfer.pk)

    assert done.status_code == 302
    document = Document.objects.get()
    assert document.custody_transfer == transfer
    custody = owner.get(f"/cases/{world.own_case.pk}/custody/").content.decode()
    assert _file_url(document) in custody


@pytest.mark.parametrize("query", ["", "?record=document"])
def test_the_tab_costs_the_same_queries_for_many_documents(world: World, query: str) -> None:
    owner = signed_in(world.worker)
    transfer = _transfer(world, world.own_case)
    _post_upload(owner, world.own_case, kind="custody_order", custody_transfer=transfer.pk)
    owner.get(_tab(world.own_case))

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner.get(_tab(world.own_case) + query).status_code == 200
        return len(queries.captured_queries)

    first = counted()
    for n in range(5):
        _post_upload(owner, world.own_case, title=f"Photo {n}", kind="photo")
        _post_upload(owner, world.own_case, kind="custody_order", custody_transfer=transfer.pk)
    assert counted() == first
