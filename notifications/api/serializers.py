from __future__ import annotations

from rest_framework import serializers

from notifications.email import link_of
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(
        source="case_id",
        allow_null=True,
        read_only=True,
        help_text="The case concerned, when the notification names one (a referral's notice "
        "names it only to those who may open the case).",
    )
    case_number = serializers.CharField(
        read_only=True, help_text="The case's number; empty whenever case is null."
    )
    referral = serializers.IntegerField(source="referral_id", allow_null=True, read_only=True)
    follow_up = serializers.IntegerField(source="follow_up_id", allow_null=True, read_only=True)
    worker = serializers.IntegerField(
        source="worker_id",
        allow_null=True,
        read_only=True,
        help_text="The person whose cases the notification is about (a deactivated account's, "
        "whose cases are to be moved).",
    )
    concern_report = serializers.IntegerField(
        source="concern_report_id",
        allow_null=True,
        read_only=True,
        help_text="The report of a child at risk concerned (its status only, for its reporter).",
    )
    read = serializers.SerializerMethodField()
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="The kind in the reader's language."
    )
    link = serializers.SerializerMethodField(
        help_text="The page to open, as an absolute address on this site."
    )

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
            "worker",
            "concern_report",
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
