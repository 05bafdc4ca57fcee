"""Statistics by topic and the caseload of each worker (docs/api.md, "Statistics")."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from core.api.schema import refuses_roles
from reporting.caseload import caseload
from reporting.statistics import ALL_DIMENSIONS, TOPICS, question_from, statistics_answer

_MAX_ID = 2**63 - 1


class StatisticsQuerySerializer(serializers.Serializer):
    group_by = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Up to two dimensions, comma-separated: " + ", ".join(ALL_DIMENSIONS) + ".",
    )
    # ``from`` is a Python keyword, so the field is declared by name.
    vars()["from"] = serializers.DateField(
        required=False,
        help_text="First day of the period (brought back to the first of its month).",
    )
    to = serializers.DateField(
        required=False,
        help_text="Last day of the period (brought forward to the end of its month). Default: "
        "the twelve months ending this month.",
    )
    location = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=_MAX_ID,
        help_text="Id of a province or district within your scope; nothing finer.",
    )
    concern = serializers.CharField(
        required=False, max_length=48, help_text="Only cases with this concern code."
    )


class StatisticsSerializer(serializers.Serializer):
    topic = serializers.CharField()
    group_by = serializers.ListField(child=serializers.CharField())
    min_cell = serializers.IntegerField(
        help_text="Counts from 1 to min_cell - 1 are suppressed, with enough other cells that "
        "none can be worked out by subtraction."
    )
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text="Every combination of the values seen, zeros included; each row holds the "
        "value of each dimension and `count` (null when suppressed) and `suppressed`.",
    )
    total = serializers.IntegerField(allow_null=True)
    period = serializers.DictField(
        child=serializers.DateField(), help_text="`from` and `to` as counted: whole months."
    )
    as_of = serializers.DateTimeField(
        allow_null=True, help_text="Changes saved before this time are counted."
    )
    labels = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="For each dimension, each value's label in the language of the request.",
    )


class StatisticsView(APIView):
    @extend_schema(
        parameters=[
            StatisticsQuerySerializer,
            OpenApiParameter(
                "topic",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(TOPICS),
                description="What is counted.",
            ),
        ],
        responses=StatisticsSerializer,
    )
    @refuses_roles
    def get(self, request: Request, topic: str) -> Response:
        """Counts of children's cases, referrals or follow-up visits in your scope (your
        territory or your agency), grouped by up to two dimensions, with small counts
        suppressed. No answer holds a child's row, name or id."""
        actor = actor_of(request)
        params = StatisticsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        values = params.validated_data
        group_by = [name.strip() for name in values.get("group_by", "").split(",") if name.strip()]
        question = question_from(
            topic=topic,
            group_by=group_by,
            date_from=values.get("from"),
            date_to=values.get("to"),
            location=values.get("location"),
            concern=values.get("concern"),
        )
        answer = statistics_answer(user=actor, question=question)
        return Response(
            StatisticsSerializer(
                {
                    "topic": answer.topic,
                    "group_by": list(answer.group_by),
                    "min_cell": answer.min_cell,
                    "rows": answer.rows,
                    "total": answer.total,
                    "period": {"from": answer.date_from, "to": answer.date_to},
                    "as_of": answer.as_of,
                    "labels": answer.labels,
                }
            ).data
        )


class CaseloadWorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    full_name = serializers.CharField()


class CaseloadRowSerializer(serializers.Serializer):
    worker = CaseloadWorkerSerializer()
    open_cases = serializers.IntegerField()
    by_risk = serializers.DictField(
        child=serializers.IntegerField(), help_text="`low`, `medium`, `high`, `critical`."
    )
    overdue_follow_ups = serializers.IntegerField()
    overdue_plan_actions = serializers.IntegerField()
    referrals_waiting = serializers.IntegerField(
        help_text="Referrals of the worker's cases waiting for approval or an answer."
    )


class CaseloadSerializer(serializers.Serializer):
    rows = CaseloadRowSerializer(many=True)


class CaseloadView(APIView):
    @extend_schema(responses=CaseloadSerializer)
    @refuses_roles
    def get(self, request: Request) -> Response:
        """Each worker's open cases by risk level and what is late: a supervisor's team (and
        herself), an agency admin's whole agency. Cases the caller may not see are not
        counted."""
        rows = caseload(user=actor_of(request))
        return Response(CaseloadSerializer({"rows": rows}).data)
