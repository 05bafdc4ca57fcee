"""Case plans, services, notes and consent under /cases/{id}/. Reads go through
cases.selectors_records (404 for a case out of reach, 403 for a section not open to the caller);
writes through the services, which check access, state and input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from cases.api.records_serializers import (
    CaseNoteCreateSerializer,
    CaseNoteSerializer,
    CasePlanSerializer,
    CasePlanWriteSerializer,
    CaseServiceCreateSerializer,
    CaseServiceSerializer,
    CaseServiceUpdateSerializer,
    ConsentCreateSerializer,
    ConsentSerializer,
    ConsentWithdrawSerializer,
    PlanDecisionSerializer,
    nested_plan_problems,
)
from cases.models import CaseNote, CasePlan, CaseService, Consent
from cases.policy import case_get, case_ref
from cases.selectors import records as selectors
from cases.services import plan as plan_services
from cases.services import records as record_services
from core.api.conditional import etag, expected_version
from core.api.schema import honours_if_match, sends_etag


def _for_schema(view: APIView) -> bool:
    """True while the OpenAPI schema is generated, with no signed-in user to scope by."""
    return bool(getattr(view, "swagger_fake_view", False))


class CaseRecordListView(generics.ListAPIView):
    """A kind of record kept on a case: listed through ``select`` (which checks the case and
    the section), added through ``create`` (a service that checks the right to write)."""

    model: type[Model]
    input_serializer: type[Serializer]
    select: Callable[..., QuerySet[Any]]
    create: Callable[..., Model]

    def get_queryset(self) -> QuerySet[Any]:
        if _for_schema(self):
            return self.model._default_manager.none()
        return type(self).select(user=actor_of(self.request), case_id=self.kwargs["case_id"])

    def post(self, request: Request, case_id: int) -> Response:
        actor = actor_of(request)
        case, _access = case_get(actor, case_id)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = type(self).create(actor=actor, case=case, **data.validated_data)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


def _plan_answer(plan: CasePlan, code: int = status.HTTP_200_OK) -> Response:
    """The plan as the service left it, with the ETag of that version."""
    written = selectors.plan_of(plan_id=plan.pk)
    return Response(CasePlanSerializer(written).data, status=code, headers={"ETag": etag(written)})


# --- Case plan ---------------------------------------------------------------------------------


class CasePlanListView(generics.ListAPIView[CasePlan]):
    """The case's plans, newest first; needs the case plan section."""

    serializer_class = CasePlanSerializer

    def get_queryset(self) -> QuerySet[CasePlan]:
        if _for_schema(self):
            return CasePlan.objects.none()
        return selectors.plan_list(user=actor_of(self.request), case_id=self.kwargs["case_id"])

    @extend_schema(request=CasePlanWriteSerializer, responses={201: CasePlanSerializer})
    @sends_etag
    def post(self, request: Request, case_id: int) -> Response:
        """Drafts a plan of goals and actions, each action with a person responsible from the case's
        agency and a due date not in the past (400 otherwise): for the case's owner and her
        supervisor (403 otherwise; 409 on a closed case). 409 too while another plan is a draft or
        submitted; a case at the assessment stage moves to ``case_plan``."""
        data = CasePlanWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            plan = plan_services.plan_create(
                actor=actor_of(request), case=case_ref(case_id), **data.validated_data
            )
        except plan_services.PlanProblemsError as problems:
            raise nested_plan_problems(problems) from problems
        return _plan_answer(plan, status.HTTP_201_CREATED)


class CasePlanDetailView(APIView):
    @extend_schema(responses=CasePlanSerializer)
    @sends_etag
    def get(self, request: Request, case_id: int, pk: int) -> Response:
        """One plan of the case with its goals and actions, and its ``ETag``: needs the case plan
        section (403), and a plan of another case answers 404. The reading goes into the audit
        trail."""
        plan = selectors.plan_detail(user=actor_of(request), case_id=case_id, plan_id=pk)
        return Response(CasePlanSerializer(plan).data, headers={"ETag": etag(plan)})

    @extend_schema(request=CasePlanWriteSerializer, responses=CasePlanSerializer)
    @honours_if_match
    def patch(self, request: Request, case_id: int, pk: int) -> Response:
        """Replaces the goals of a draft or rejected plan (a rejected one becomes a draft); with
        ``If-Match``, refused (412) when the plan changed since."""
        data = CasePlanWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            plan = plan_services.plan_update(
                actor=actor_of(request),
                plan=CasePlan(pk=pk, case_id=case_id),
                expected_version=expected_version(request, pk),
                **data.validated_data,
            )
        except plan_services.PlanProblemsError as problems:
            raise nested_plan_problems(problems) from problems
        return _plan_answer(plan)


class CasePlanSubmitView(APIView):
    @extend_schema(request=None, responses=CasePlanSerializer)
    @honours_if_match
    def post(self, request: Request, case_id: int, pk: int) -> Response:
        """Submits a draft or rejected plan for approval and notifies the owner's supervisor: for
        the case's owner and her supervisor (403 otherwise). 409 when the plan is neither a draft
        nor rejected, another plan is in the making or the case is closed; 412 on a stale
        ``If-Match``."""
        return _plan_answer(
            plan_services.plan_submit(
                actor=actor_of(request),
                plan=CasePlan(pk=pk, case_id=case_id),
                expected_version=expected_version(request, pk),
            )
        )


