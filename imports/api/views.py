"""Case imports: a file sent here, checked and saved by a worker, followed by the person who
sent it (anybody else's answers 404, as a missing one does)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from imports import files, services
from imports.api.serializers import ImportCreateSerializer, ImportQueuedSerializer, ImportSerializer
from imports.models import ImportFormat


class ImportCreateView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request=ImportCreateSerializer, responses={202: ImportQueuedSerializer})
    def post(self, request: Request) -> Response:
        """Sends a file of cases (the template's columns, or a Primero case export as it comes)
        for the caller's agency; a worker checks every row and then saves all of them or none.
        ``GET /imports/{id}/`` follows it. For agency admins and supervisors (403 for anyone
        else)."""
        actor = actor_of(request)
        services.require_importer(actor)
        data = ImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        case_import = services.import_request(
            actor=actor,
            content=upload.read(),
            file_name=upload.name or "",
            dry_run=data.validated_data["dry_run"],
        )
        return Response(ImportQueuedSerializer(case_import).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    @extend_schema(responses=ImportSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One of the caller's imports: status, progress, counts and every error by row and
        column. Anybody else's answers 404."""
        case_import = services.import_of(user=actor_of(request), import_id=pk)
        return Response(ImportSerializer(case_import).data)


class _FileOrJsonError(BaseContentNegotiation):
    """``?format=`` names the template's format here, not a renderer: the file goes as it is,
    only a refusal through the first renderer, as JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser:
        return next(iter(parsers))

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


class ImportTemplateView(APIView):
    content_negotiation_class = _FileOrJsonError

    @extend_schema(
        parameters=[
            OpenApiParameter("format", enum=ImportFormat.values, default=ImportFormat.XLSX)
        ],
        responses={
            (200, content_type.split(";")[0]): OpenApiResponse(
                OpenApiTypes.BINARY, description="The empty template, as an attachment."
            )
            for content_type in files.CONTENT_TYPES.values()
        },
    )
    def get(self, request: Request) -> HttpResponse:
        """The import template: one header row, each column's name then its Khmer label."""
        chosen = request.query_params.get("format", ImportFormat.XLSX)
        if chosen not in ImportFormat.values:
            chosen = ImportFormat.XLSX
        return template_response(chosen)


def template_response(template_format: str) -> HttpResponse:
    response = HttpResponse(
        files.template(template_format), content_type=files.CONTENT_TYPES[template_format]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="cases-import-template.{template_format}"'
    )
    return response
