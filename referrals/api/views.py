from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.api.authentication import actor_of
from cases.api.list_reads import RecordsListReads
from cases.policy import case_get
from core.api.schema import answers_not_found, idempotent_creation
from core.idempotency import idempotent
from core.ids import ID_REGEX
from referrals import selectors, services
from referrals.api.serializers import (
    AcceptSerializer,
    OutcomeSerializer,
    ReferralContributionsSerializer,
    ReferralCreateSerializer,
    ReferralReasonSerializer,
    ReferralSerializer,
)
from referrals.choices import ReferralDirection, ReferralStatus
from referrals.models import Referral


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    direction = django_filters.ChoiceFilter(
        choices=ReferralDirection.choices, method="filter_direction"
    )

    class Meta:
        model = Referral
        fields = ["status", "direction"]

    def filter_direction(
        self, queryset: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        agency_id = self.request.user.agency_id
        if value == ReferralDirection.INCOMING:
            return queryset.filter(to_agency_id=agency_id)
        return queryset.filter(from_agency_id=agency_id)


class ReferralViewSet(
    RecordsListReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Referral],
):
    """Referrals the caller's side sent or received. Before acceptance the receiver sees a
    summary of the child (initials, age, sex, concerns), never the case."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    list_read = "referral"
    queryset = Referral.objects.none()  # for the schema; requests use get_queryset()
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Referral]:
        return selectors.referral_list(user=actor_of(self.request))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": actor_of(self.request)}

    def _answer(self, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.referral_detail(user=actor_of(self.request), referral_id=referral.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = selectors.referral_detail(user=actor_of(request), referral_id=kwargs["pk"])
        data = self.get_serializer(referral).data
        if (
            data["direction"] == ReferralDirection.INCOMING
            and referral.status != ReferralStatus.PENDING_APPROVAL
        ):
            notes, services_given = selectors.receiver_contributions(referral)
            data["contributions"] = ReferralContributionsSerializer(
                {"notes": notes, "services": services_given}
            ).data
        return Response(data)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    @idempotent_creation
    @answers_not_found
    def create(self, request: Request) -> Response:
        return idempotent(request, scope="referrals.create", create=lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        actor = actor_of(request)
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case, _access = case_get(actor, values.pop("case"))
        referral = services.referral_create(actor=actor, case=case, **values)
        return self._answer(referral, status.HTTP_201_CREATED)

    def _act(
        self,
        request: Request,
        pk: str,
        serializer_class: type[Serializer] | None,
        act: Callable[..., Referral],
    ) -> Response:
        actor = actor_of(request)
        referral = selectors.referral_detail(user=actor, referral_id=pk)
        values: dict[str, Any] = {}
        if serializer_class is not None:
            data = serializer_class(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
        return self._answer(act(actor=actor, referral=referral, **values))

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, None, services.referral_approve)

    @extend_schema(request=AcceptSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, AcceptSerializer, services.referral_accept)

    @extend_schema(request=ReferralReasonSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, ReferralReasonSerializer, services.referral_decline)

    @extend_schema(request=OutcomeSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, OutcomeSerializer, services.referral_complete)

    @extend_schema(request=ReferralReasonSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, ReferralReasonSerializer, services.referral_cancel)
