from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.api.authentication import actor_of
from cases.api.list_reads import RecordsListReads
from cases.policy import case_get
from cases.prefetched import load_details
from core.api.filters import asked_only
from core.api.schema import answers_not_found, idempotent_creation
from core.idempotency import idempotent
from core.ids import ID_REGEX
from referrals import selectors, services
from referrals.api.serializers import (
    REFERRAL_COLUMNS,
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
        """Already narrowed: the queryset comes from ``referral_list`` for this direction
        (``direction_asked``), the visibility condition built for one side only."""
        return queryset


# The filters the list of a side and a status applies itself, with their valid values.
SIDE_AND_STATUS = {"direction": ReferralDirection.values, "status": ReferralStatus.values}


def _side_and_status_only(query: QueryDict) -> bool:
    """Whether the list is asked with no filter but a valid side and a valid status (their
    last values, as the filters read them). Any other filter, or an invalid value, goes to the
    FilterSet, which applies or refuses it."""
    asked = asked_only(ReferralFilter, query).base_filters
    return all(
        name in SIDE_AND_STATUS and query.get(name) in SIDE_AND_STATUS[name] for name in asked
    )


def direction_asked(query: QueryDict) -> str | None:
    """The ``direction`` filter's value when it is a valid one; an invalid one is answered by
    the filter (400 on the API)."""
    value = query.get("direction")
    return value if value in ReferralDirection.values else None


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
        return selectors.referral_list(
            user=actor_of(self.request),
            direction=direction_asked(self.request.query_params),
            columns=REFERRAL_COLUMNS if self.action == "list" else None,
        )

    def paginate_queryset(self, queryset: QuerySet[Any] | Sequence[Any]) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        load_details([referral.case for referral in page or []], concerns=True)
        return page

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = actor_of(request)
        query = request.query_params
        direction = direction_asked(query)
        listed: Sequence[Referral] | QuerySet[Referral]
        if _side_and_status_only(query):
            # The statement of this shape, compiled once (selectors.SideAndStatusList).
            listed = selectors.SideAndStatusList(
                user=user, direction=direction, status=query.get("status"), columns=REFERRAL_COLUMNS
            )
        elif direction is not None:
            listed = self.filter_queryset(self.get_queryset())
        else:
            # Both sides: each filtered alone, so each is read from its own index in date order.
            sides = [
                self.filter_queryset(
                    selectors.referral_list(user=user, direction=side, columns=REFERRAL_COLUMNS)
                )
                for side in ReferralDirection.values
            ]
            listed = selectors.referral_list_both(user=user, sides=sides, columns=REFERRAL_COLUMNS)
        page = self.paginate_queryset(listed)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": actor_of(self.request)}

    def _answer(self, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.referral_detail(user=actor_of(self.request), referral_id=referral.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One referral as the caller's side may see it, with ``actions``, what they may do on it
        now; before acceptance the receiving side sees a summary of the child, never the case. To
        the receiving side it also shows ``contributions``: the notes and services its agency
        recorded on the case."""
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
        """Refers the case named in the body to another agency, for a service or a transfer: for its
        owner and the owner's supervisor (403; 409 on a closed case, or while a referral of it to
        that agency is pending, sent or accepted). Without a recorded consent covering referral,
        ``consent_override_reason`` is required (400), and only supervisors and police officers may
        give it (403). Where the sender's agency requires approval, a referral by anyone but a
        supervisor waits for her supervisor (``pending_approval``, the supervisor notified),
        otherwise it is sent and the receiving agency's supervisors are notified; an
        ``Idempotency-Key`` replays the first answer."""
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
        """Sends a referral that waits for approval: for the sender's supervisor (403); 409 unless
        it is ``pending_approval``. Its response deadline starts, the receiving agency's supervisors
        are notified, and both agencies' webhooks are told (``referral.created``)."""
        return self._act(request, pk, None, services.referral_approve)

    @extend_schema(request=AcceptSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """The receiving agency takes the child on, giving them to ``assigned_to``, an active social
        worker or supervisor of the agency (400 otherwise): for its social workers and supervisors
        (403); 409 unless the referral is ``sent``. A service referral grants the assigned worker
        the shared sections and the right to add notes and services, a transfer makes them the
        case's owner; the sender and the case's owner are notified."""
        return self._act(request, pk, AcceptSerializer, services.referral_accept)

    @extend_schema(request=ReferralReasonSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        """The receiving agency refuses the referral, saying why (400 without a reason): for its
        social workers and supervisors (403); 409 unless the referral is ``sent``. The sender and
        the case's owner are notified, and both agencies' webhooks are told."""
        return self._act(request, pk, ReferralReasonSerializer, services.referral_decline)

    @extend_schema(request=OutcomeSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        """The receiving agency reports the ``outcome`` of an accepted service referral, which goes
        into the case as a note: for its social workers and supervisors (403); 409 unless the
        referral is an accepted service referral (a transfer is done once accepted). The grants the
        referral gave end: the receiver then sees only what it recorded on the case."""
        return self._act(request, pk, OutcomeSerializer, services.referral_complete)

    @extend_schema(request=ReferralReasonSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Withdraws a referral not yet accepted, saying why (400 without a reason): for its sender,
        her supervisor and the case's owner, of the sending agency (403); 409 once it is accepted or
        closed. The webhooks of the sending agency, and of the receiving one when it was sent, are
        told."""
        return self._act(request, pk, ReferralReasonSerializer, services.referral_cancel)
