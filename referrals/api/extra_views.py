"""The service directory, custody transfers under a case, and the supervisor's referral queue."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from cases.choices import Section
from cases.policy import case_get
from core.api.pagination import StandardPagination
from referrals.api.extra_serializers import (
    CustodyTransferCreateSerializer,
    CustodyTransferSerializer,
    DirectoryEntrySerializer,
    DirectoryQuerySerializer,
    QueueSerializer,
)
from referrals.custody import custody_transfer_record
from referrals.directory import agencies_for
from referrals.models import CustodyTransfer
from referrals.queue import supervisor_queue


class ServiceDirectoryView(APIView):
    """Agencies offering all the services asked that cover the child's location (or the whole
    country), nearest coverage first. Open to every signed-in user: referrals are built from it."""

    pagination_class = StandardPagination

    @extend_schema(
        parameters=[DirectoryQuerySerializer], responses=DirectoryEntrySerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        query = DirectoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        entries = agencies_for(**query.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(DirectoryEntrySerializer(page, many=True).data)


class CustodyTransferListView(generics.ListAPIView[CustodyTransfer]):
    """Formal transfers of the child's custody to a shelter. Reading needs the placements
    section of the case; recording, the case's owner or supervisor, or the receiving shelter
    of an accepted referral."""

    serializer_class = CustodyTransferSerializer

    def get_queryset(self) -> QuerySet[CustodyTransfer]:
        if getattr(self, "swagger_fake_view", False):
            return CustodyTransfer.objects.none()
        case, _access = case_get(
            actor_of(self.request),
            self.kwargs["case_id"],
            section=Section.PLACEMENTS,
            read=Section.PLACEMENTS,
        )
        return CustodyTransfer.objects.filter(case=case)

    @extend_schema(
        request=CustodyTransferCreateSerializer, responses={201: CustodyTransferSerializer}
    )
    def post(self, request: Request, case_id: int) -> Response:
        actor = actor_of(request)
        case, _access = case_get(actor, case_id)
        data = CustodyTransferCreateSerializer(data=request.data, context={"case": case})
        data.is_valid(raise_exception=True)
        transfer = custody_transfer_record(actor=actor, case=case, **data.validated_data)
        return Response(CustodyTransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


class ReferralQueueView(APIView):
    """For supervisors and agency admins: referrals waiting for their approval, referrals sent
    to their agency and not yet answered, and their agency's referrals past the deadline."""

    @extend_schema(responses=QueueSerializer)
    def get(self, request: Request) -> Response:
        actor = actor_of(request)
        queue = supervisor_queue(user=actor)
        return Response(QueueSerializer(queue, context={"user": actor}).data)
