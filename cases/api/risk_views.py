from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from cases.api.risk_serializers import (
    RiskAssessmentCreateSerializer,
    RiskAssessmentSerializer,
    RiskInstrumentSerializer,
)
from cases.models import RiskAssessment
from cases.policy import case_get
from cases.selectors import risk as risk_selectors
from cases.services.risk import risk_assessment_record
from core.api.schema import answers_not_found, idempotent_creation
from core.idempotency import idempotent


class CurrentRiskInstrumentView(APIView):
    """The instrument new assessments use: its questions with their options and scores, and
    the bands that turn a score into a risk level."""

    @extend_schema(responses=RiskInstrumentSerializer)
    @answers_not_found
    def get(self, request: Request) -> Response:
        return Response(RiskInstrumentSerializer(risk_selectors.risk_instrument_current()).data)


@extend_schema_view(
    retrieve=extend_schema(
        description="One assessment of the case, with its answers, score, risk level and "
        "deadlines: needs the case's risk section (403), and an assessment of another case "
        "answers 404. The reading goes into the audit trail."
    )
)
class RiskAssessmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[RiskAssessment]
):
    """A case's risk assessments, latest first. Read by whoever sees the case's risk section;
    recorded by the case owner or their supervisor."""

    serializer_class = RiskAssessmentSerializer
    queryset = RiskAssessment.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> QuerySet[RiskAssessment]:
        return risk_selectors.risk_assessment_list(
            user=actor_of(self.request), case_id=self.kwargs["case_id"]
        )

    def get_object(self) -> RiskAssessment:
        return risk_selectors.risk_assessment_detail(
            user=actor_of(self.request),
            case_id=self.kwargs["case_id"],
            assessment_id=self.kwargs["pk"],
        )

    @extend_schema(
        request=RiskAssessmentCreateSerializer, responses={201: RiskAssessmentSerializer}
    )
    @idempotent_creation
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Records an assessment with the current instrument, one answer to every question (400
        otherwise): for the case's owner and her supervisor (403 otherwise; 409 on a closed case).
        The case takes its risk level and its deadlines to respond and to reassess (a case at intake
        moves to assessment); at high or critical risk ``safety_plan`` is required and kept as a
        note. An ``Idempotency-Key`` replays the first answer rather than recording twice."""
        actor = actor_of(request)
        case, _access = case_get(actor, kwargs["case_id"])

        def record() -> Response:
            data = RiskAssessmentCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            assessment = risk_assessment_record(actor=actor, case=case, **data.validated_data)
            return Response(
                RiskAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED
            )

        return idempotent(request, scope=f"risk_assessments.create:{case.pk}", create=record)
