"""Victim identifications and repatriations of a case (docs/api.md, "The trafficking
pathway"): thin views over trafficking.selectors and trafficking.services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from cases.policy import case_ref
from trafficking import selectors, services
from trafficking.api.serializers import (
    CrossingSerializer,
    RepatriationAdvanceSerializer,
    RepatriationCreateSerializer,
    RepatriationSerializer,
    VictimIdentificationCreateSerializer,
    VictimIdentificationSerializer,
)
from trafficking.models import Repatriation, VictimIdentification


def _for_schema(view: APIView) -> bool:
    return bool(getattr(view, "swagger_fake_view", False))


class VictimIdentificationListView(generics.ListAPIView[VictimIdentification]):
    """The child's identifications as a victim of trafficking, latest first: the first is the
    child's status now. Needs the ``concerns`` section."""

    serializer_class = VictimIdentificationSerializer

    def get_queryset(self) -> QuerySet[VictimIdentification]:
        if _for_schema(self):
            return VictimIdentification.objects.none()
        return selectors.identification_list(
            user=actor_of(self.request), case_id=self.kwargs["case_id"]
        )

    @extend_schema(
        request=VictimIdentificationCreateSerializer,
        responses={201: VictimIdentificationSerializer},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Records an identification: for those working on the case and the oversight office
        that sees it (403 otherwise; 409 on a closed case). ``identified`` is a formal
        identification, by a competent agency (police, MoSVY, DoSVY) named as
        ``identifying_agency`` and being the recorder's own (400 or 403 otherwise)."""
        actor = actor_of(request)
        data = VictimIdentificationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        identification = services.identification_record(
            actor=actor, case=case_ref(case_id), **data.validated_data
        )
        return Response(
            VictimIdentificationSerializer(identification).data, status=status.HTTP_201_CREATED
        )


class RepatriationListView(generics.ListAPIView[Repatriation]):
    """The child's repatriations, newest first, each with its steps. Needs the
    ``repatriation`` section."""

    serializer_class = RepatriationSerializer

    def get_queryset(self) -> QuerySet[Repatriation]:
        if _for_schema(self):
            return Repatriation.objects.none()
        return selectors.repatriation_list(
            user=actor_of(self.request), case_id=self.kwargs["case_id"]
        )

    @extend_schema(request=RepatriationCreateSerializer, responses={201: RepatriationSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        """Opens a repatriation at ``requested``: for the case's owner and her supervisor (403
        otherwise). 409 on a closed case or while another repatriation of the child is under
        way; ``border_point`` and ``transit_centre`` are codes of ``/api/v1/crossings/``."""
        data = RepatriationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repatriation = services.repatriation_start(
            actor=actor_of(request), case=case_ref(case_id), **data.validated_data
        )
        return Response(
            RepatriationSerializer(selectors.repatriation_of(repatriation.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class RepatriationDetailView(generics.RetrieveAPIView[Repatriation]):
    """One repatriation of the child, with its steps: for those who see the ``repatriation``
    section (403 otherwise; 404 outside reach, or for a repatriation of another case)."""

    serializer_class = RepatriationSerializer

    def get_object(self) -> Repatriation:
        return selectors.repatriation_detail(
            user=actor_of(self.request),
            case_id=self.kwargs["case_id"],
            repatriation_id=self.kwargs["pk"],
        )


class RepatriationAdvanceView(APIView):
    @extend_schema(request=RepatriationAdvanceSerializer, responses=RepatriationSerializer)
    def post(self, request: Request, case_id: int, pk: int) -> Response:
        """Moves the repatriation to its next status (``requested``, ``documents_ready``,
        ``travelling``, ``received``, ``handed_over``), or to ``cancelled`` before it is handed
        over: for the case's owner and her supervisor. A skip, a step back or a move after it
        ended → 409; a date in the future or before the previous step's → 400."""
        actor = actor_of(request)
        repatriation = selectors.repatriation_detail(
            user=actor, case_id=case_id, repatriation_id=pk
        )
        data = RepatriationAdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.repatriation_advance(actor=actor, repatriation=repatriation, **data.validated_data)
        return Response(RepatriationSerializer(selectors.repatriation_of(repatriation.pk)).data)


class CrossingListView(generics.ListAPIView[Any]):
    """The border crossings and transit centres a repatriation names by code."""

    serializer_class = CrossingSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.crossings()
