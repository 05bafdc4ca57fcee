"""Reads of a case's documents through the case's door: 404 out of reach, 403 without the
``documents`` section. A withdrawn document is seen only by the case's managers (its owner and
her supervisor), marked withdrawn; to everyone else it is missing."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from cases.choices import Section
from cases.models import Case
from cases.policy import CaseAccess, case_get
from core.ids import as_id
from documents.models import Document


def documents_of(case: Case, access: CaseAccess) -> QuerySet[Document]:
    """The documents of a case the caller opened with its documents section."""
    documents = Document.objects.filter(case=case)
    if not access.manage:
        documents = documents.filter(withdrawn_at__isnull=True)
    return documents


def document_in(documents: QuerySet[Document], document_id: int | str) -> Document:
    pk = as_id(document_id)
    document = None if pk is None else documents.filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    return document


def document_list(*, user: User, case_id: int | str) -> QuerySet[Document]:
    case, access = case_get(user, case_id, section=Section.DOCUMENTS, read=Section.DOCUMENTS)
    return documents_of(case, access)


def document_detail(*, user: User, case_id: int | str, document_id: int | str) -> Document:
    case, access = case_get(user, case_id, section=Section.DOCUMENTS, read=Section.DOCUMENTS)
    document = document_in(documents_of(case, access), document_id)
    document.case = case
    return document