class CasePlanApproveView(APIView):
    @extend_schema(request=PlanDecisionSerializer, responses=CasePlanSerializer)
    @honours_if_match
    def post(self, request: Request, case_id: int, pk: int) -> Response:
        """Approves a submitted plan: for the owner's supervisor, never on her own submission (403).
        409 when the plan is not submitted or the case is closed, 412 on a stale ``If-Match``; the
        plan's review date is set from the child's risk level, and a case at the plan stage moves to
        ``implementation``."""
        data = PlanDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _plan_answer(
            plan_services.plan_approve(
                actor=actor_of(request),
                plan=CasePlan(pk=pk, case_id=case_id),
                expected_version=expected_version(request, pk),
                **data.validated_data,
            )
        )


class CasePlanRejectView(APIView):
    @extend_schema(request=PlanDecisionSerializer, responses=CasePlanSerializer)
    @honours_if_match
    def post(self, request: Request, case_id: int, pk: int) -> Response:
        """Rejects a submitted plan, saying why in ``comment`` (400 without one), so that it can be
        put right and submitted again: for the owner's supervisor, never on her own submission
        (403). 409 when the plan is not submitted or the case is closed, 412 on a stale
        ``If-Match``."""
        data = PlanDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _plan_answer(
            plan_services.plan_reject(
                actor=actor_of(request),
                plan=CasePlan(pk=pk, case_id=case_id),
                expected_version=expected_version(request, pk),
                **data.validated_data,
            )
        )


# --- Services delivered ------------------------------------------------------------------------


@extend_schema_view(
    post=extend_schema(
        request=CaseServiceCreateSerializer,
        responses={201: CaseServiceSerializer},
        description="Records a service the child received or will receive, as the caller's "
        "agency's: for those who may add to the case (its owner, her supervisor, and the people "
        "working on it through an accepted referral or a reintegration's follow-ups), 403 "
        "otherwise; 409 on a closed case. An end date before the start date answers 400.",
    )
)
class CaseServiceListView(CaseRecordListView):
    """Services the case received or will receive; needs the notes section to read and the
    right to contribute to add."""

    serializer_class = CaseServiceSerializer
    model = CaseService
    input_serializer = CaseServiceCreateSerializer
    select = staticmethod(selectors.service_list)
    create = staticmethod(record_services.case_service_create)


class CaseServiceDetailView(APIView):
    @extend_schema(responses=CaseServiceSerializer)
    @sends_etag
    def get(self, request: Request, case_id: int, pk: int) -> Response:
        """One service record of the case, with its ``ETag``: needs the notes section (403), and a
        record of another case answers 404. The reading goes into the audit trail."""
        record = selectors.service_detail(user=actor_of(request), case_id=case_id, service_id=pk)
        return Response(CaseServiceSerializer(record).data, headers={"ETag": etag(record)})

    @extend_schema(request=CaseServiceUpdateSerializer, responses=CaseServiceSerializer)
    @honours_if_match
    def patch(self, request: Request, case_id: int, pk: int) -> Response:
        """Changes a service record; with ``If-Match``, refused (412) when it changed since."""
        data = CaseServiceUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        record = record_services.case_service_update(
            actor=actor_of(request),
            record=CaseService(pk=pk, case_id=case_id),
            expected_version=expected_version(request, pk),
            **data.validated_data,
        )
        return Response(CaseServiceSerializer(record).data, headers={"ETag": etag(record)})


# --- Notes -------------------------------------------------------------------------------------


@extend_schema_view(
    post=extend_schema(
        request=CaseNoteCreateSerializer,
        responses={201: CaseNoteSerializer},
        description="Adds a note to the case, never edited afterwards: for the case's owner, "
        "her supervisor and the people working on it through an accepted referral or a "
        "reintegration's follow-ups (403 otherwise; 409 on a closed case). A date in the future "
        "or an empty text answers 400; a note of a contact with the child updates the case's "
        "last contact.",
    )
)
class CaseNoteListView(CaseRecordListView):
    """Notes of contacts and visits, newest first. Append-only: a correction is a new note."""

    serializer_class = CaseNoteSerializer
    model = CaseNote
    input_serializer = CaseNoteCreateSerializer
    select = staticmethod(selectors.note_list)
    create = staticmethod(record_services.case_note_create)


# --- Consent -----------------------------------------------------------------------------------


@extend_schema_view(
    post=extend_schema(
        request=ConsentCreateSerializer,
        responses={201: ConsentSerializer},
        description="Records a consent given by the child or a caregiver, with what it covers: "
        "for the case's owner and her supervisor (403 otherwise; 409 on a closed case). A "
        "referral is made without a consent covering ``referral`` only with a reason for "
        "overriding it.",
    )
)
class ConsentListView(CaseRecordListView):
    """Consent of the child and caregivers, for data sharing, referral and services."""

    serializer_class = ConsentSerializer
    model = Consent
    input_serializer = ConsentCreateSerializer
    select = staticmethod(selectors.consent_list)
    create = staticmethod(record_services.consent_create)


class ConsentWithdrawView(APIView):
    @extend_schema(request=ConsentWithdrawSerializer, responses=ConsentSerializer)
    def post(self, request: Request, case_id: int, pk: int) -> Response:
        """Withdraws a consent as of ``date`` (today unless given; not in the future, nor before the
        consent was given): for the case's owner and her supervisor (403 otherwise). 409 when it is
        already withdrawn or the case is closed; the consent stays in the file, marked withdrawn."""
        actor = actor_of(request)
        consent = selectors.consent_detail(user=actor, case_id=case_id, consent_id=pk)
        data = ConsentWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = record_services.consent_withdraw(
            actor=actor, consent=consent, **data.validated_data
        )
        return Response(ConsentSerializer(consent).data)
