from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from accounts.models import User
from cases.choices import (
    BirthRegistration,
    ClosureReason,
    LabourSector,
    Relation,
    RiskLevel,
    Section,
    Sex,
    Source,
    Stage,
)
from cases.models import Case, Child, FamilyMember
from cases.models.external import SYSTEM_CODE
from cases.policy import CASE_ACTIONS, CaseAccess, case_actions
from cases.prefetched import FAMILY_FIELDS, concern_codes_of, external_ids_of, family_of
from cases.services.sync import EXTERNAL_ID_MAX_LENGTH
from core.api.representation import TodayOnce, day, moment
from core.api.serializers import StrictInputSerializer

# --- input ------------------------------------------------------------------------------------


class FamilyMemberInputSerializer(serializers.Serializer):
    """A relative or caregiver: a name in Latin letters or Khmer script (one at least)."""

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
    """The child as entered: a given name in Latin letters or Khmer script (``given_name`` or
    ``given_name_km``, one at least), the date of birth (not in the future) or an estimated
    age, under 18 unless ``age_disputed``, and the commune or village where the child lives."""

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


class ExternalIdSerializer(serializers.Serializer):
    """How another system names the case: its code (``primero``, ``oscar``, a partner's own)
    and its id there."""

    system = serializers.CharField(max_length=40, validators=[SYSTEM_CODE])
    id = serializers.CharField(max_length=EXTERNAL_ID_MAX_LENGTH)


EXTERNAL_IDS_HELP = (
    "How other systems name the case, one id a system; a (system, id) names one case only. "
    "On an edit the list replaces the one stored (an empty list removes them all)."
)


def _one_per_system(entries: list[dict[str, str]]) -> list[dict[str, str]]:
    # An edit's partial validation lets a nested field be left out: here both are needed.
    if any("system" not in entry or "id" not in entry for entry in entries):
        raise serializers.ValidationError(_("Each external id needs its system and its id."))
    systems = [entry["system"] for entry in entries]
    twice = sorted({system for system in systems if systems.count(system) > 1})
    if twice:
        raise serializers.ValidationError(
            _("A case has one id in each system; given twice: %(systems)s.")
            % {"systems": ", ".join(twice)}
        )
    return entries


CONCERNS_HELP = "Concern codes, one at least."
LABOUR_SECTOR_HELP = "Only with the child_labour concern; blank for none."


class CaseCreateSerializer(serializers.Serializer):
    child = ChildInputSerializer()
    family = FamilyMemberInputSerializer(many=True, required=False, default=list)
    concerns = serializers.ListField(
        child=serializers.CharField(max_length=48),
        allow_empty=False,
        min_length=1,
        max_length=30,
        help_text=CONCERNS_HELP,
    )
    # The contract's field name shadows Field.source, which DRF sets only on bound fields.
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    labour_sector = serializers.ChoiceField(
        choices=LabourSector.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=LABOUR_SECTOR_HELP,
    )
    restricted = serializers.BooleanField(required=False, default=False)
    external_ids = ExternalIdSerializer(
        many=True, required=False, default=list, help_text=EXTERNAL_IDS_HELP
    )

    def validate_external_ids(self, entries: list[dict[str, str]]) -> list[dict[str, str]]:
        return _one_per_system(entries)


class ChildUpdateSerializer(StrictInputSerializer, ChildInputSerializer):
    pass


class CaseUpdateSerializer(StrictInputSerializer):
    """The fields an edit may change; any other (``owner``, ``status``, ``case_number``, a typo)
    is refused by name, as are the child's fields it may not change."""

    child = ChildUpdateSerializer(partial=True)
    concerns = serializers.ListField(
        child=serializers.CharField(max_length=48),
        allow_empty=False,
        min_length=1,
        max_length=30,
        help_text=CONCERNS_HELP,
    )
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    stage = serializers.ChoiceField(choices=Stage.choices)
    summary = serializers.CharField(allow_blank=True)
    labour_sector = serializers.ChoiceField(
        choices=LabourSector.choices, allow_blank=True, help_text=LABOUR_SECTOR_HELP
    )
    external_ids = ExternalIdSerializer(many=True, help_text=EXTERNAL_IDS_HELP)

    def validate_external_ids(self, entries: list[dict[str, str]]) -> list[dict[str, str]]:
        return _one_per_system(entries)


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
# The rest of what is entered about the child (Child.INPUT_FIELDS), shown with the profile
# section; where the child lives goes with the identity.
PROFILE_FIELDS = tuple(
    field
    for field in Child.INPUT_FIELDS
    if field not in IDENTITY_FIELDS and field not in {"location", "address"}
)
ACTIONS = list(CASE_ACTIONS)
WITH_PROFILE = "Only for callers who see the case's profile section."
WITH_IDENTITY = (
    "Only for callers who may see the child's identity; absent for one who sees only the "
    "administrative fields (an agency admin, or a caller the action took the case away from)."
)
WITH_CONCERNS = "Only for callers who see the case's concerns section."


class FamilyMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyMember
        fields = list(FAMILY_FIELDS)
        read_only_fields = fields


class CaseChildSerializer(serializers.Serializer):
    """The child as a case shows it: the identity for anyone who may see the child, the rest
    of the profile and the family with the profile section. A given name may be blank in one
    script, never in both."""

    # The shape of what child_representation makes, for the schema.
    id = serializers.IntegerField()
    given_name = serializers.CharField(help_text="Latin letters; blank if not known.")
    family_name = serializers.CharField()
    given_name_km = serializers.CharField(help_text="Khmer script; blank if not known.")
    family_name_km = serializers.CharField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    age = serializers.IntegerField(
        allow_null=True,
        help_text="Years today, from the date of birth or the estimated age (which grows).",
    )
    location = serializers.IntegerField(help_text="The commune or village the child lives in.")
    address = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True, required=False, help_text=WITH_PROFILE)
    estimated_age = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text=f"As given when it was estimated. {WITH_PROFILE}",
    )
    age_disputed = serializers.BooleanField(required=False, help_text=WITH_PROFILE)
    nationality = serializers.CharField(required=False, help_text=WITH_PROFILE)
    ethnicity = serializers.CharField(required=False, help_text=WITH_PROFILE)
    birth_registration = serializers.ChoiceField(
        choices=BirthRegistration.choices, required=False, help_text=WITH_PROFILE
    )
    disability = serializers.CharField(required=False, help_text=WITH_PROFILE)
    languages = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=WITH_PROFILE
    )
    birth_certificate_number = serializers.CharField(required=False, help_text=WITH_PROFILE)
    national_id_number = serializers.CharField(required=False, help_text=WITH_PROFILE)
    id_poor_number = serializers.CharField(required=False, help_text=WITH_PROFILE)
    family = FamilyMemberSerializer(many=True, required=False, help_text=WITH_PROFILE)


def child_representation(child: Child, access: CaseAccess, today: date) -> dict[str, Any] | None:
    """The child as far as ``access`` reaches: identity (name, age, sex, address) with any
    access to the person, the rest of the profile and the family with the profile section."""
    if not access.identity:
        return None
    data: dict[str, Any] = {field: getattr(child, field) for field in IDENTITY_FIELDS}
    data.update(age=child.age_on(today), location=child.location_id, address=child.address)
    if access.sees(Section.PROFILE):
        data.update({field: getattr(child, field) for field in PROFILE_FIELDS})
        data["date_of_birth"] = child.date_of_birth.isoformat() if child.date_of_birth else None
        # Plain values, read for the whole page (cases.prefetched).
        data["family"] = family_of(child)
    return data


class CaseClosureSerializer(serializers.Serializer):
    """The closure asked for, and when it was approved."""

    reason = serializers.ChoiceField(choices=ClosureReason.choices, allow_null=True)
    requested_by = serializers.IntegerField(allow_null=True)
    requested_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class CaseAccessSerializer(serializers.Serializer):
    """What the caller may see and do on the case."""

    sections = serializers.ListField(
        child=serializers.ChoiceField(choices=Section.choices),
        help_text="The parts of the case file the caller sees.",
    )
    manage = serializers.BooleanField(help_text="Edit the case and its plan, ask for closure.")
    contribute = serializers.BooleanField(help_text="Add notes and services.")
    assign = serializers.BooleanField(help_text="Give the case to another worker.")
    approve = serializers.BooleanField(help_text="Decide the closures and plans the owner submits.")


