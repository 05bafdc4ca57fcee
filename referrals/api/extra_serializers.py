"""Serializers of the service directory, custody transfers and the supervisor's queue."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from accounts.models import Agency, Location, ServiceType
from referrals.models import CustodyTransfer, Referral

# --- Service directory -------------------------------------------------------------------------


class DirectoryQuerySerializer(serializers.Serializer):
    services = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Service codes separated by commas; an agency must offer all of them.",
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The child's location (any level); none lists agencies everywhere.",
    )

    def validate_services(self, value: str) -> list[str]:
        codes = list(dict.fromkeys(code.strip() for code in value.split(",") if code.strip()))
        known = set(
            ServiceType.objects.filter(is_active=True, code__in=codes).values_list(
                "code", flat=True
            )
        )
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(
                [f"Unknown service code: {code}." for code in unknown]
            )
        return codes


class DirectoryAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "type", "location"]
        read_only_fields = fields


class CoverageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "code", "name_en", "name_km", "level"]
        read_only_fields = fields


class DirectoryEntrySerializer(serializers.Serializer):
    agency = DirectoryAgencySerializer(read_only=True)
    services = serializers.ListField(child=serializers.CharField(), read_only=True)
    covers = CoverageSerializer(
        read_only=True, allow_null=True, help_text="The coverage entry that includes the place."
    )
    level = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text='Level of the matching coverage; "national" for an agency covering everywhere.',
    )


# --- Custody transfers -------------------------------------------------------------------------


class CustodyTransferSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustodyTransfer
        fields = [
            "id",
            "case",
            "referral",
            "to_agency",
            "legal_basis",
            "authorising_official",
            "authorising_official_title",
            "date",
            "family_consent",
            "no_consent_reason",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class CaseReferralField(serializers.PrimaryKeyRelatedField):
    """A referral of the case in the context: another case's referral is "not found", so the
    answer tells nothing about referrals the caller cannot see."""

    def get_queryset(self) -> QuerySet[Referral]:
        return Referral.objects.filter(case=self.context["case"])


class CustodyTransferCreateSerializer(serializers.Serializer):
    to_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    legal_basis = serializers.CharField()
    authorising_official = serializers.CharField(max_length=200)
    authorising_official_title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    date = serializers.DateField()
    family_consent = serializers.BooleanField()
    no_consent_reason = serializers.CharField(required=False, allow_blank=True, default="")
    referral = CaseReferralField(
        queryset=Referral.objects.none(), required=False, allow_null=True, default=None
    )


# --- Supervisor's queue ------------------------------------------------------------------------


class QueueItemSerializer(serializers.ModelSerializer):
    """A referral in the queue (``user`` in the context). Every one in it waits for approval or
    an answer, so, as in the referral list, the receiving agency is not told which case it is."""

    case_number = serializers.CharField(read_only=True, allow_null=True)
    from_agency_name = serializers.CharField(source="from_agency.name", read_only=True)
    to_agency_name = serializers.CharField(source="to_agency.name", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "case_number",
            "type",
            "urgency",
            "status",
            "from_agency",
            "from_agency_name",
            "to_agency",
            "to_agency_name",
            "respond_by",
            "overdue",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Referral) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        sender = self.context["user"].agency_id == instance.from_agency_id
        if not sender:
            data["case"] = None
            data["case_number"] = None
        return data


class QueueSerializer(serializers.Serializer):
    pending_approval = QueueItemSerializer(many=True, read_only=True)
    awaiting_answer = QueueItemSerializer(many=True, read_only=True)
    overdue = QueueItemSerializer(many=True, read_only=True)
