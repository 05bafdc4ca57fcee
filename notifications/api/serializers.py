from __future__ import annotations

from rest_framework import serializers

from notifications.email import link_of
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", allow_null=True, read_only=True)
    referral = serializers.IntegerField(source="referral_id", allow_null=True, read_only=True)
    follow_up = serializers.IntegerField(source="follow_up_id", allow_null=True, read_only=True)
    read = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    link = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "case",
            "case_number",
            "referral",
            "follow_up",
            "due_at",
            "created_at",
            "read",
            "read_at",
            "link",
        ]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None

    def get_link(self, notification: Notification) -> str:
        return link_of(notification)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
