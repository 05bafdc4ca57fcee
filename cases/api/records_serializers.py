"""Case plans, services, notes and consent as the API reads and writes them. Input serializers
check shape; the services in cases.services.plan and cases.services.records decide."""

from __future__ import annotations

from typing import Any

from django.core.validators import MinLengthValidator
from rest_framework import serializers

from accounts.api.serializers import ServiceCodeField
from accounts.models import Agency
from cases.choices import (
    SYSTEM_NOTE_KINDS,
    ConsentGiver,
    ConsentScope,
    NoteKind,
    ServiceStatus,
)
from cases.models import CaseNote, CasePlan, CaseService, Consent, PlanAction, PlanGoal
from cases.services.plan import ActionDraft, GoalDraft, Path, PlanProblemsError
from core.api.serializers import StrictInputSerializer

# --- Case plan ---------------------------------------------------------------------------------


class PlanActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAction
        fields = ["id", "description", "responsible", "due_date", "done_at"]
        read_only_fields = fields


class PlanGoalSerializer(serializers.ModelSerializer):
    actions = PlanActionSerializer(many=True, read_only=True)

    class Meta:
        model = PlanGoal
        fields = ["id", "description", "actions"]
        read_only_fields = fields


class CasePlanSerializer(serializers.ModelSerializer):
    goals = PlanGoalSerializer(many=True, read_only=True)

    class Meta:
        model = CasePlan
        fields = [
            "id",
            "case",
            "status",
            "goals",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class ActionInputSerializer(serializers.Serializer):
    description = serializers.CharField()
    # An id, checked for the whole plan in one query (see plan_problems), not one per action.
    responsible = serializers.IntegerField(min_value=1)
    due_date = serializers.DateField()


def non_empty(child: serializers.Serializer) -> serializers.ListSerializer:
    """``child`` as a list of one or more: ``allow_empty`` refuses an empty list, and the
    validator, which the schema reads (``minItems``), never has one left to refuse."""
    return serializers.ListSerializer(
        child=child, allow_empty=False, validators=[MinLengthValidator(1)]
    )


class GoalInputSerializer(serializers.Serializer):
    """A goal and the actions that reach it (one at least), each with the person responsible,
    an active member of the case's agency, and a due date not in the past."""

    description = serializers.CharField()
    actions = non_empty(ActionInputSerializer())


def _nested(problems: dict[Path, list[str]]) -> dict[str, Any]:
    """``{("goals", 1, "due_date"): [..]}`` as DRF nests errors: ``{"goals": [{}, {"due_date":
    [..]}]}``, with an empty object for each item that is fine."""
    tree: dict[Any, Any] = {}
    for path, messages in problems.items():
        node = tree
        for step in path[:-1]:
            node = node.setdefault(step, {})
        node[path[-1]] = messages

    def as_lists(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        if node and all(isinstance(key, int) for key in node):
            return [as_lists(node.get(index, {})) for index in range(max(node) + 1)]
        return {key: as_lists(value) for key, value in node.items()}

    result: dict[str, Any] = as_lists(tree)
    return result


def nested_plan_problems(error: PlanProblemsError) -> serializers.ValidationError:
    """The plan service's problems with the goals (who may be responsible depends on the case,
    which the service reads under its lock), nested as a serializer nests its errors."""
    return serializers.ValidationError(_nested(error.problems))


class CasePlanWriteSerializer(StrictInputSerializer):
    """The whole plan, on creation and when a draft or rejected plan is edited (its goals are
    replaced): one goal at least."""

    # Its shape here, its content by the service (see nested_plan_problems).
    goals = non_empty(GoalInputSerializer())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        goals = [
            GoalDraft(
                description=goal["description"],
                actions=[
                    ActionDraft(
                        description=action["description"],
                        responsible_id=action["responsible"],
                        due_date=action["due_date"],
                    )
                    for action in goal["actions"]
                ],
            )
            for goal in attrs["goals"]
        ]
        return {"goals": goals}


class PlanDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


# --- Services delivered ------------------------------------------------------------------------


class CaseServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseService
        fields = [
            "id",
            "case",
            "service",
            "provider_agency",
            "status",
            "start_date",
            "end_date",
            "notes",
            "agency",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class CaseServiceCreateSerializer(serializers.Serializer):
    service = ServiceCodeField()
    provider_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        default=None,
    )
    status = serializers.ChoiceField(
        choices=ServiceStatus.choices, required=False, default=ServiceStatus.PLANNED
    )
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )


class CaseServiceUpdateSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=ServiceStatus.choices)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    notes = serializers.CharField(allow_blank=True, trim_whitespace=False)


# --- Notes -------------------------------------------------------------------------------------


class CaseNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseNote
        fields = ["id", "case", "kind", "date", "text", "agency", "author", "created_at"]
        read_only_fields = fields


class CaseNoteCreateSerializer(serializers.Serializer):
    # Safety plans come with a risk assessment and outcomes with a referral, never by hand.
    kind = serializers.ChoiceField(
        choices=[(k, label) for k, label in NoteKind.choices if k not in SYSTEM_NOTE_KINDS]
    )
    date = serializers.DateField()
    # Kept exactly as written (Khmer included): the service refuses a note that is all blanks.
    text = serializers.CharField(trim_whitespace=False)


# --- Consent -----------------------------------------------------------------------------------


class ConsentSerializer(serializers.ModelSerializer):
    scope = serializers.ListField(
        child=serializers.ChoiceField(choices=ConsentScope.choices), read_only=True
    )

    class Meta:
        model = Consent
        fields = [
            "id",
            "case",
            "given_by",
            "giver_name",
            "scope",
            "date",
            "withdrawn",
            "withdrawn_on",
            "notes",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class ConsentCreateSerializer(serializers.Serializer):
    given_by = serializers.ChoiceField(choices=ConsentGiver.choices)
    giver_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    scope = serializers.ListField(
        child=serializers.ChoiceField(choices=ConsentScope.choices),
        allow_empty=False,
        min_length=1,
        help_text="What the consent covers, each scope once.",
    )
    date = serializers.DateField()
    withdrawn = serializers.BooleanField(required=False, default=False)
    withdrawn_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="With withdrawn: not before the date given, not in the future (today if "
        "null); ignored otherwise.",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_scope(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each scope is named once.")
        return value


class ConsentWithdrawSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True, default=None)
