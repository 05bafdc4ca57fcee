from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import StrictInputSerializer
from exports.fields import catalogue
from exports.models import CaseExport, ExportFormat

FIELDS_HELP = (
    "The case detail's field names, dotted for the child's (child.given_name). A field of a "
    "section the caller does not see on a case is left empty in that case's row."
)
FILTERS_HELP = (
    "The case list's filters (GET /api/v1/cases/): status, stage, risk_level, concern, "
    "location, owner, q; any other name is refused."
)


class ExportCreateSerializer(StrictInputSerializer):
    filters = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        default=dict,
        help_text=FILTERS_HELP,
    )
    # The contract's name shadows Serializer.fields, which DRF keeps: declared fields are
    # taken off the class.
    fields = serializers.ListField(  # type: ignore[assignment]
        child=serializers.ChoiceField(choices=list(catalogue())),
        min_length=1,
        max_length=len(catalogue()),
        help_text=FIELDS_HELP,
    )
    reason = serializers.CharField(
        max_length=1000, help_text="Why the export is needed: kept in the audit trail."
    )
    format = serializers.ChoiceField(choices=ExportFormat.choices)


class ExportSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField(
        help_text="Where the requester downloads the file, while it is ready and not expired; "
        "null otherwise. Nobody else may download it."
    )
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent written.")
    rows = serializers.IntegerField(help_text="Cases written so far; all of them once done.")
    fields = serializers.ListField(  # type: ignore[assignment]
        child=serializers.CharField(), help_text=FIELDS_HELP
    )
    filters = serializers.DictField(child=serializers.CharField(), help_text=FILTERS_HELP)

    class Meta:
        model = CaseExport
        fields = [
            "id",
            "status",
            "progress",
            "rows",
            "download",
            "expires_at",
            "format",
            "fields",
            "filters",
            "reason",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, export: CaseExport) -> str | None:
        if not export.downloadable(timezone.now()):
            return None
        path = reverse("export-download", args=[export.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
