"""Placements and reintegration under a case; follow-up visits on their own, scoped by the
follow-ups section of the access policy (which a commune committee holds for its commune)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from cases.api.list_reads import RecordsListReads
from cases.policy import case_get
from core.api.schema import idempotent_creation
from core.idempotency import idempotent
from reintegration import selectors, services
from reintegration.api.filters import FollowUpFilter, compiled_follow_up_list
from reintegration.api.serializers import (
    FOLLOW_UP_COLUMNS,
    FollowUpCompleteSerializer,
    FollowUpRescheduleSerializer,
    FollowUpSerializer,
    PlacementCreateSerializer,
    PlacementSerializer,
    ReintegrationCreateSerializer,
    ReintegrationSerializer,
)
from reintegration.models import FollowUp, Placement, Reintegration


def _for_schema(view: APIView) -> bool:
    return bool(getattr(view, "swagger_fake_view", False))


@extend_schema_view(
    post=extend_schema(request=PlacementCreateSerializer, responses={201: PlacementSerializer})
)
class PlacementListView(generics.ListAPIView[Placement]):
    """Where the child has lived, latest first; needs the placements section."""

    serializer_class = PlacementSerializer

    def get_queryset(self) -> QuerySet[Placement]:
        if _for_schema(self):
            return Placement.objects.none()
        return selectors.placement_list(user=actor_of(self.request), case_id=self.kwargs["case_id"])

    def post(self, request: Request, case_id: int) -> Response:
        """Records where the child lives from ``start_date``: for the case's owner and her
        supervisor (403 otherwise; 409 on a closed case). A current placement (no end date) ends the
        one before it, periods may not overlap (400), and ``residential_care`` needs a gatekeeping
        decision approved by a supervisor of the case's agency or of the office overseeing its place
        (400)."""
        actor = actor_of(request)
        case, _access = case_get(actor, case_id)
        data = PlacementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        placement = services.placement_create(actor=actor, case=case, **data.validated_data)
        return Response(PlacementSerializer(placement).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    post=extend_schema(
        request=ReintegrationCreateSerializer, responses={201: ReintegrationSerializer}
    )
)
class ReintegrationView(generics.ListAPIView[Reintegration]):
    """The child's returns to a family, each with its follow-up schedule."""

    serializer_class = ReintegrationSerializer

    def get_queryset(self) -> QuerySet[Reintegration]:
        if _for_schema(self):
            return Reintegration.objects.none()
        return selectors.reintegration_list(
            user=actor_of(self.request), case_id=self.kwargs["case_id"]
        )

    def post(self, request: Request, case_id: int) -> Response:
        """Records the child's return to a family placement and schedules the follow-up visits
        (months 1, 3, 6 and 12 after ``date`` unless configured): for the case's owner and her
        supervisor (403 otherwise; 409 on a closed case). The follow-up worker, when not the owner,
        is granted the profile, placements and follow-ups sections, and the commune committee of the
        family's commune the follow-ups; visits still scheduled from an earlier reintegration are
        cancelled."""
        actor = actor_of(request)
        case, _access = case_get(actor, case_id)
        data = ReintegrationCreateSerializer(data=request.data, context={"case": case})
        data.is_valid(raise_exception=True)
        reintegration = services.reintegration_create(actor=actor, case=case, **data.validated_data)
        return Response(ReintegrationSerializer(reintegration).data, status=status.HTTP_201_CREATED)


class FollowUpListView(RecordsListReads, generics.ListAPIView[FollowUp]):
    """The visits I may see, soonest first: filter by status, dates and case."""

    list_read = "follow_up"
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter

    def get_queryset(self) -> QuerySet[FollowUp]:
        if _for_schema(self):
            return FollowUp.objects.none()
        visible = selectors.follow_ups_visible(user=actor_of(self.request))
        return visible.only(*FOLLOW_UP_COLUMNS).order_by(*selectors.SOONEST_FIRST)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The statement of this shape, compiled once (selectors.FollowUpList).
        compiled = compiled_follow_up_list(
            actor_of(request), request.query_params, columns=FOLLOW_UP_COLUMNS
        )
        listed = self.filter_queryset(self.get_queryset()) if compiled is None else compiled
        page = self.paginate_queryset(listed)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FollowUpDetailView(APIView):
    @extend_schema(responses=FollowUpSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One follow-up visit, to those who see its case's follow-ups section (a commune committee
        for the children reintegrated into its commune); any other visit answers 404. The reading
        goes into the audit trail."""
        follow_up = selectors.follow_up_detail(user=actor_of(request), follow_up_id=pk)
        return Response(FollowUpSerializer(follow_up).data)


class FollowUpCompleteView(APIView):
    @extend_schema(request=FollowUpCompleteSerializer, responses=FollowUpSerializer)
    @idempotent_creation
    def post(self, request: Request, pk: int) -> Response:
        """Records a scheduled visit: its date, outcome and a score of 1 to 5 for every wellbeing
        domain (400 otherwise). For the case's owner, her supervisor and those given its follow-ups
        (the follow-up worker, the commune committee), 403 for others who only read it; 409 when the
        visit is no longer scheduled or the case is closed. ``at_risk`` or ``breakdown`` notifies
        the owner and her supervisor and makes a risk reassessment due today. With an
        ``Idempotency-Key``, a visit recorded offline and sent twice is recorded once: the
        second sending gets the first answer again."""
        return idempotent(
            request,
            scope=f"follow_ups.complete:{pk}",
            create=lambda: self._complete(request, pk),
        )

    def _complete(self, request: Request, pk: int) -> Response:
        actor = actor_of(request)
        follow_up = selectors.follow_up_detail(user=actor, follow_up_id=pk, record_read=False)
        data = FollowUpCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_complete(
            actor=actor, follow_up=follow_up, **data.validated_data
        )
        return Response(FollowUpSerializer(_reread(follow_up)).data)


class FollowUpRescheduleView(APIView):
    @extend_schema(
        request=FollowUpRescheduleSerializer,
        responses={201: FollowUpSerializer},
        description="Marks the visit missed and schedules a new one, which is returned.",
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = actor_of(request)
        follow_up = selectors.follow_up_detail(user=actor, follow_up_id=pk, record_read=False)
        data = FollowUpRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        replacement = services.follow_up_reschedule(
            actor=actor, follow_up=follow_up, **data.validated_data
        )
        return Response(
            FollowUpSerializer(_reread(replacement)).data, status=status.HTTP_201_CREATED
        )


def _reread(follow_up: FollowUp) -> FollowUp:
    """The visit as the list shows it, with the child and address in one query."""
    return selectors.follow_up_of(follow_up_id=follow_up.pk)