class CasePart(serializers.Field):
    """A part of the case that only some callers get: ``seen(access)`` says who. For the
    others the key is left out (it is never null for that), so the part is optional in the
    schema, typed there by ``shape``. Its value is the serializer's ``get_<name>(case)``."""

    def __init__(self, shape: Any, *, seen: Callable[[CaseAccess], bool], **kwargs: Any) -> None:
        super().__init__(source="*", required=False, **kwargs)
        self.seen = seen
        # Typed for functions and classes, the decorator marks this field as well.
        extend_schema_field(shape)(self)  # type: ignore[type-var]

    def get_attribute(self, instance: Case) -> Any:
        if not self.seen(self.context["accesses"][instance.pk]):
            raise SkipField
        return getattr(self.parent, f"get_{self.field_name}")(instance)

    def to_representation(self, value: Any) -> Any:
        return value


def _sees_identity(access: CaseAccess) -> bool:
    return access.identity


def _sees_concerns(access: CaseAccess) -> bool:
    return access.sees(Section.CONCERNS)


class CaseSerializer(TodayOnce, serializers.ModelSerializer):
    """A case, with only what the caller may see: the administrative fields for any caller,
    the child and the concerns for those whose access reaches them."""

    # ``accesses`` in the context maps case id to CaseAccess, computed for the whole page at
    # once; ``user`` is the caller.
    risk_level = serializers.SerializerMethodField(
        help_text="The latest risk assessment's level; null before the first."
    )
    location = CasePart(serializers.IntegerField(), seen=_sees_identity, help_text=WITH_IDENTITY)
    closure = serializers.SerializerMethodField(help_text="Null unless closure was asked for.")
    # Administrative, like the case number: shown with any access to the case, so a partner
    # that sees only these fields (an agency admin's system) still matches its records.
    external_ids = serializers.SerializerMethodField(
        help_text="How other systems name the case, by system."
    )
    actions = serializers.SerializerMethodField(
        help_text="What the caller may do on the case now (docs/api.md, What a caller may do)."
    )
    child = CasePart(CaseChildSerializer, seen=_sees_identity, help_text=WITH_IDENTITY)
    concerns = CasePart(
        serializers.ListField(child=serializers.CharField()),
        seen=_sees_concerns,
        help_text=f"Concern codes. {WITH_CONCERNS}",
    )
    labour_sector = CasePart(
        serializers.ChoiceField(choices=LabourSector.choices, allow_null=True),
        seen=_sees_concerns,
        help_text=f"With the child_labour concern; null otherwise. {WITH_CONCERNS}",
    )
    # The contract's field name shadows Field.source, which DRF sets only on bound fields.
    source = CasePart(  # type: ignore[assignment]
        serializers.ChoiceField(choices=Source.choices),
        seen=_sees_concerns,
        help_text=WITH_CONCERNS,
    )
    summary = CasePart(serializers.CharField(), seen=_sees_concerns, help_text=WITH_CONCERNS)
    access = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "case_number",
            "external_ids",
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
            "child",
            "concerns",
            "labour_sector",
            "source",
            "summary",
            "access",
        ]
        read_only_fields = fields

    @cached_property
    def _parts(self) -> list[tuple[str, CasePart]]:
        # The declared fields, not ``self.fields``, which DRF builds again for every serializer
        # (the model's fields made, the declared ones copied): a millisecond a request.
        return [
            (name, field)
            for name, field in self._declared_fields.items()
            if isinstance(field, CasePart)
        ]

    def to_representation(self, case: Case) -> dict[str, Any]:
        """The case built in one pass rather than field by field: DRF's walk of the declared
        fields made about a thousand calls for a page of fifty cases, the largest share of the
        case list's time. The declared fields stay the schema; the API tests hold the two to
        the same keys and values."""
        access: CaseAccess = self.context["accesses"][case.pk]
        # Who gets each optional part is the part's own rule, as the schema and the exports
        # read it.
        shown = {name: part.seen(access) for name, part in self._parts}
        data: dict[str, Any] = {
            "id": case.pk,
            "case_number": case.case_number,
            "external_ids": self.get_external_ids(case),
            "status": case.status,
            "stage": case.stage,
            "risk_level": self.get_risk_level(case),
            "respond_by": moment(case.respond_by),
            "reassess_by": day(case.reassess_by),
            "owner": case.owner_id,
            "agency": case.agency_id,
        }
        if shown["location"]:
            data["location"] = self.get_location(case)
        data.update(
            restricted=case.restricted,
            closure=self.get_closure(case),
            created_at=moment(case.created_at),
            updated_at=moment(case.updated_at),
            version=case.version,
            actions=self.get_actions(case),
        )
        for part in ("child", "concerns", "labour_sector", "source", "summary"):
            if shown[part]:
                data[part] = getattr(self, f"get_{part}")(case)
        data["access"] = self.get_access(case)
        return data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS)))
    def get_actions(self, case: Case) -> list[str]:
        access: CaseAccess = self.context["accesses"][case.pk]
        return sorted(case_actions(self.context["user"], case, access))

    @extend_schema_field(ExternalIdSerializer(many=True))
    def get_external_ids(self, case: Case) -> list[dict[str, str]]:
        return external_ids_of(case)

    @extend_schema_field(serializers.ChoiceField(choices=RiskLevel.choices, allow_null=True))
    def get_risk_level(self, case: Case) -> str | None:
        return case.risk_level or None

    @extend_schema_field(CaseClosureSerializer(allow_null=True))
    def get_closure(self, case: Case) -> dict[str, Any] | None:
        if not case.closure_requested_at and not case.closed_at:
            return None
        return {
            "reason": case.closure_reason or None,
            "requested_by": case.closure_requested_by_id,
            "requested_at": moment(case.closure_requested_at),
            "closed_at": moment(case.closed_at),
        }

    def get_location(self, case: Case) -> int:
        # The case is located where the child lives: part of the identity, not of the
        # administrative fields an agency admin sees.
        return case.location_id

    def get_child(self, case: Case) -> dict[str, Any] | None:
        return child_representation(case.child, self.context["accesses"][case.pk], self.today)

    def get_concerns(self, case: Case) -> list[str]:
        return concern_codes_of(case)

    def get_labour_sector(self, case: Case) -> str | None:
        return case.labour_sector or None

    def get_source(self, case: Case) -> str:
        return case.source

    def get_summary(self, case: Case) -> str:
        return case.summary

    @extend_schema_field(CaseAccessSerializer)
    def get_access(self, case: Case) -> dict[str, Any]:
        access: CaseAccess = self.context["accesses"][case.pk]
        return {
            "sections": sorted(access.sections),
            "manage": access.manage,
            "contribute": access.contribute,
            "assign": access.assign,
            "approve": access.approve,
        }


class PossibleDuplicateAgencySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="agency_id")
    name = serializers.CharField(source="agency_name")


class PossibleDuplicateSerializer(serializers.Serializer):
    """A child already known who may be this one: the agency to contact, and the case only
    when the caller may open it."""

    agency = PossibleDuplicateAgencySerializer(source="*")
    case = serializers.IntegerField(source="case_id", allow_null=True)
    case_number = serializers.CharField(allow_null=True)


class CaseCreatedSerializer(CaseSerializer):
    """The case as registered, with the children already known who may be the same child."""

    # ``possible_duplicates`` in the context, beside what CaseSerializer takes.
    possible_duplicates = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "possible_duplicates"]
        read_only_fields = fields

    def to_representation(self, case: Case) -> dict[str, Any]:
        return {
            **super().to_representation(case),
            "possible_duplicates": self.get_possible_duplicates(case),
        }

    @extend_schema_field(PossibleDuplicateSerializer(many=True))
    def get_possible_duplicates(self, case: Case) -> Any:
        return PossibleDuplicateSerializer(self.context["possible_duplicates"], many=True).data


class HistoryEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_username = serializers.CharField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.JSONField(),
        help_text="What the action changed or recorded, by name: a value, or [before, after]. "
        "The names depend on the action.",
    )


class CaseGoneSerializer(serializers.Serializer):
    """A case that left the caller's reach: forget what you keep of it."""

    id = serializers.IntegerField(source="case_id")
    external_ids = serializers.SerializerMethodField()
    at = serializers.DateTimeField(help_text="When it left the caller's reach.")

    @extend_schema_field(ExternalIdSerializer(many=True))
    def get_external_ids(self, departure: Any) -> list[dict[str, str]]:
        return external_ids_of(departure.case)


class GoneSinceSerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="An ISO 8601 time, with its offset.")
