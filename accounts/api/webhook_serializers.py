"""Webhook registrations as the API shows them. The secret appears only in the answers that
create it (registration and rotation), never in a read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Agency
from core.api.serializers import StrictInputSerializer
from notifications.models import WEBHOOK_EVENTS, DeliveryStatus, WebhookDelivery, WebhookEndpoint

URL_HELP = (
    "An https URL whose host is, and resolves only to, public internet addresses; private, "
    "loopback, link-local and reserved addresses are refused unless the operator allowed the "
    "host (docs/api.md, Webhooks)."
)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="agency_id", read_only=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WEBHOOK_EVENTS), read_only=True
    )

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
    url = serializers.URLField(max_length=500, help_text=URL_HELP)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WEBHOOK_EVENTS),
        allow_empty=False,
        min_length=1,
        max_length=20,
    )
    is_active = serializers.BooleanField(default=True)


class WebhookEndpointUpdateSerializer(StrictInputSerializer):
    # Said plainly: moving an endpoint to another agency would hand that agency's events to a
    # partner chosen by somebody else.
    refused_field_messages = {
        "agency": "The agency of an endpoint cannot change: register a new one."
    }

    url = serializers.URLField(max_length=500, help_text=URL_HELP)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WEBHOOK_EVENTS),
        allow_empty=False,
        min_length=1,
        max_length=20,
    )
    is_active = serializers.BooleanField()


class WebhookReferralSerializer(serializers.Serializer):
    """The referral's state when the event happened; nothing of the child. Its codes are those
    of the referral's own answer (this app sits below referrals, so they are named here only)."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text="The referral's status code.")
    type = serializers.CharField(help_text="service or transfer.")
    urgency = serializers.CharField(help_text="emergency, urgent or routine.")
    services = serializers.ListField(child=serializers.CharField())
    from_agency = serializers.IntegerField()
    to_agency = serializers.IntegerField()
    respond_by = serializers.DateTimeField(
        allow_null=True, help_text="Null while the referral waits for approval."
    )


class WebhookExternalIdSerializer(serializers.Serializer):
    system = serializers.CharField()
    id = serializers.CharField()


class WebhookCaseSerializer(serializers.Serializer):
    """The case an event concerns: its ids only."""

    id = serializers.IntegerField(
        required=False, help_text="Not in the referral events, which name the referral."
    )
    external_ids = WebhookExternalIdSerializer(many=True)
    updated_at = serializers.DateTimeField(required=False, help_text="case.updated only.")
    at = serializers.DateTimeField(
        required=False, help_text="case.gone only: when it left the agency's reach."
    )


class WebhookFollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visit_date = serializers.DateField()
    outcome = serializers.CharField(help_text="stable, at_risk or breakdown.")


class WebhookPayloadSerializer(serializers.Serializer):
    """The JSON body posted to the endpoint: what it holds beside ``event``, ``delivery_id`` and
    ``occurred_at`` depends on the event (docs/api.md, "Webhooks")."""

    referral = WebhookReferralSerializer(required=False, help_text="The referral events.")
    case = WebhookCaseSerializer(required=False)
    follow_up = WebhookFollowUpSerializer(required=False, help_text="follow_up.recorded.")
    event = serializers.ChoiceField(choices=WEBHOOK_EVENTS)
    delivery_id = serializers.UUIDField()
    occurred_at = serializers.DateTimeField()
    redelivery_of = serializers.UUIDField(
        required=False, help_text="The delivery this one sends again, on an admin's request."
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = serializers.ChoiceField(choices=WEBHOOK_EVENTS, read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    payload = serializers.SerializerMethodField()
    redelivery_of = serializers.UUIDField(
        source="redelivery_of.delivery_id",
        allow_null=True,
        read_only=True,
        help_text="The delivery this one sends again, when an admin asked for a redelivery.",
    )

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
            "redelivery_of",
            "payload",
        ]
        read_only_fields = fields

    @extend_schema_field(WebhookPayloadSerializer)
    def get_payload(self, delivery: WebhookDelivery) -> dict[str, Any]:
        return dict(delivery.payload)
