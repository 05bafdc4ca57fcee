"""The supervisor's referral queue: what waits for them or their agency."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from core.api.schema import refuses_roles
from referrals.models import Referral
from referrals.queue import supervisor_queue


class QueueItemSerializer(serializers.ModelSerializer):
    """A referral in the queue (``user`` in the context). Every one in it waits for approval or
    an answer, so, as in the referral list, the receiving agency is not told which case it is."""

    case = serializers.IntegerField(
        source="case_id",
        read_only=True,
        allow_null=True,
        help_text="The case's id for the sending side; null for the receiving side.",
    )
    case_number = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The case's number for the sending side; null for the receiving side.",
    )
    from_agency_name = serializers.CharField(source="from_agency.name", read_only=True)
    to_agency_name = serializers.CharField(source="to_agency.name", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "case_number",
            "type",
            "urgency",
            "status",
            "from_agency",
            "from_agency_name",
            "to_agency",
            "to_agency_name",
            "respond_by",
            "overdue",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Referral) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        sender = self.context["user"].agency_id == instance.from_agency_id
        if not sender:
            data["case"] = None
            data["case_number"] = None
        return data


class QueueSerializer(serializers.Serializer):
    pending_approval = QueueItemSerializer(many=True, read_only=True)
    awaiting_answer = QueueItemSerializer(many=True, read_only=True)
    overdue = QueueItemSerializer(many=True, read_only=True)


class ReferralQueueView(APIView):
    """For supervisors and agency admins: referrals waiting for their approval, referrals sent
    to their agency and not yet answered, and their agency's referrals past the deadline."""

    @extend_schema(responses=QueueSerializer)
    @refuses_roles
    def get(self, request: Request) -> Response:
        actor = actor_of(request)
        queue = supervisor_queue(user=actor)
        return Response(QueueSerializer(queue, context={"user": actor}).data)
