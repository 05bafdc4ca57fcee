"""Concern reports as the API takes and gives them: the office sees the whole report and the
case it led to; the reporter sees what she said and its status, never the case."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import Location
from cases.choices import Sex
from cases.models import ConcernType
from intake.choices import ReportUrgency
from intake.models import ConcernReport


class ConcernReportCreateSerializer(serializers.Serializer):
    child_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="A name or initials.",
    )
    age = serializers.IntegerField(
        min_value=0, max_value=17, required=False, allow_null=True, default=None
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, default=Sex.UNKNOWN)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(),
        help_text="The commune or village where the child is (GET /api/v1/locations/).",
    )
    concern = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ConcernType.objects.all(),
        help_text="A concern code (GET /api/v1/concerns/).",
    )
    urgency = serializers.ChoiceField(choices=ReportUrgency.choices)
    description = serializers.CharField(max_length=5000, help_text="What was seen or heard.")
    reporter_contact = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class ConcernReportSerializer(serializers.ModelSerializer):
    """A report as its reporter sees it; ``case`` and ``close_reason`` are null and empty for
    her whatever happened (``reporter_view`` in the context)."""

    concern = serializers.CharField(source="concern_id", read_only=True)
    case = serializers.SerializerMethodField(
        help_text="The case opened from the report; null for whoever does not triage it."
    )
    close_reason = serializers.SerializerMethodField(
        help_text="Why it was closed; empty for whoever does not triage it."
    )
    office_name = serializers.CharField(source="office.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ConcernReport
        fields = [
            "id",
            "status",
            "status_label",
            "child_name",
            "age",
            "sex",
            "location",
            "concern",
            "urgency",
            "description",
            "reporter_contact",
            "reporter",
            "office",
            "office_name",
            "created_at",
            "triage_by",
            "triaged_at",
            "case",
            "close_reason",
        ]
        read_only_fields = fields

    def _triages(self, report: ConcernReport) -> bool:
        office_of: int | None = self.context.get("office_id")
        return office_of is not None and office_of == report.office_id

    def get_case(self, report: ConcernReport) -> int | None:
        return report.case_id if self._triages(report) else None

    def get_close_reason(self, report: ConcernReport) -> str:
        return report.close_reason if self._triages(report) else ""


class ConcernReportCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why no case is opened.")


def open_case_input(defaults: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """The case to open: what the report says, completed or corrected by what the office sent
    (the body of POST /cases/, every part optional; the child's fields one by one)."""
    merged = {**defaults, **{key: value for key, value in sent.items() if key != "child"}}
    child = sent.get("child", {})
    merged["child"] = {**defaults["child"], **child} if isinstance(child, dict) else child
    return merged
