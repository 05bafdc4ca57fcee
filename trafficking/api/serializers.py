"""The trafficking pathway as the API reads and writes it. Input serializers check shape; the
services in trafficking.services decide."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Agency
from core.api.serializers import StrictInputSerializer
from trafficking.choices import Direction, Indicator, RepatriationStatus, VictimStatus
from trafficking.models import Crossing, Repatriation, RepatriationStep, VictimIdentification


class VictimIdentificationSerializer(serializers.ModelSerializer):
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=Indicator.choices), read_only=True
    )

    class Meta:
        model = VictimIdentification
        fields = [
            "id",
            "case",
            "date",
            "status",
            "indicators",
            "identifying_agency",
            "reference",
            "notes",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class VictimIdentificationCreateSerializer(StrictInputSerializer):
    date = serializers.DateField()
    status = serializers.ChoiceField(choices=VictimStatus.choices)
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=Indicator.choices),
        required=False,
        default=list,
        max_length=len(Indicator.values),
    )
    identifying_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), allow_null=True, required=False, default=None
    )
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class RepatriationStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = RepatriationStep
        fields = ["status", "date", "note", "moved_by", "moved_at"]
        read_only_fields = fields


class RepatriationSerializer(serializers.ModelSerializer):
    border_point: serializers.SlugRelatedField[Crossing] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    transit_centre: serializers.SlugRelatedField[Crossing] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    steps = RepatriationStepSerializer(many=True, read_only=True)

    class Meta:
        model = Repatriation
        fields = [
            "id",
            "case",
            "direction",
            "country",
            "found_at",
            "border_point",
            "transit_centre",
            "foreign_reference",
            "notes",
            "status",
            "steps",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


def crossing_field() -> serializers.SlugRelatedField[Crossing]:
    """A border crossing or transit centre by its code (``poipet``, ``bavet_transit_centre``)."""
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Crossing.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        default=None,
    )


class RepatriationCreateSerializer(StrictInputSerializer):
    direction = serializers.ChoiceField(choices=Direction.choices)
    country = serializers.CharField(
        max_length=2, help_text="The other country, as its ISO 3166-1 alpha-2 code."
    )
    found_at = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    border_point = crossing_field()
    transit_centre = crossing_field()
    foreign_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class RepatriationAdvanceSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=RepatriationStatus.choices)
    date = serializers.DateField()
    note = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class CrossingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Crossing
        fields = ["code", "kind", "name_en", "name_km", "country"]
        read_only_fields = fields
