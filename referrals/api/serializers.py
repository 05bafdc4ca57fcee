from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import ServiceCodeField
from accounts.models import Agency, User
from cases.choices import Section, Sex
from cases.models import Case, CaseNote, CaseService, Child
from cases.prefetched import concern_codes_of
from core.api.representation import TodayOnce, moment
from core.api.serializers import shown_columns
from referrals.choices import ReferralDirection, ReferralStatus, ReferralType, Urgency
from referrals.models import Referral
from referrals.rules import REFERRAL_ACTIONS, referral_actions


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    to_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), help_text="An active agency other than the sender's."
    )
    type = serializers.ChoiceField(choices=ReferralType.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    services = serializers.ListField(
        child=ServiceCodeField(),
        required=False,
        default=list,
        help_text="Service codes asked for: at least one for a service referral; a transfer "
        "may name none.",
    )
    reason = serializers.CharField()
    shared_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=Section.choices),
        required=False,
        default=list,
        help_text="Sections of the case the receiver reads once it accepts a service referral.",
    )
    consent_override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed when no recorded consent of the case covers referral "
        "(POST /cases/{id}/consents/ with the scope referral): why the child is referred without "
        "it. Only supervisors and police may refer without consent. Ignored when a consent "
        "covers referral.",
    )


class AcceptSerializer(serializers.Serializer):
    assigned_to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        help_text="An active social worker or supervisor of the receiving agency.",
    )


class ReferralReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why; required, and not only blanks.")


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        help_text="What was done and how the child is; required, and not only blanks."
    )


class ReferralChildSerializer(serializers.Serializer):
    """What a receiving agency may know of the child before it accepts: enough to decide, not
    to identify."""

    initials = serializers.CharField(
        help_text='Initials of the names in Latin letters ("S.M."), else in Khmer; empty when '
        "no name is recorded."
    )
    age = serializers.IntegerField(
        allow_null=True, help_text="In years; null when neither a birth date nor an age is known."
    )
    sex = serializers.ChoiceField(choices=Sex.choices)
    concerns = serializers.ListField(child=serializers.CharField(), help_text="Concern codes.")


def _child_summary(case: Case, today: date) -> dict[str, Any]:
    child = case.child
    return {
        "initials": child.initials,
        "age": child.age_on(today),
        "sex": child.sex,
        "concerns": concern_codes_of(case),
    }


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


class ReferralContributionsSerializer(serializers.Serializer):
    """What the receiving agency recorded on the case while working on the referral."""

    notes = ContributionNoteSerializer(many=True)
    services = ContributionServiceSerializer(many=True)


class ReferralSerializer(TodayOnce, serializers.ModelSerializer):
    """A referral as the caller's side may see it (``user`` in the context)."""

    services = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Service codes asked for."
    )
    shared_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=Section.choices), read_only=True
    )
    overdue = serializers.BooleanField(read_only=True)
    direction = serializers.SerializerMethodField(
        help_text="outgoing when the caller's agency sent the referral, else incoming."
    )
    consent_overridden = serializers.SerializerMethodField(
        help_text="Whether the child was referred without a recorded consent."
    )
    child = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField(
        help_text="The case's id, to the sending side, and to the receiving side while the "
        "referral is accepted; null otherwise. Of a restricted case, null to anybody not named "
        "on it."
    )
    # The schema calls read-only fields always sent; these two are not, so they are not
    # read-only (the serializer only ever writes answers).
    case_number = serializers.CharField(
        source="case.case_number",
        required=False,
        help_text="Only to the sending side, and of a restricted case only to those named on it.",
    )
    contributions = ReferralContributionsSerializer(
        required=False,
        help_text="Only in a referral's own answer (GET /referrals/{id}/), to the receiving side "
        "once the referral is sent.",
    )
    actions = serializers.SerializerMethodField(
        help_text="What the caller may do on the referral now."
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
            "direction",
            "consent_overridden",
            "child",
            "case",
            "case_number",
            "contributions",
        ]
        read_only_fields = fields

    def _sender(self, instance: Referral) -> bool:
        user: User = self.context["user"]
        return user.agency_id == instance.from_agency_id

    def _may_know_case(self, instance: Referral) -> bool:
        # Of a restricted case, only a reader named on it learns which case it is (the
        # selector annotates ``reader_named``).
        return not instance.case.restricted or getattr(instance, "reader_named", False)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(REFERRAL_ACTIONS)))
    )
    def get_actions(self, instance: Referral) -> list[str]:
        return sorted(referral_actions(self.context["user"], instance))

    @extend_schema_field(serializers.ChoiceField(choices=ReferralDirection.choices))
    def get_direction(self, instance: Referral) -> str:
        direction = (
            ReferralDirection.OUTGOING if self._sender(instance) else ReferralDirection.INCOMING
        )
        return direction.value

    def get_consent_overridden(self, instance: Referral) -> bool:
        return bool(instance.consent_override_reason)

    @extend_schema_field(ReferralChildSerializer)
    def get_child(self, instance: Referral) -> dict[str, Any]:
        return _child_summary(instance.case, self.today)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_case(self, instance: Referral) -> int | None:
        # The receiver learns which case it is only while it works on it.
        working = instance.status == ReferralStatus.ACCEPTED
        knows = (self._sender(instance) or working) and self._may_know_case(instance)
        return instance.case_id if knows else None

    def to_representation(self, instance: Referral) -> dict[str, Any]:
        """The referral built in one pass rather than field by field (as CaseSerializer's);
        the declared fields stay the schema. ``contributions`` is added by the view."""
        referral = instance
        data: dict[str, Any] = {
            "id": referral.pk,
            "status": referral.status,
            "type": referral.type,
            "urgency": referral.urgency,
            "services": list(referral.services),
            "reason": referral.reason,
            "shared_sections": list(referral.shared_sections),
            "consent_override_reason": referral.consent_override_reason,
            "from_agency": referral.from_agency_id,
            "to_agency": referral.to_agency_id,
            "respond_by": moment(referral.respond_by),
            "overdue": referral.overdue,
            "created_by": referral.created_by_id,
            "created_at": moment(referral.created_at),
            "sent_at": moment(referral.sent_at),
            "approved_by": referral.approved_by_id,
            "answered_by": referral.answered_by_id,
            "answered_at": moment(referral.answered_at),
            "assigned_to": referral.assigned_to_id,
            "decline_reason": referral.decline_reason,
            "outcome": referral.outcome,
            "completed_at": moment(referral.completed_at),
            "cancel_reason": referral.cancel_reason,
            "closed_at": moment(referral.closed_at),
            "actions": self.get_actions(referral),
            "direction": self.get_direction(referral),
            "consent_overridden": self.get_consent_overridden(referral),
            "child": self.get_child(referral),
            "case": self.get_case(referral),
        }
        if self._sender(referral) and self._may_know_case(referral):
            data["case_number"] = referral.case.case_number
        return data


# The columns a listed referral is shown from, of the referral and of the rows it joins (the
# actions' rules read the creator's supervisor and the case's owner): a list reads no others,
# and does not join the agencies, of which it shows the ids.
REFERRAL_COLUMNS = (
    *shown_columns(ReferralSerializer),
    "created_by__supervisor",
    "case__case_number",
    "case__owner",
    "case__restricted",
    *(f"case__child__{field}" for field in Child.NAME_AGE_AND_SEX),
)
