"""Webhook registrations for partner systems: agency admins manage their agency's endpoints,
system admins any agency's. The notifications app knows no roles, so this layer tells its
services who the caller administers."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from accounts.api.webhook_serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookSecretSerializer,
)
from accounts.choices import Role
from accounts.models import User
from core.api.conditional import etag, expected_version
from core.api.schema import honours_if_match, sends_etag
from core.ids import ID_REGEX
from notifications import webhooks
from notifications.models import WebhookDelivery, WebhookEndpoint


def _admin_of_agency_id(user: User) -> int | None:
    return user.agency_id if user.role == Role.AGENCY_ADMIN else None


def _as_manager(user: User) -> dict[str, Any]:
    """The caller as the notifications services take it: who, which agency they administer,
    and whether they administer all."""
    return {
        "actor": user,
        "actor_admin_of_agency_id": _admin_of_agency_id(user),
        "actor_is_system_admin": user.role == Role.SYSTEM_ADMIN,
    }


def _endpoints_of(user: User) -> QuerySet[WebhookEndpoint]:
    return webhooks.webhook_endpoints_visible(
        admin_of_agency_id=_admin_of_agency_id(user),
        is_system_admin=user.role == Role.SYSTEM_ADMIN,
    )


class ManagesWebhooks(BasePermission):
    """System admins and agency admins; everybody else gets 403 before anything is read."""

    message = "Only system and agency admins manage webhooks."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not isinstance(user, User):
            return False
        return user.role == Role.SYSTEM_ADMIN or (
            user.role == Role.AGENCY_ADMIN and user.agency_id is not None
        )


class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[WebhookEndpoint]
):
    """Endpoints of partner systems that receive an agency's referral events, signed with the
    endpoint's secret (shown once, when registered or rotated). Another agency's endpoint
    answers 404."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsAuthenticated, ManagesWebhooks]
    queryset = WebhookEndpoint.objects.none()  # for the schema; requests use get_queryset()
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return _endpoints_of(actor_of(self.request))

    @extend_schema(
        request=WebhookEndpointCreateSerializer, responses={201: WebhookEndpointCreatedSerializer}
    )
    def create(self, request: Request) -> Response:
        """Registers an endpoint for referral events: an agency admin for her own agency (``agency``
        may be left out), a system admin for the agency she names (400 without one); another
        agency's answers 403. The URL must be https and reach a public address, but for a private
        host the operator allows (400); the answer shows the signing ``secret``, this once."""
        actor = actor_of(request)
        data = WebhookEndpointCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        agency = fields.pop("agency", None)
        # An agency admin registers for their own agency unless they say otherwise (and the
        # service refuses any other); a system admin must say which.
        agency_id = agency.pk if agency is not None else _admin_of_agency_id(actor)
        if agency_id is None:
            raise ValidationError({"agency": ["This field is required."]})
        endpoint = webhooks.webhook_endpoint_create(
            **_as_manager(actor), agency_id=agency_id, **fields
        )
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )

    @sends_etag
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One endpoint registration, without its secret, and its ``ETag``; another agency's
        endpoint answers 404."""
        endpoint = self.get_object()
        return Response(self.get_serializer(endpoint).data, headers={"ETag": etag(endpoint)})

    @extend_schema(request=WebhookEndpointUpdateSerializer, responses=WebhookEndpointSerializer)
    @honours_if_match
    def partial_update(self, request: Request, pk: str) -> Response:
        """Changes an endpoint's URL, events or whether it is active (its agency never changes); the
        URL is checked as on registration (400), and a stale ``If-Match`` answers 412."""
        data = WebhookEndpointUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        # Another agency's endpoint is 404; the service locks the row and checks the rest.
        endpoint = get_object_or_404(self.get_queryset(), pk=pk)
        endpoint = webhooks.webhook_endpoint_update(
            **_as_manager(actor_of(request)),
            endpoint=endpoint,
            expected_version=expected_version(request, endpoint.pk),
            **data.validated_data,
        )
        return Response(WebhookEndpointSerializer(endpoint).data, headers={"ETag": etag(endpoint)})

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        """Removes an endpoint and its delivery records; deliveries not yet sent to it stop. The
        removal goes into the audit trail."""
        endpoint = get_object_or_404(self.get_queryset(), pk=pk)
        webhooks.webhook_endpoint_delete(**_as_manager(actor_of(request)), endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=WebhookSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        """A new secret, shown in this answer only; the old one stops signing at once."""
        endpoint = get_object_or_404(self.get_queryset(), pk=pk)
        endpoint = webhooks.webhook_endpoint_rotate_secret(
            **_as_manager(actor_of(request)), endpoint=endpoint
        )
        return Response(WebhookSecretSerializer(endpoint).data)


class WebhookDeliveryListView(generics.ListAPIView[WebhookDelivery]):
    """An endpoint's recent deliveries, newest first, with how sending each went."""

    serializer_class = WebhookDeliverySerializer
    permission_classes = [IsAuthenticated, ManagesWebhooks]
    queryset = WebhookDelivery.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        endpoint = get_object_or_404(_endpoints_of(actor_of(self.request)), pk=self.kwargs["pk"])
        return webhooks.webhook_deliveries(endpoint)


class WebhookRedeliverView(APIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    def post(self, request: Request, pk: int, delivery_id: uuid.UUID) -> Response:
        """Sends a delivery's event again: a new delivery with the same body, a new
        ``delivery_id`` and ``redelivery_of`` naming the original, queued at once (202) and sent
        to an address checked at that moment. 409 while the original is still being tried or
        the endpoint is deactivated; another agency's endpoint or delivery answers 404."""
        actor = actor_of(request)
        endpoint = get_object_or_404(_endpoints_of(actor), pk=pk)
        delivery = get_object_or_404(webhooks.webhook_deliveries(endpoint), delivery_id=delivery_id)
        redelivery = webhooks.webhook_redeliver(**_as_manager(actor), delivery=delivery)
        return Response(WebhookDeliverySerializer(redelivery).data, status=status.HTTP_202_ACCEPTED)
