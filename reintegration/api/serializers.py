from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Agency, Location, User
from cases.choices import Sex
from cases.models import Child
from core.api.representation import TodayOnce, day, moment
from core.api.serializers import shown_columns
from reintegration.choices import (
    SCORE_MAX,
    SCORE_MIN,
    FollowUpOutcome,
    FollowUpStatus,
    PlacementType,
    WellbeingDomain,
)
from reintegration.models import FollowUp, Placement, Reintegration
from reintegration.services import MAX_SCHEDULE_MONTHS


class GatekeepingSerializer(serializers.Serializer):
    reason = serializers.CharField()
    alternatives_considered = serializers.CharField()
    approved_by = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        help_text="An active supervisor of the case's agency or of the social affairs office of "
        "its place.",
    )


class GatekeepingDecisionSerializer(serializers.Serializer):
    """The decision that care away from a family is needed."""

    reason = serializers.CharField()
    alternatives_considered = serializers.CharField()
    approved_by = serializers.IntegerField()


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
    gatekeeping = GatekeepingSerializer(
        required=False,
        allow_null=True,
        help_text="Required for residential_care: the decision that care away from a family "
        "is needed.",
    )


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

    @extend_schema_field(
        GatekeepingDecisionSerializer(
            allow_null=True, help_text="The gatekeeping decision; null when none was recorded."
        )
    )
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


class PreparationVisitReadSerializer(serializers.Serializer):
    date = serializers.DateField()
    notes = serializers.CharField(help_text="Empty when none were written.")


class CasePlacementField(serializers.PrimaryKeyRelatedField):
    """A placement of the case in the serializer's context: any other id is "not found", so
    nothing is learnt of other cases' placements."""

    def get_queryset(self) -> QuerySet[Placement]:
        return Placement.objects.filter(case=self.context["case"])


class ReintegrationCreateSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="On or after the family placement's start.")
    placement = CasePlacementField(
        queryset=Placement.objects.all(),
        help_text="The family placement (parents, kinship or foster) the child goes to; its "
        "place decides the commune that follows the child.",
    )
    follow_up_worker = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        help_text="An active social worker or supervisor of an agency.",
    )
    commune_focal_point = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="An active commune committee member of the family's commune.",
    )
    readiness_assessment = serializers.CharField(required=False, allow_blank=True)
    family_assessment = serializers.CharField(required=False, allow_blank=True)
    preparation_visits = PreparationVisitSerializer(many=True, required=False)
    schedule_months = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_empty=False,
        min_length=1,
        help_text="Months after the date of each visit, in increasing order, each from 1 to "
        f"{MAX_SCHEDULE_MONTHS}; default from FOLLOW_UP_SCHEDULE_MONTHS (1, 3, 6, 12).",
    )


class WellbeingScoresSerializer(serializers.Serializer):
    """Every wellbeing domain scored from 1 (very poor) to 5 (good)."""

    scores_required = True

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            domain.value: serializers.IntegerField(
                min_value=SCORE_MIN,
                max_value=SCORE_MAX,
                required=self.scores_required,
                help_text=domain.label,
            )
            for domain in WellbeingDomain
        }


class RecordedScoresSerializer(WellbeingScoresSerializer):
    """A visit's scores: empty until the visit is recorded, then every wellbeing domain scored
    from 1 (very poor) to 5 (good)."""

    scores_required = False


@extend_schema_field(WellbeingScoresSerializer)
class WellbeingScoresField(serializers.DictField):
    """Domain -> score, checked by the service, which names every wrong domain in one answer."""


class FollowUpAddressSerializer(serializers.Serializer):
    """Where the family lives: the family placement's place and carer."""

    location = serializers.IntegerField(allow_null=True)
    location_name = serializers.CharField(help_text="Empty when the placement has no place.")
    location_name_km = serializers.CharField(help_text="Empty when the placement has no place.")
    caregiver = serializers.CharField()


class FollowUpChildSerializer(serializers.Serializer):
    """What the person visiting needs of the child."""

    given_name = serializers.CharField()
    family_name = serializers.CharField()
    given_name_km = serializers.CharField()
    family_name_km = serializers.CharField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    age = serializers.IntegerField(
        allow_null=True, help_text="In years; null when neither a birth date nor an age is known."
    )
    address = FollowUpAddressSerializer()


