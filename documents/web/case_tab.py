"""The case file's documents tab (the case file itself is cases.web.case_file): the case's
documents as the reader may see them, the upload and withdrawal forms, and the download of a
file, through this app's selectors and services, as the API has them."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from cases.choices import Section
from cases.policy import case_get
from cases.web.case_file import (
    Bound,
    CaseFile,
    Tab,
    case_file_of,
    file_to_write,
    register_tab,
    render_case_page,
    submit_on_tab,
)
from core.ids import as_id
from core.web import user_of
from documents import selectors, services
from documents.choices import DocumentKind, DocumentType
from documents.models import LINK_KINDS
from documents.vault import EXTENSIONS
from documents.web.forms import DocumentUploadForm, WithdrawForm

TAB = "documents"


def _opened_upload(request: HttpRequest, file: CaseFile) -> DocumentUploadForm:
    """A blank upload form; asked from a record (``?custody_transfer=<id>``, say), with the
    record chosen and the one kind it takes."""
    initial: dict[str, Any] = {}
    for field, kind in LINK_KINDS.items():
        record = as_id(request.GET.get(field, ""))
        if record is not None:
            initial = {field: record, "kind": DocumentKind(kind).value}
    return DocumentUploadForm(case=file.case, access=file.access, initial=initial)


def documents_tab(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    documents = list(
        selectors.documents_of(file.case, file.access).select_related(
            "uploaded_by", "consent", "custody_transfer__to_agency", "placement"
        )
    )
    context: dict[str, Any] = {"documents": documents}
    if "add_document" in file.actions:
        context["can_upload"] = True
        if "document_form" in bound or request.GET.get("record") == "document":
            context["document_form"] = bound.get("document_form") or _opened_upload(request, file)
    if file.access.manage and file.is_open:
        # The owner and her supervisor withdraw (documents.services.document_withdraw).
        context["withdraw_forms"] = {
            document.pk: bound.get(f"withdraw-{document.pk}")
            or WithdrawForm(document_id=document.pk)
            for document in documents
            if not document.withdrawn
        }
    return context


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    # The right to add (documents.services.document_upload_door's rule: the action, which
    # needs the documents section) is checked before the upload is read, as the API does.
    file = file_to_write(user, pk, action="add_document")
    form = DocumentUploadForm(request.POST, request.FILES, case=file.case, access=file.access)

    def upload() -> object:
        sent = form.cleaned_data["file"]
        return services.document_upload(
            actor=user,
            case=file.case,
            file=sent,
            size=sent.size,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            **form.links(),
        )

    done = submit_on_tab(
        request, form, pk=pk, tab=TAB, success=_("The document is kept."), write=upload
    )
    return done or render_case_page(
        request, case_file_of(user, pk), TAB, {"document_form": form}, 400
    )


@login_required
@require_GET
def document_file(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    """The document's file, decrypted, as an attachment that no cache keeps; the download is
    in the audit trail (documents.services.document_download)."""
    document, content = services.document_download(
        actor=user_of(request), case_id=pk, document_id=document_id
    )
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"document-{document.pk}.{EXTENSIONS[DocumentType(document.content_type)]}",
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def document_withdraw(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    user = user_of(request)
    # Refused (403), or missing (404), before the reason is read: as the service would.
    case, access = case_get(user, pk, section=Section.DOCUMENTS, need="manage")
    selectors.document_in(selectors.documents_of(case, access), document_id)
    form = WithdrawForm(request.POST, document_id=document_id)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab=TAB,
        success=_("The document is withdrawn."),
        write=lambda: services.document_withdraw(
            actor=user, case_id=pk, document_id=document_id, **form.cleaned_data
        ),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), TAB, {f"withdraw-{document_id}": form}, 400
    )


register_tab(
    Tab(
        TAB,
        gettext_lazy("Documents"),
        (Section.DOCUMENTS,),
        order=95,
        template="documents/_case_documents.html",
    ),
    documents_tab,
)
