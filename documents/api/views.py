"""A case's documents under /cases/{id}/documents/. Reads go through documents.selectors, the
download and the writes through documents.services; each checks the case and its documents
section (404 out of reach, 403 without it)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from documents import selectors, services
from documents.api.parsers import MultiPartParser
from documents.api.serializers import (
    DocumentSerializer,
    DocumentUploadSerializer,
    DocumentWithdrawSerializer,
)
from documents.choices import DocumentType
from documents.models import Document
from documents.vault import EXTENSIONS


class DocumentListView(generics.ListAPIView[Document]):
    """The case's documents, newest first: for those who see its documents section (403
    otherwise). Withdrawn ones are listed, marked ``withdrawn``, only to the case's owner and
    her supervisor. The reading goes into the audit trail."""

    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> QuerySet[Document]:
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return selectors.document_list(user=actor_of(self.request), case_id=self.kwargs["case_id"])

    @extend_schema(request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        """Uploads a document (``multipart/form-data``): for those who may add to the case and
        see its documents section (its owner, her supervisor, and an agency working on it
        through an accepted referral that shares the documents), 403 otherwise; 409 on a closed
        case. The file must be a PDF, JPEG or PNG by its content, whatever its name, and within
        the size limit (400 otherwise); it is encrypted before it is stored. A signed consent
        form may name the ``consent`` it records, a custody order its ``custody_transfer``, a
        gatekeeping decision its ``placement``: each of this case (400 otherwise)."""
        actor = actor_of(request)
        # The right to add is checked before the upload is read.
        case = services.document_upload_door(actor, case_id)
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        upload = values.pop("file")
        document = services.document_upload(
            actor=actor, case=case, file=upload, size=upload.size, **values
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    @extend_schema(responses=DocumentSerializer)
    def get(self, request: Request, case_id: int, pk: int) -> Response:
        """One document's record (not its file): needs the documents section (403); a document
        of another case, or a withdrawn one to anyone but the case's owner and her supervisor,
        answers 404. The reading goes into the audit trail."""
        document = selectors.document_detail(
            user=actor_of(request), case_id=case_id, document_id=pk
        )
        return Response(DocumentSerializer(document).data)


class _FileOrJsonError(BaseContentNegotiation):
    """The file is sent as it is, whatever the client accepts: only a refusal goes through a
    renderer, as JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser:
        return next(iter(parsers))

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


OCTET_STREAM = "application/octet-stream"


def _served_as(request: Request, content_type: str) -> str:
    """The document's own media type; bytes without one for a client that asks for bytes and
    not for that type (a generic client that saves whatever file it is given)."""
    accepted = {part.split(";")[0].strip() for part in request.headers.get("Accept", "").split(",")}
    return (
        OCTET_STREAM if OCTET_STREAM in accepted and content_type not in accepted else content_type
    )


class DocumentDownloadView(APIView):
    content_negotiation_class = _FileOrJsonError

    @extend_schema(
        responses={
            (200, media_type): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file as it was uploaded, as an attachment."
            )
            for media_type in [OCTET_STREAM, *DocumentType.values]
        }
    )
    def get(self, request: Request, case_id: int, pk: int) -> FileResponse:
        """The document's file, decrypted, with its media type (or as
        ``application/octet-stream`` to a client that accepts that and not the file's own type),
        for those who see the case's documents section (403 otherwise; 404 out of reach, as for
        a detail). Each download goes into the audit trail."""
        document, content = services.document_download(
            actor=actor_of(request), case_id=case_id, document_id=pk
        )
        return FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=f"document-{document.pk}.{EXTENSIONS[DocumentType(document.content_type)]}",
            content_type=_served_as(request, document.content_type),
        )


class DocumentWithdrawView(APIView):
    @extend_schema(request=DocumentWithdrawSerializer, responses=DocumentSerializer)
    def post(self, request: Request, case_id: int, pk: int) -> Response:
        """Withdraws a document, saying why: it is kept, but hidden from all but the case's
        owner and her supervisor, who alone may withdraw it (403 otherwise). 409 when it is
        withdrawn already. Documents are never deleted."""
        data = DocumentWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_withdraw(
            actor=actor_of(request), case_id=case_id, document_id=pk, **data.validated_data
        )
        return Response(DocumentSerializer(document).data)
