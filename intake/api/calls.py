"""The helpline's call log (docs/api.md, "Helpline calls"): its operators record each call and
read the log with the helpline's supervisors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.authentication import actor_of
from core.api.schema import idempotent_creation, refuses_roles
from core.idempotency import idempotent
from intake.calls import helpline_call_record, reads_call_log
from intake.choices import CallAction, CallerType, CallReason
from intake.models import HelplineCall
from intake.selectors import calls_visible

_LARGEST_ID = 2**63 - 1


class HelplineCallCreateSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField(
        required=False, help_text="When the call came in; now when left out."
    )
    caller_type = serializers.ChoiceField(choices=CallerType.choices)
    reason = serializers.ChoiceField(choices=CallReason.choices)
    action = serializers.ChoiceField(choices=CallAction.choices)
    duration_minutes = serializers.IntegerField(min_value=0, max_value=600)
    case = serializers.IntegerField(
        min_value=1,
        max_value=_LARGEST_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="The case the call is about or opened (required with `case_opened`); one "
        "out of your reach is refused as a missing one.",
    )
    concern_report = serializers.IntegerField(
        min_value=1,
        max_value=_LARGEST_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="The concern report made for the call (required with `concern_report`).",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class HelplineCallSerializer(serializers.ModelSerializer):
    class Meta:
        model = HelplineCall
        fields = [
            "id",
            "received_at",
            "caller_type",
            "reason",
            "action",
            "duration_minutes",
            "case",
            "concern_report",
            "operator",
            "note",
        ]
        read_only_fields = fields


class HelplineCallFilter(filters.FilterSet):
    received_after = filters.IsoDateTimeFilter(
        field_name="received_at", lookup_expr="gte", label="Received at or after this time"
    )
    received_before = filters.IsoDateTimeFilter(
        field_name="received_at", lookup_expr="lt", label="Received before this time"
    )
    caller_type = filters.ChoiceFilter(choices=CallerType.choices)
    action = filters.ChoiceFilter(choices=CallAction.choices)

    class Meta:
        model = HelplineCall
        fields = ["received_after", "received_before", "caller_type", "action"]


class HelplineCallListView(generics.ListAPIView[HelplineCall]):
    """The helpline's calls, newest first: for its operators and supervisors (403 for anyone
    else)."""

    serializer_class = HelplineCallSerializer
    filterset_class = HelplineCallFilter

    def get_queryset(self) -> QuerySet[HelplineCall]:
        if getattr(self, "swagger_fake_view", False):
            return HelplineCall.objects.none()
        return calls_visible(actor_of(self.request)).order_by("-received_at", "-id")

    @refuses_roles
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not reads_call_log(actor_of(request)):
            raise PermissionDenied(_("The call log is for the helpline's operators."))
        return super().get(request, *args, **kwargs)

    @extend_schema(request=HelplineCallCreateSerializer, responses={201: HelplineCallSerializer})
    @idempotent_creation
    def post(self, request: Request) -> Response:
        """Records a call taken by the caller, an operator of a helpline (403 for anyone else):
        400 for a time in the future or more than 30 days ago, a case or concern report out of
        reach (as a missing one), or ``case_opened`` without a case and ``concern_report``
        without a report. An ``Idempotency-Key`` replays the first answer."""
        return idempotent(request, scope="calls.create", create=lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = HelplineCallCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("received_at", timezone.now())
        call = helpline_call_record(actor=actor_of(request), **values)
        return Response(HelplineCallSerializer(call).data, status=status.HTTP_201_CREATED)
