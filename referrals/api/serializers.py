from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import ServiceCodeField
from accounts.models import Agency, User
from cases.choices import Section
from cases.models import Case, CaseNote, CaseService
from referrals.choices import ReferralStatus, ReferralType, Urgency
from referrals.models import Referral
from referrals.rules import referral_actions


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    to_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    type = serializers.ChoiceField(choices=ReferralType.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    services = serializers.ListField(child=ServiceCodeField(), required=False, default=list)
    reason = serializers.CharField()
    shared_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=Section.choices), required=False, default=list
    )
    consent_override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptSerializer(serializers.Serializer):
    assigned_to = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class ReferralReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField()


def _child_summary(case: Case) -> dict[str, Any]:
    """What a receiving agency may know before it accepts: enough to decide, not to identify."""
    child = case.child
    return {
        "initials": child.initials,
        "age": child.age,
        "sex": child.sex,
        "concerns": [row.concern_id for row in case.concern_rows.all()],
    }


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the caller's side may see it (``user`` in the context)."""

    overdue = serializers.BooleanField(read_only=True)
    actions = serializers.SerializerMethodField(
        help_text="What the caller may do on the referral now: approve, accept, decline, "
        "complete, cancel."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "status",
            "type",
            "urgency",
            "services",
            "reason",
            "shared_sections",
            "consent_override_reason",
            "from_agency",
            "to_agency",
            "respond_by",
            "overdue",
            "created_by",
            "created_at",
            "sent_at",
            "approved_by",
            "answered_by",
            "answered_at",
            "assigned_to",
            "decline_reason",
            "outcome",
            "completed_at",
            "cancel_reason",
            "closed_at",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, instance: Referral) -> list[str]:
        return sorted(referral_actions(self.context["user"], instance))

    def to_representation(self, instance: Referral) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        user: User = self.context["user"]
        sender = user.agency_id == instance.from_agency_id
        data["direction"] = "outgoing" if sender else "incoming"
        data["consent_overridden"] = bool(instance.consent_override_reason)
        data["child"] = _child_summary(instance.case)
        # The receiver learns which case it is only while it works on it; of a restricted
        # case, only a reader named on it does (the selector annotates ``reader_named``).
        working = instance.status == ReferralStatus.ACCEPTED
        may_know_case = not instance.case.restricted or getattr(instance, "reader_named", False)
        data["case"] = instance.case_id if (sender or working) and may_know_case else None
        if sender and may_know_case:
            data["case_number"] = instance.case.case_number
        return data


class ContributionNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseNote
        fields = ["id", "kind", "date", "text", "author", "created_at"]
        read_only_fields = fields


class ContributionServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseService
        fields = ["id", "service", "status", "start_date", "end_date", "notes", "recorded_at"]
        read_only_fields = fields
