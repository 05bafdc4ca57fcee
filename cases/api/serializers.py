from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from cases.choices import (
    ClosureReason,
    LabourSector,
    Relation,
    Section,
    Source,
    Stage,
)
from cases.models import Case, Child, FamilyMember
from cases.policy import CaseAccess, case_actions
from cases.selectors.case import PossibleDuplicate
from core.api.serializers import StrictInputSerializer

# --- input ------------------------------------------------------------------------------------


class FamilyMemberInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    name_km = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    relation = serializers.ChoiceField(choices=Relation.choices)
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    lives_with_child = serializers.BooleanField(required=False, default=False)
    is_caregiver = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs["name"].strip() or attrs["name_km"].strip()):
            raise serializers.ValidationError({"name": ["A name, in Latin letters or Khmer."]})
        return attrs


class ChildInputSerializer(serializers.ModelSerializer):
    """The child as entered: a name in Latin letters or Khmer script, the date of birth or an
    estimated age, and the commune or village where the child lives."""

    # The fields, their limits and the child's invariants are the model's; only what the API
    # takes in another shape is declared here.
    languages = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=10
    )

    class Meta:
        model = Child
        fields = Child.INPUT_FIELDS

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The child's invariants, reported beside the fields. On an edit the unchanged values
        come from the stored child."""
        current: Child | None = self.context.get("child")
        if current is None:
            child = Child.from_input(attrs)
        else:
            # A copy: the stored child is not changed by checking an edit.
            child = copy.copy(current)
            child.enter(attrs)
        try:
            child.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs


class CaseCreateSerializer(serializers.Serializer):
    child = ChildInputSerializer()
    family = FamilyMemberInputSerializer(many=True, required=False, default=list)
    concerns = serializers.ListField(
        child=serializers.CharField(max_length=48), allow_empty=False, max_length=30
    )
    # The contract's field name shadows Field.source, which DRF sets only on bound fields.
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    labour_sector = serializers.ChoiceField(
        choices=LabourSector.choices, required=False, allow_blank=True, default=""
    )
    restricted = serializers.BooleanField(required=False, default=False)


class ChildUpdateSerializer(StrictInputSerializer, ChildInputSerializer):
    pass


class CaseUpdateSerializer(StrictInputSerializer):
    """The fields an edit may change; any other (``owner``, ``status``, ``case_number``, a typo)
    is refused by name, as are the child's fields it may not change."""

    child = ChildUpdateSerializer(partial=True)
    concerns = serializers.ListField(
        child=serializers.CharField(max_length=48), allow_empty=False, max_length=30
    )
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    stage = serializers.ChoiceField(choices=Stage.choices)
    summary = serializers.CharField(allow_blank=True)
    labour_sector = serializers.ChoiceField(choices=LabourSector.choices, allow_blank=True)


class AssignSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class CloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


# --- output -----------------------------------------------------------------------------------

IDENTITY_FIELDS = ("id", "given_name", "family_name", "given_name_km", "family_name_km", "sex")
PROFILE_FIELDS = (
    "date_of_birth",
    "estimated_age",
    "age_disputed",
    "nationality",
    "ethnicity",
    "birth_registration",
    "disability",
    "languages",
    "birth_certificate_number",
    "national_id_number",
    "id_poor_number",
)


class FamilyMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyMember
        fields = [
            "id",
            "name",
            "name_km",
            "relation",
            "contact",
            "lives_with_child",
            "is_caregiver",
            "notes",
        ]
        read_only_fields = fields


def child_representation(child: Child, access: CaseAccess) -> dict[str, Any] | None:
    """The child as far as ``access`` reaches: identity (name, age, sex, address) with any
    access to the person, the rest of the profile and the family with the profile section."""
    if not access.identity:
        return None
    data: dict[str, Any] = {field: getattr(child, field) for field in IDENTITY_FIELDS}
    data.update(age=child.age, location=child.location_id, address=child.address)
    if access.sees(Section.PROFILE):
        data.update({field: getattr(child, field) for field in PROFILE_FIELDS})
        data["date_of_birth"] = child.date_of_birth.isoformat() if child.date_of_birth else None
        # Plain values, copied as the serializer would: one serializer per child of a page
        # would rebuild its fields fifty times.
        data["family"] = [
            {field: getattr(member, field) for field in FamilyMemberSerializer.Meta.fields}
            for member in child.family.all()
        ]
    return data


class CaseSerializer(serializers.ModelSerializer):
    """A case, emitting only what the caller may see (``accesses`` in the context maps case id
    to CaseAccess, computed for the whole page at once)."""

    risk_level = serializers.SerializerMethodField()
    closure = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text="What the caller may do on the case now (docs/api.md, What a caller may do)."
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "case_number",
            "status",
            "stage",
            "risk_level",
            "respond_by",
            "reassess_by",
            "owner",
            "agency",
            "location",
            "restricted",
            "closure",
            "created_at",
            "updated_at",
            "version",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, case: Case) -> list[str]:
        access: CaseAccess = self.context["accesses"][case.pk]
        return sorted(case_actions(self.context["user"], case, access))

    def get_risk_level(self, case: Case) -> str | None:
        return case.risk_level or None

    def get_closure(self, case: Case) -> dict[str, Any] | None:
        if not case.closure_requested_at and not case.closed_at:
            return None
        moment = serializers.DateTimeField()
        return {
            "reason": case.closure_reason or None,
            "requested_by": case.closure_requested_by_id,
            "requested_at": moment.to_representation(case.closure_requested_at)
            if case.closure_requested_at
            else None,
            "closed_at": moment.to_representation(case.closed_at) if case.closed_at else None,
        }

    def to_representation(self, instance: Case) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        access: CaseAccess = self.context["accesses"][instance.pk]
        child = child_representation(instance.child, access)
        if child is not None:
            data["child"] = child
        else:
            # The case is located where the child lives: part of the identity, not of the
            # administrative fields an agency admin sees.
            del data["location"]
        if access.sees(Section.CONCERNS):
            data["concerns"] = [row.concern_id for row in instance.concern_rows.all()]
            data["labour_sector"] = instance.labour_sector or None
            data["source"] = instance.source
            data["summary"] = instance.summary
        data["access"] = {
            "sections": sorted(access.sections),
            "manage": access.manage,
            "contribute": access.contribute,
            "assign": access.assign,
            "approve": access.approve,
        }
        return data


class PossibleDuplicateSerializer(serializers.Serializer):
    agency = serializers.SerializerMethodField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    case_number = serializers.CharField(allow_null=True)

    def get_agency(self, duplicate: PossibleDuplicate) -> dict[str, Any]:
        return {"id": duplicate.agency_id, "name": duplicate.agency_name}


class HistoryEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_username = serializers.CharField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    changes = serializers.JSONField()
