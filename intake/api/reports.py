"""Children reported at risk (docs/api.md, "Community and helpline intake"): made by the
community, the helpline and every case-holding role; answered by the office covering the place
with a case or a reason; followed by the reporter through their status only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from accounts.models import User
from cases.api.serializers import CaseCreatedSerializer, CaseCreateSerializer
from cases.policy import case_get
from cases.selectors import case as case_selectors
from core.api.conditional import etag
from core.api.schema import idempotent_creation, sends_etag
from core.idempotency import idempotent
from intake import selectors, services
from intake.api.serializers import (
    ConcernReportCloseSerializer,
    ConcernReportCreateSerializer,
    ConcernReportSerializer,
    open_case_input,
)
from intake.choices import TRIAGE_ROLES, ReportStatus, ReportUrgency
from intake.models import ConcernReport


def _context(user: User) -> dict[str, Any]:
    """Whose office the reader triages for: the case and the reason are shown only there."""
    return {"office_id": user.agency_id if user.role in TRIAGE_ROLES else None}


class ConcernReportFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ReportStatus.choices)
    urgency = filters.ChoiceFilter(choices=ReportUrgency.choices)
    mine = filters.BooleanFilter(
        method="filter_mine", help_text="Only the reports I made (true) or sent to my office."
    )

    class Meta:
        model = ConcernReport
        fields = ["status", "urgency"]

    def filter_mine(
        self, queryset: QuerySet[ConcernReport], name: str, value: bool | None
    ) -> QuerySet[ConcernReport]:
        if value is None:
            return queryset
        user = actor_of(self.request)
        return (
            queryset.filter(reporter_id=user.pk) if value else queryset.exclude(reporter_id=user.pk)
        )


class ConcernReportListView(generics.ListAPIView[ConcernReport]):
    """The reports I made and, for the social workers and supervisors of an office, those sent
    to my office; the most pressing (earliest ``triage_by``) first. ``?status=new`` is the
    office's queue."""

    serializer_class = ConcernReportSerializer
    filterset_class = ConcernReportFilter

    def get_queryset(self) -> QuerySet[ConcernReport]:
        if getattr(self, "swagger_fake_view", False):
            return ConcernReport.objects.none()
        return selectors.reports_visible(actor_of(self.request)).order_by("triage_by", "id")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **_context(actor_of(self.request))}

    @extend_schema(request=ConcernReportCreateSerializer, responses={201: ConcernReportSerializer})
    @idempotent_creation
    def post(self, request: Request) -> Response:
        """Reports a child at risk with what is known: commune committee members, village
        chiefs, helpline operators and every case-holding role (403 for anyone else). The report
        goes to the social services office covering ``location`` (a district office, else the
        provincial department, else the ministry), with ``triage_by`` set by ``urgency``. An
        ``Idempotency-Key`` replays the first answer rather than reporting twice."""
        return idempotent(request, scope="concern_reports.create", create=self._create)

    def _create(self) -> Response:
        actor = actor_of(self.request)
        data = ConcernReportCreateSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        report = services.concern_report_create(actor=actor, **data.validated_data)
        report = selectors.report_detail(user=actor, report_id=report.pk)
        body = ConcernReportSerializer(report, context=_context(actor)).data
        return Response(body, status=status.HTTP_201_CREATED)


class ConcernReportDetailView(APIView):
    @extend_schema(responses=ConcernReportSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One report, to its reporter (its status, not the case) and to its office; 404 for
        anyone else."""
        actor = actor_of(request)
        report = selectors.report_detail(user=actor, report_id=pk)
        return Response(ConcernReportSerializer(report, context=_context(actor)).data)


class ConcernReportOpenCaseView(APIView):
    @extend_schema(request=CaseCreateSerializer, responses={201: CaseCreatedSerializer})
    @sends_etag
    def post(self, request: Request, pk: int) -> Response:
        """Opens a case from the report, owned by the caller, and links them: the body is that
        of ``POST /cases/`` with every part optional, what the report says filling what is not
        sent (the child's name, age, sex and place, the concern, the description as summary, the
        source from the reporter's role). The answer is the case with ``possible_duplicates``, as
        for ``POST /cases/``. For the social workers and supervisors of the report's office (403
        for its reporter, 404 for anyone else); 409 once the report is answered; 400 when the
        child still lacks what a case needs (a name, say)."""
        actor = actor_of(request)
        report = selectors.report_detail(user=actor, report_id=pk)
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        merged = open_case_input(services.report_case_input(report), request.data)
        data = CaseCreateSerializer(data=merged)
        data.is_valid(raise_exception=True)
        case = services.concern_report_open_case(actor=actor, report=report, **data.validated_data)
        duplicates = case_selectors.possible_duplicates(user=actor, child=case.child)
        case, access = case_get(actor, case.pk, detail=True)
        body = CaseCreatedSerializer(
            case,
            context={
                "accesses": {case.pk: access},
                "user": actor,
                "possible_duplicates": duplicates,
            },
        ).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": etag(case)})


class ConcernReportCloseView(APIView):
    @extend_schema(request=ConcernReportCloseSerializer, responses=ConcernReportSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Closes the report without a case, with the reason (which its reporter does not see).
        For the social workers and supervisors of the report's office (403 for its reporter, 404
        for anyone else); 409 once the report is answered."""
        actor = actor_of(request)
        report = selectors.report_detail(user=actor, report_id=pk)
        data = ConcernReportCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.concern_report_close(actor=actor, report=report, **data.validated_data)
        report = selectors.report_detail(user=actor, report_id=report.pk)
        return Response(ConcernReportSerializer(report, context=_context(actor)).data)
