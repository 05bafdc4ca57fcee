from __future__ import annotations

from rest_framework import serializers

from cases.choices import RiskLevel
from cases.models import RiskAssessment, RiskBand, RiskInstrument, RiskOption, RiskQuestion


class RiskOptionSerializer(serializers.ModelSerializer):
    minimum_level = serializers.ChoiceField(
        choices=RiskLevel.choices,
        allow_blank=True,
        read_only=True,
        help_text="Choosing this answer sets the risk to at least this level, whatever the "
        "total; blank for an answer that sets no minimum.",
    )

    class Meta:
        model = RiskOption
        fields = ["code", "label_en", "label_km", "score", "minimum_level"]
        read_only_fields = fields


class RiskQuestionSerializer(serializers.ModelSerializer):
    options = RiskOptionSerializer(many=True, read_only=True)

    class Meta:
        model = RiskQuestion
        fields = ["code", "domain", "text_en", "text_km", "options"]
        read_only_fields = fields


class RiskBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskBand
        fields = ["level", "from_percent", "respond_within_hours", "reassess_after_days"]
        read_only_fields = fields


class RiskInstrumentSerializer(serializers.ModelSerializer):
    questions = RiskQuestionSerializer(many=True, read_only=True)
    bands = RiskBandSerializer(many=True, read_only=True)

    class Meta:
        model = RiskInstrument
        fields = ["id", "version", "name", "questions", "bands"]
        read_only_fields = fields


class RiskAssessmentSerializer(serializers.ModelSerializer):
    answers = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Question code -> option code, for every question of the instrument.",
    )

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "score",
            "max_score",
            "risk_level",
            "respond_within_hours",
            "respond_by",
            "reassess_by",
            "instrument",
            "answers",
            "notes",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = fields


class RiskAssessmentCreateSerializer(serializers.Serializer):
    """The shape of an assessment; whether the answers fit the instrument is the service's
    decision."""

    instrument = serializers.PrimaryKeyRelatedField(queryset=RiskInstrument.objects.all())
    answers = serializers.DictField(
        child=serializers.CharField(max_length=48),
        help_text="Question code -> option code, one for every question of the instrument.",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    safety_plan = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The immediate safety plan: required when the risk is high or critical.",
    )
