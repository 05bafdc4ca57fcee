from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from accounts.models import Agency, Location, User
from reintegration.choices import FollowUpOutcome, PlacementType
from reintegration.models import FollowUp, Placement, Reintegration


class GatekeepingSerializer(serializers.Serializer):
    reason = serializers.CharField()
    alternatives_considered = serializers.CharField()
    approved_by = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class PlacementCreateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=PlacementType.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )
    caregiver = serializers.CharField(required=False, allow_blank=True, max_length=200)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True
    )
    # Checked by the service: residential care without it is refused.
    gatekeeping = GatekeepingSerializer(required=False, allow_null=True)


class PlacementSerializer(serializers.ModelSerializer):
    gatekeeping = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()

    class Meta:
        model = Placement
        fields = [
            "id",
            "case",
            "type",
            "start_date",
            "end_date",
            "current",
            "location",
            "caregiver",
            "agency",
            "gatekeeping",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_gatekeeping(self, placement: Placement) -> dict[str, Any] | None:
        if not placement.gatekeeping_reason:
            return None
        return {
            "reason": placement.gatekeeping_reason,
            "alternatives_considered": placement.gatekeeping_alternatives,
            "approved_by": placement.gatekeeping_approved_by_id,
        }

    def get_current(self, placement: Placement) -> bool:
        return placement.end_date is None


class PreparationVisitSerializer(serializers.Serializer):
    date = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True)


class CasePlacementField(serializers.PrimaryKeyRelatedField):
    """A placement of the case in the serializer's context: any other id is "not found", so
    nothing is learnt of other cases' placements."""

    def get_queryset(self) -> QuerySet[Placement]:
        return Placement.objects.filter(case=self.context["case"])


class ReintegrationCreateSerializer(serializers.Serializer):
    date = serializers.DateField()
    placement = CasePlacementField(
        queryset=Placement.objects.all(), help_text="The family placement the child goes to."
    )
    follow_up_worker = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    commune_focal_point = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    readiness_assessment = serializers.CharField(required=False, allow_blank=True)
    family_assessment = serializers.CharField(required=False, allow_blank=True)
    preparation_visits = PreparationVisitSerializer(many=True, required=False)
    schedule_months = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_empty=False,
        help_text="Months after the date of each visit; default from FOLLOW_UP_SCHEDULE_MONTHS.",
    )


class FollowUpSerializer(serializers.ModelSerializer):
    """A visit with what the person visiting needs of the child: name, age, sex and the
    family's address; nothing else of the case."""

    child = serializers.SerializerMethodField()
    case_number = serializers.CharField(source="case.case_number", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "case",
            "case_number",
            "reintegration",
            "sequence",
            "scheduled_date",
            "status",
            "overdue",
            "visit_date",
            "visited_by",
            "outcome",
            "scores",
            "notes",
            "completed_at",
            "missed_reason",
            "rescheduled_from",
            "child",
        ]
        read_only_fields = fields

    def get_overdue(self, follow_up: FollowUp) -> bool:
        return follow_up.status == "scheduled" and follow_up.scheduled_date < timezone.localdate()

    def get_child(self, follow_up: FollowUp) -> dict[str, Any]:
        child, placement = follow_up.case.child, follow_up.reintegration.placement
        location = placement.location
        return {
            "given_name": child.given_name,
            "family_name": child.family_name,
            "given_name_km": child.given_name_km,
            "family_name_km": child.family_name_km,
            "sex": child.sex,
            "age": child.age,
            "address": {
                "location": location.pk if location else None,
                "location_name": location.name_en if location else "",
                "location_name_km": location.name_km if location else "",
                "caregiver": placement.caregiver,
            },
        }


class ReintegrationSerializer(serializers.ModelSerializer):
    follow_ups = serializers.SerializerMethodField()

    class Meta:
        model = Reintegration
        fields = [
            "id",
            "case",
            "date",
            "placement",
            "from_placement",
            "commune",
            "readiness_assessment",
            "family_assessment",
            "preparation_visits",
            "follow_up_worker",
            "commune_focal_point",
            "schedule_months",
            "created_by",
            "created_at",
            "follow_ups",
        ]
        read_only_fields = fields

    def get_follow_ups(self, reintegration: Reintegration) -> list[dict[str, Any]]:
        return [
            {
                "id": visit.pk,
                "sequence": visit.sequence,
                "scheduled_date": visit.scheduled_date,
                "status": visit.status,
                "outcome": visit.outcome or None,
            }
            for visit in reintegration.follow_ups.all()
        ]


class FollowUpCompleteSerializer(serializers.Serializer):
    visit_date = serializers.DateField()
    outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices)
    scores = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Each wellbeing domain (safety, care, health, education, "
        "family_relationships, economic, child_view) scored 1 (very poor) to 5 (good).",
    )
    notes = serializers.CharField(required=False, allow_blank=True)


class FollowUpRescheduleSerializer(serializers.Serializer):
    new_date = serializers.DateField()
    reason = serializers.CharField()
