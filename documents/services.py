"""Writes and audited reads of a case's documents: upload, download and withdrawal. No
document is ever deleted; each of these is in the audit trail (the title and the file's
content never are)."""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from cases.choices import Section
from cases.models import Case, Consent
from cases.policy import case_get
from cases.services.common import require_open
from core.errors import StateConflictError
from core.ids import as_id
from documents import vault
from documents.models import Document
from documents.selectors import document_in, documents_of
from referrals.models import CustodyTransfer
from reintegration.models import Placement

# The models an upload may attach the document to, by the field that names them.
LINK_MODELS: dict[str, type[Model]] = {
    "consent": Consent,
    "custody_transfer": CustodyTransfer,
    "placement": Placement,
}


def max_bytes() -> int:
    return int(settings.DOCUMENT_MAX_MB) * 1024 * 1024


def document_upload_door(actor: User, case_id: int | str) -> Case:
    """The case ``actor`` may add a document to: 404 out of reach, 403 without the documents
    section or the right to add to the case, 409 when it is closed. Asked before the upload is
    read, so a refusal is the same whatever the file."""
    case, _access = case_get(actor, case_id, section=Section.DOCUMENTS, action="add_document")
    return case


def _read_checked(file: IO[bytes], size: int | None) -> tuple[bytes, str]:
    """The file's bytes and its media type, refused (400) when too large or not a PDF, JPEG or
    PNG by its content."""
    limit = max_bytes()
    too_large = ValidationError(
        {"file": [_("The file is larger than %(limit)d MB.") % {"limit": settings.DOCUMENT_MAX_MB}]}
    )
    if size is not None and size > limit:
        raise too_large
    content = file.read(limit + 1)
    if len(content) > limit:
        raise too_large
    if not content:
        raise ValidationError({"file": [_("The file is empty.")]})
    kind = vault.sniff(content[:16])
    if kind is None:
        raise ValidationError({"file": [_("Only PDF, JPEG and PNG files are accepted.")]})
    return content, kind.value


def _links(case: Case, links: dict[str, Any]) -> dict[str, Model]:
    """The records named by id, each looked up among those of ``case`` (400 otherwise, saying
    nothing of a record of another case)."""
    found: dict[str, Model] = {}
    errors: dict[str, list[str]] = {}
    for field, value in links.items():
        if value is None:
            continue
        model = LINK_MODELS[field]
        record = model._default_manager.filter(case=case, pk=as_id(value) or 0).first()
        if record is None:
            errors[field] = [_("No such record on this case.")]
        else:
            found[field] = record
    if errors:
        raise ValidationError(errors)
    return found


def document_upload(
    *,
    actor: User,
    case: Case,
    file: IO[bytes],
    kind: str,
    title: str,
    size: int | None = None,
    consent: int | None = None,
    custody_transfer: int | None = None,
    placement: int | None = None,
) -> Document:
    """Keeps an uploaded file on the case, encrypted, with its record. The file is checked
    and written before the record's transaction; when the record is not saved, the file is
    removed again."""
    case = document_upload_door(actor, case.pk)
    if not title.strip():
        raise ValidationError({"title": [_("Give the document a title.")]})
    content, content_type = _read_checked(file, size)
    stored = vault.store(content)
    try:
        return _document_record(
            actor=actor,
            case_id=case.pk,
            kind=kind,
            title=title.strip(),
            content_type=content_type,
            stored=stored,
            links={
                "consent": consent,
                "custody_transfer": custody_transfer,
                "placement": placement,
            },
        )
    except BaseException:
        vault.discard(stored.name)
        raise


@transaction.atomic(durable=True)
def _document_record(
    *,
    actor: User,
    case_id: int,
    kind: str,
    title: str,
    content_type: str,
    stored: vault.Stored,
    links: dict[str, Any],
) -> Document:
    case, _access = case_get(
        actor, case_id, section=Section.DOCUMENTS, need="contribute", lock=True
    )
    require_open(case)
    document = Document(
        case=case,
        kind=kind,
        title=title,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_name=stored.name,
        uploaded_by=actor,
        **_links(case, links),
    )
    document.full_clean()
    document.save()
    audit.record(
        actor=actor,
        action="document.upload",
        obj=document,
        case_id=case.pk,
        changes={
            "kind": document.kind,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
            **{field: getattr(document, f"{field}_id") for field in LINK_MODELS},
        },
    )
    return document


@transaction.atomic(durable=True)
def document_download(
    *, actor: User, case_id: int | str, document_id: int | str
) -> tuple[Document, bytes]:
    """A document and its file, decrypted, for those who see the case's documents section
    (403 otherwise, 404 out of reach); the download goes into the audit trail."""
    case, access = case_get(actor, case_id, section=Section.DOCUMENTS)
    document = document_in(documents_of(case, access), document_id)
    audit.record(
        actor=actor, action="document.download", obj=document, case_id=case.pk, reading=True
    )
    return document, vault.fetch(document.storage_name)


@transaction.atomic(durable=True)
def document_withdraw(
    *, actor: User, case_id: int | str, document_id: int | str, reason: str
) -> Document:
    """Withdraws a document: kept, with who withdrew it, when and why, but hidden from all but
    the case's owner and her supervisor, who alone may withdraw (403 otherwise). 409 when it
    is withdrawn already."""
    case, access = case_get(actor, case_id, section=Section.DOCUMENTS, need="manage", lock=True)
    document = document_in(documents_of(case, access).select_for_update(), document_id)
    if document.withdrawn:
        raise StateConflictError(_("This document is withdrawn already."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the document is withdrawn.")]})
    document.withdrawn_at = timezone.now()
    document.withdrawn_by = actor
    document.withdraw_reason = reason.strip()
    document.full_clean()
    document.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    audit.record(
        actor=actor,
        action="document.withdraw",
        obj=document,
        case_id=case.pk,
        changes={"reason": document.withdraw_reason},
    )
    return document


def document_rekey(*, document_id: int) -> bool:
    """Re-encrypts one document's file with the first key of ``DOCUMENT_KEYS`` (key rotation);
    False when it already was. The new file is written first, the record then names it, and
    only then is the old file removed."""
    document = Document.objects.get(pk=document_id)
    old_name = document.storage_name
    if vault.sealed_with_first_key(old_name):
        return False
    new_name = vault.reseal(old_name)
    try:
        _document_rekeyed(document_id=document_id, old_name=old_name, new_name=new_name)
    except BaseException:
        vault.discard(new_name)
        raise
    vault.discard(old_name)
    return True


@transaction.atomic(durable=True)
def _document_rekeyed(*, document_id: int, old_name: str, new_name: str) -> None:
    changed = Document.objects.filter(pk=document_id, storage_name=old_name).update(
        storage_name=new_name
    )
    if not changed:
        raise StateConflictError("The document's file changed while it was re-encrypted.")
    document = Document.objects.get(pk=document_id)
    audit.record(actor=None, action="document.rekey", obj=document, case_id=document.case_id)


def document_keys_rotate() -> tuple[int, int]:
    """Re-encrypts every document's file not yet encrypted with the first key: how many were,
    of how many documents. Safe to run again, or alongside uploads."""
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    rekeyed = sum(document_rekey(document_id=pk) for pk in ids)
    return rekeyed, len(ids)
