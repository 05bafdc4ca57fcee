from __future__ import annotations

from rest_framework import serializers

from imports.models import CaseImport

# A plain string in the schema: an enum of its own would collide with the exports' status,
# which has the same codes (and settings hold the enum names).
STATUS_HELP = "queued, running (being checked and saved), done (see errors) or failed."


class ImportCreateSerializer(serializers.Serializer[dict[str, object]]):
    file = serializers.FileField(help_text="CSV (UTF-8, with or without a BOM) or XLSX.")
    dry_run = serializers.BooleanField(
        default=False, help_text="Check every row and count what would be done; save nothing."
    )


class ImportErrorSerializer(serializers.Serializer[dict[str, object]]):
    row = serializers.IntegerField(help_text="The row's number in the file; the header is row 1.")
    field = serializers.CharField(help_text="The column.")
    message = serializers.CharField()


class ImportSerializer(serializers.ModelSerializer[CaseImport]):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")
    # The contract's name shadows Serializer.errors, which DRF keeps: declared fields are
    # taken off the class.
    errors = ImportErrorSerializer(  # type: ignore[assignment]
        many=True, help_text="Every error, by row then column."
    )

    class Meta:
        model = CaseImport
        fields = [
            "id",
            "status",
            "progress",
            "dry_run",
            "rows",
            "created",
            "updated",
            "unchanged",
            "errors",
            "error",
            "sha256",
            "file_name",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportQueuedSerializer(serializers.ModelSerializer[CaseImport]):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = CaseImport
        fields = ["id", "status"]
        read_only_fields = fields
