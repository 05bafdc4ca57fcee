"""Webhook registrations as the API shows them. The secret appears only in the answers that
create it (registration and rotation), never in a read."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import Agency
from notifications.models import WEBHOOK_EVENTS, DeliveryStatus, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="agency_id", read_only=True)
    events = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "agency", "url", "events", "is_active", "created_at"]
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The registration's answer: the only time the secret is shown with the endpoint."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSecretSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    secret = serializers.CharField(read_only=True)


class WebhookEndpointCreateSerializer(serializers.Serializer):
    # Required for system admins; an agency admin's own agency when left out (the view decides).
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False)
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WEBHOOK_EVENTS), allow_empty=False, max_length=20
    )
    is_active = serializers.BooleanField(default=True)


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WEBHOOK_EVENTS), allow_empty=False, max_length=20
    )
    is_active = serializers.BooleanField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Said plainly rather than ignored: moving an endpoint to another agency would hand
        # that agency's events to a partner chosen by somebody else.
        if "agency" in self.initial_data:
            raise serializers.ValidationError(
                {"agency": ["The agency of an endpoint cannot change: register a new one."]}
            )
        return attrs


class WebhookDeliverySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "delivery_id",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "payload",
        ]
        read_only_fields = fields
