"""The standard reports (docs/reports.md): their list, and each report as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from core.api.schema import refuses_roles
from core.web import localized
from reporting.renderers import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, report_file
from reporting.reports import (
    FIRST_YEAR,
    REPORTS,
    Report,
    report_build,
    report_file_name,
    report_parameters,
    report_spec,
)
from reporting.statistics import require_scope

_MAX_ID = 2**63 - 1
FORMATS = ("json", "csv", "xlsx")


# --- The list -----------------------------------------------------------------------------


class ReportParameterSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=["year", "quarter", "location", "format"])
    # ``required`` is an attribute of every serializer field, so the field is declared by name.
    vars()["required"] = serializers.BooleanField()
    description = serializers.CharField()


class ReportSummarySerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(REPORTS))
    title = serializers.CharField()
    description = serializers.CharField()
    parameters = ReportParameterSerializer(many=True)


class ReportListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True, help_text="Always null: one page holds all.")
    previous = serializers.CharField(allow_null=True, help_text="Always null.")
    results = ReportSummarySerializer(many=True)


class ReportListView(APIView):
    @extend_schema(operation_id="reports_list", responses=ReportListSerializer)
    @refuses_roles
    def get(self, request: Request) -> Response:
        """The standard reports: each one's code, title and description in your language, and
        the parameters it takes. For the people statistics are for (403 for anyone else)."""
        actor = actor_of(request)
        require_scope(actor)
        results = [
            {
                "code": spec.code,
                "title": str(spec.title),
                "description": str(spec.description),
                "parameters": report_parameters(spec),
            }
            for spec in REPORTS.values()
        ]
        return Response(
            ReportListSerializer(
                {"count": len(results), "next": None, "previous": None, "results": results}
            ).data
        )


# --- One report ---------------------------------------------------------------------------


class ReportQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=FIRST_YEAR, max_value=9999, help_text="The year, up to this one."
    )
    quarter = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=4,
        help_text="1 to 4: required by `quarterly_cases`, refused by `trafficking_annual`, "
        "optional for the others (without it, the whole year).",
    )
    location = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=_MAX_ID,
        help_text="Id of a province or district within your territory (nothing finer); the "
        "places in the report are then its districts.",
    )
    vars()["format"] = serializers.ChoiceField(
        choices=FORMATS,
        required=False,
        default="json",
        help_text="`json` (default), `csv` (UTF-8 with a byte order mark) or `xlsx` (a sheet "
        "a table).",
    )


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "oneOf": [{"type": "string"}, {"type": "integer", "minimum": 0}],
            "nullable": True,
        },
        "description": "The row's label, then one count for each column after the first: "
        "null when suppressed.",
    }
)
class RowField(serializers.ListField):
    pass


class TableSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The table's name within the report, stable.")
    title = serializers.CharField()
    columns = serializers.ListField(
        child=serializers.CharField(),
        help_text="The header row: what the rows are, each column's label, and the total.",
    )
    rows = serializers.ListField(
        child=RowField(), help_text="The rows, the last one being the total of each column."
    )
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="What the table counts, where it needs saying."
    )


class ReportLocationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    level = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, place: Any) -> str:
        return localized(place.name_en, place.name_km)


class ReportSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    period = serializers.SerializerMethodField()
    location = ReportLocationSerializer(
        allow_null=True,
        help_text="The place the report covers (the one asked for, or your territory); null "
        "for the whole country or an agency's cases.",
    )
    covers = serializers.CharField(help_text="What the counts cover, in words.")
    as_of = serializers.DateTimeField(
        allow_null=True, help_text="Changes saved before this time are counted."
    )
    min_cell = serializers.IntegerField(
        help_text="Counts from 1 to min_cell - 1 are suppressed (null), with enough other cells "
        "that none can be worked out by subtraction."
    )
    suppressed_note = serializers.CharField(
        help_text="The footnote that explains a suppressed count, in your language."
    )
    tables = TableSerializer(many=True)

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
            },
            "required": ["from", "to"],
        }
    )
    def get_period(self, report: Report) -> dict[str, str]:
        return {"from": report.date_from.isoformat(), "to": report.date_to.isoformat()}


FILE_NAME_SENT = OpenApiParameter(
    "Content-Disposition",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="With `format=csv` or `xlsx`: an attachment and its file name, e.g. "
    "`quarterly_cases-2026-Q3.xlsx`.",
    response=[200],
)


class ReportView(APIView):
    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        """``format`` is this endpoint's own parameter, not DRF's choice of a renderer: the
        JSON report and every refusal are JSON, and the handler writes the files itself."""
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        parameters=[
            ReportQuerySerializer,
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(REPORTS),
                description="Which report (an unknown one answers 404).",
            ),
            FILE_NAME_SENT,
        ],
        responses={
            (200, "application/json"): ReportSerializer,
            (200, CSV_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="With `format=csv`: the report as CSV."
            ),
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="With `format=xlsx`: the report as XLSX."
            ),
        },
    )
    @refuses_roles
    def get(self, request: Request, code: str) -> HttpResponse:
        """A standard report for a year or a quarter, within your scope (your territory or your
        agency) or a province or district of it: its tables of counts, with small counts
        suppressed exactly as the statistics endpoints suppress them, and its labels in your
        language. As JSON, CSV or XLSX (`format`)."""
        actor = actor_of(request)
        report_spec(code)
        require_scope(actor)
        params = ReportQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        values = params.validated_data
        report = report_build(
            user=actor,
            code=code,
            year=values["year"],
            quarter=values.get("quarter"),
            location=values.get("location"),
        )
        body = ReportSerializer(report).data
        chosen = values["format"]
        if chosen == "json":
            return Response(body)
        name = report_file_name(report, quarter=values.get("quarter"), extension=chosen)
        content, content_type = report_file(body, chosen)
        return HttpResponse(
            content,
            content_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