class ScheduledVisitSerializer(serializers.Serializer):
    """A visit of the reintegration's schedule."""

    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    scheduled_date = serializers.DateField()
    status = serializers.ChoiceField(choices=FollowUpStatus.choices)
    outcome = serializers.ChoiceField(
        choices=FollowUpOutcome.choices,
        allow_null=True,
        help_text="Null until the visit is recorded.",
    )


class FollowUpSerializer(TodayOnce, serializers.ModelSerializer):
    """A visit with what the person visiting needs of the child: name, age, sex and the
    family's address; nothing else of the case."""

    child = serializers.SerializerMethodField()
    case_number = serializers.CharField(source="case.case_number", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="Scheduled, and the date is past.")
    outcome = serializers.ChoiceField(
        choices=FollowUpOutcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until the visit is recorded.",
    )
    scores = serializers.SerializerMethodField()

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

    def to_representation(self, follow_up: FollowUp) -> dict[str, Any]:
        """The visit built in one pass: DRF's walk of the declared fields (the schema) was
        two fifths of a page's Python. tests/api/test_one_pass_representation.py holds the two
        to the same keys, order and values."""
        return {
            "id": follow_up.pk,
            "case": follow_up.case_id,
            "case_number": follow_up.case.case_number,
            "reintegration": follow_up.reintegration_id,
            "sequence": follow_up.sequence,
            "scheduled_date": day(follow_up.scheduled_date),
            "status": follow_up.status,
            "overdue": self.get_overdue(follow_up),
            "visit_date": day(follow_up.visit_date),
            "visited_by": follow_up.visited_by_id,
            "outcome": follow_up.outcome,
            "scores": self.get_scores(follow_up),
            "notes": follow_up.notes,
            "completed_at": moment(follow_up.completed_at),
            "missed_reason": follow_up.missed_reason,
            "rescheduled_from": follow_up.rescheduled_from_id,
            "child": self.get_child(follow_up),
        }

    def get_overdue(self, follow_up: FollowUp) -> bool:
        return follow_up.status == "scheduled" and follow_up.scheduled_date < self.today

    @extend_schema_field(RecordedScoresSerializer)
    def get_scores(self, follow_up: FollowUp) -> dict[str, int]:
        return follow_up.scores

    @extend_schema_field(FollowUpChildSerializer)
    def get_child(self, follow_up: FollowUp) -> dict[str, Any]:
        child, placement = follow_up.case.child, follow_up.reintegration.placement
        location = placement.location
        return {
            "given_name": child.given_name,
            "family_name": child.family_name,
            "given_name_km": child.given_name_km,
            "family_name_km": child.family_name_km,
            "sex": child.sex,
            "age": child.age_on(self.today),
            "address": {
                "location": location.pk if location else None,
                "location_name": location.name_en if location else "",
                "location_name_km": location.name_km if location else "",
                "caregiver": placement.caregiver,
            },
        }


# The columns FollowUpSerializer reads, of the visit and of the rows it joins: a list reads no
# others (the case's summary and dates, the child's documents, the placement's assessments).
FOLLOW_UP_COLUMNS = (
    *shown_columns(FollowUpSerializer),
    "case__case_number",
    *(f"case__child__{field}" for field in Child.NAME_AGE_AND_SEX),
    "reintegration__placement__caregiver",
    "reintegration__placement__location__name_en",
    "reintegration__placement__location__name_km",
)


class ReintegrationSerializer(serializers.ModelSerializer):
    preparation_visits = PreparationVisitReadSerializer(many=True, read_only=True)
    schedule_months = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Months after the date of each visit, in increasing order.",
    )
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

    @extend_schema_field(ScheduledVisitSerializer(many=True))
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
    visit_date = serializers.DateField(
        help_text="Not in the future, nor before the reintegration's date."
    )
    outcome = serializers.ChoiceField(
        choices=FollowUpOutcome.choices,
        help_text="at_risk or breakdown notifies the case owner and asks for a reassessment.",
    )
    scores = WellbeingScoresField(
        child=serializers.IntegerField(),
        help_text="Each wellbeing domain (safety, care, health, education, "
        "family_relationships, economic, child_view) scored 1 (very poor) to 5 (good); every "
        "domain is scored and no other is named.",
    )
    notes = serializers.CharField(required=False, allow_blank=True)


class FollowUpRescheduleSerializer(serializers.Serializer):
    new_date = serializers.DateField(help_text="Not in the past.")
    reason = serializers.CharField(help_text="Why the visit did not happen.")
