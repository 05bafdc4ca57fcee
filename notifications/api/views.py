"""My notifications: the list, the bell's count, and marking them read. Everyone sees only
their own; another person's notification answers 404."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import outbox
from notifications.api.serializers import NotificationSerializer, UnreadCountSerializer
from notifications.models import Notification


def _me(request: Request) -> int:
    return int(request.user.pk or 0)  # authenticated: DRF's default permission


class NotificationFilter(django_filters.FilterSet):
    read = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Notification
        fields = ["kind", "read"]


class NotificationListView(generics.ListAPIView[Notification]):
    """Mine, newest first; ``?read=false`` for the unread ones."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return outbox.notifications_of(_me(self.request))


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Marks one of my notifications read (reading it again keeps the first time); another
        person's answers 404."""
        notification = outbox.notification_mark_read(user_id=_me(request), notification_id=pk)
        if notification is None:
            raise Http404("No such notification.")
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(request=None, responses=UnreadCountSerializer)
    def post(self, request: Request) -> Response:
        """Marks all my notifications read, and answers the new unread count: 0."""
        outbox.notifications_mark_all_read(user_id=_me(request))
        return Response({"unread": 0})


class UnreadCountView(APIView):
    @extend_schema(responses=UnreadCountSerializer)
    def get(self, request: Request) -> Response:
        """How many of my notifications are unread: the number on the bell."""
        return Response({"unread": outbox.unread_count(_me(request))})
