"""Case exports: asked for here, built by a worker, downloaded by the person who asked until
they expire. Another person's export answers 404, as a missing one does."""

from __future__ import annotations

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
from core.api.schema import refuses_roles
from exports import selectors, services
from exports.api.serializers import ExportCreateSerializer, ExportSerializer
from exports.files import CONTENT_TYPES
from exports.models import CaseExport


class ExportListView(generics.ListAPIView[CaseExport]):
    """The caller's own exports, newest first, each with its progress and, once ready and until
    it expires, its download address."""

    serializer_class = ExportSerializer

    def get_queryset(self) -> QuerySet[CaseExport]:
        if getattr(self, "swagger_fake_view", False):
            return CaseExport.objects.none()
        return selectors.exports_of(user=actor_of(self.request))

    @extend_schema(request=ExportCreateSerializer, responses={202: ExportSerializer})
    def post(self, request: Request) -> Response:
        """Asks for an export of the cases the caller sees that the case list finds with
        ``filters``, holding ``fields``, for the stated ``reason`` (kept in the audit trail), as
        CSV or XLSX; a worker writes it, and ``GET /exports/{id}/`` follows its progress. For
        supervisors and the social workers of MoSVY and DoSVY (403 for anyone else). 400 for a
        missing reason, an unknown field or filter, or more matching cases than the cap."""
        data = ExportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export = services.export_request(actor=actor_of(request), **data.validated_data)
        body = ExportSerializer(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(APIView):
    @extend_schema(responses=ExportSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One of the caller's exports: its status, progress, rows and, once ready and until it
        expires, its download address. Anybody else's answers 404."""
        export = selectors.export_of(user=actor_of(request), export_id=pk)
        return Response(ExportSerializer(export, context={"request": request}).data)


class _FileOrJsonError(BaseContentNegotiation):
    """The file is sent as it is, whatever the client accepts (``text/csv``, say): only a
    refusal goes through a renderer, as JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser:
        return next(iter(parsers))

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


class ExportDownloadView(APIView):
    content_negotiation_class = _FileOrJsonError

    @extend_schema(
        responses={
            (200, content_type.split(";")[0]): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            )
            for content_type in CONTENT_TYPES.values()
        }
    )
    @refuses_roles
    def get(self, request: Request, pk: int) -> FileResponse:
        """The export's file, for the person who asked for it while it is ready and until it
        expires (404 for anybody else, before and after); 403 when they may no longer export.
        Each download goes into the audit trail."""
        export, handle = services.export_download(actor=actor_of(request), export_id=pk)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=export.download_name,
            content_type=CONTENT_TYPES[export.format],
        )
