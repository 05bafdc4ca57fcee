"""Legal proceedings and hearings as the API reads and writes them. Input serializers check
shape; the services in legal.services decide."""

from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import StrictInputSerializer
from legal.choices import ChildRole, DefendantStatus, HearingKind
from legal.models import RIEL_DIGITS, DefendantStatusChange, Hearing, LegalProceeding


def riel() -> serializers.DecimalField:
    """An amount in riel, whole riel, not negative."""
    return serializers.DecimalField(
        max_digits=RIEL_DIGITS,
        decimal_places=0,
        min_value=0,
        allow_null=True,
        required=False,
        default=None,
        help_text="In Cambodian riel (KHR), whole riel.",
    )


def _status(help_text: str) -> serializers.ChoiceField:
    # Empty where no status was known: declared, as a read-only model field loses its blank.
    return serializers.ChoiceField(
        choices=DefendantStatus.choices, allow_blank=True, read_only=True, help_text=help_text
    )


class DefendantStatusChangeSerializer(serializers.ModelSerializer):
    from_status = _status("The status before; empty for the first one known.")

    class Meta:
        model = DefendantStatusChange
        fields = ["from_status", "to_status", "date", "changed_by", "recorded_at"]
        read_only_fields = fields


class LegalProceedingSerializer(serializers.ModelSerializer):
    defendant_status = _status("The defendant's latest status; empty while not known.")
    defendant_status_history = DefendantStatusChangeSerializer(
        source="status_changes", many=True, read_only=True
    )
    restitution_ordered = serializers.DecimalField(
        max_digits=RIEL_DIGITS,
        decimal_places=0,
        allow_null=True,
        read_only=True,
        help_text="In Cambodian riel (KHR), whole riel.",
    )
    restitution_paid = serializers.DecimalField(
        max_digits=RIEL_DIGITS,
        decimal_places=0,
        allow_null=True,
        read_only=True,
        help_text="In Cambodian riel (KHR), whole riel.",
    )

    class Meta:
        model = LegalProceeding
        fields = [
            "id",
            "case",
            "court",
            "reference",
            "child_role",
            "offence",
            "filed_on",
            "defendant_status",
            "defendant_status_history",
            "outcome",
            "sentence",
            "restitution_ordered",
            "restitution_paid",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LegalProceedingCreateSerializer(StrictInputSerializer):
    court = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    child_role = serializers.ChoiceField(choices=ChildRole.choices)
    offence = serializers.CharField(max_length=200, required=False, allow_blank=True)
    filed_on = serializers.DateField(required=False, allow_null=True, default=None)
    defendant_status = serializers.ChoiceField(
        choices=DefendantStatus.choices, required=False, allow_blank=True
    )
    outcome = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    sentence = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    restitution_ordered = riel()
    restitution_paid = riel()


class LegalProceedingUpdateSerializer(StrictInputSerializer):
    """Any of the proceeding's fields; a new ``defendant_status`` is added to its history."""

    court = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=100, allow_blank=True)
    child_role = serializers.ChoiceField(choices=ChildRole.choices)
    offence = serializers.CharField(max_length=200, allow_blank=True)
    filed_on = serializers.DateField(allow_null=True)
    defendant_status = serializers.ChoiceField(choices=DefendantStatus.choices)
    outcome = serializers.CharField(allow_blank=True, trim_whitespace=False)
    sentence = serializers.CharField(allow_blank=True, trim_whitespace=False)
    restitution_ordered = serializers.DecimalField(
        max_digits=RIEL_DIGITS, decimal_places=0, min_value=0, allow_null=True
    )
    restitution_paid = serializers.DecimalField(
        max_digits=RIEL_DIGITS, decimal_places=0, min_value=0, allow_null=True
    )


class HearingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hearing
        fields = [
            "id",
            "proceeding",
            "date",
            "kind",
            "child_testified",
            "video_link",
            "other_protection",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class HearingCreateSerializer(StrictInputSerializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=HearingKind.choices)
    child_testified = serializers.BooleanField(required=False, default=False)
    video_link = serializers.BooleanField(required=False, default=False)
    other_protection = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
