"""The baseline: the case list as most Django projects would build it, on the same data.

A ModelViewSet with default ModelSerializers (the child nested, every field), guardian's
``get_objects_for_user`` with its defaults over guardian's generic, text-keyed permission
table, django-filter and DRF's search filter. It is mounted only by the benchmark
(``benchmarks.urls``), never in the production URLconf, and reads grants that the benchmark
writes for its personas inside a transaction it rolls back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django_filters.rest_framework import DjangoFilterBackend
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import get_objects_for_user
from rest_framework import filters, serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import SimpleRouter

from accounts.models import User
from cases.models import Case, Child
from cases.policy import visible_cases

VIEW_PERMISSION = "view_case"


class NaiveChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = Child
        fields = "__all__"


class NaiveCaseSerializer(serializers.ModelSerializer):
    child = NaiveChildSerializer(read_only=True)

    class Meta:
        model = Case
        fields = "__all__"


class NaivePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"


@contextmanager
def generic_permission_tables() -> Iterator[None]:
    """Has guardian use its generic tables for cases, as in a project without direct-foreign-key
    permission models (this one has them, and guardian would pick them up)."""
    with (
        mock.patch(
            "guardian.shortcuts.get_user_obj_perms_model", return_value=UserObjectPermission
        ),
        mock.patch(
            "guardian.shortcuts.get_group_obj_perms_model", return_value=GroupObjectPermission
        ),
    ):
        yield


class NaiveCaseViewSet(viewsets.ModelViewSet[Case]):
    serializer_class = NaiveCaseSerializer
    pagination_class = NaivePagination
    filter_backends = [DjangoFilterBackend, filters.SearchFilter]
    filterset_fields = ["status", "stage", "risk_level"]
    search_fields = [
        "child__given_name",
        "child__family_name",
        "child__given_name_km",
        "child__family_name_km",
        "case_number",
    ]

    def get_queryset(self) -> QuerySet[Case]:
        with generic_permission_tables():
            return get_objects_for_user(self.request.user, f"cases.{VIEW_PERMISSION}", klass=Case)


def grant_generic_permissions(user: User) -> int:
    """Writes a generic ``view_case`` row for every case ``user`` may see (what the naive
    design stores for each person), in the caller's transaction. Returns how many."""
    case_type_id, permission_id = _view_permission()
    inner, params = visible_cases(user).values("id").query.sql_with_params()
    table = connection.ops.quote_name(UserObjectPermission._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (object_pk, content_type_id, permission_id, user_id) "  # noqa: S608 - the inner query is the ORM's, its values bound
            f"SELECT visible.id::text, %s, %s, %s FROM ({inner}) visible",
            [case_type_id, permission_id, user.pk, *params],
        )
        granted = cursor.rowcount
        cursor.execute(f"ANALYZE {table}")
    return granted


def _view_permission() -> tuple[int, int]:
    permission = Permission.objects.select_related("content_type").get(
        content_type__app_label="cases", codename=VIEW_PERMISSION
    )
    return permission.content_type_id, permission.pk


def naive_routes() -> list[URLPattern | URLResolver]:
    router = SimpleRouter()
    router.register("cases", NaiveCaseViewSet, basename="naive-case")
    return router.urls
