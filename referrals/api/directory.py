"""The service directory: agencies offering the services asked near the child's place."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import LocationLevel
from accounts.models import Agency, Location
from accounts.selectors import service_types
from core.api.pagination import StandardPagination
from referrals.directory import NATIONAL, agencies_for


class DirectoryQuerySerializer(serializers.Serializer):
    services = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Service codes separated by commas; an agency must offer all of them.",
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The child's location (any level); none lists agencies everywhere.",
    )

    def validate_services(self, value: str) -> list[str]:
        codes = list(dict.fromkeys(code.strip() for code in value.split(",") if code.strip()))
        known = set(
            service_types(active_only=True).filter(code__in=codes).values_list("code", flat=True)
        )
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(
                [f"Unknown service code: {code}." for code in unknown]
            )
        return codes


class DirectoryAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "type", "location"]
        read_only_fields = fields


class CoverageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "code", "name_en", "name_km", "level"]
        read_only_fields = fields


class DirectoryEntrySerializer(serializers.Serializer):
    agency = DirectoryAgencySerializer(read_only=True)
    services = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Every service code it offers."
    )
    covers = CoverageSerializer(
        read_only=True,
        allow_null=True,
        help_text="The coverage entry nearest the place asked about that includes it; null for "
        "a national agency or when no location was asked.",
    )
    level = serializers.ChoiceField(
        choices=[*LocationLevel.choices, (NATIONAL, _("National"))],
        read_only=True,
        allow_null=True,
        help_text='Level of the matching coverage; "national" for an agency covering everywhere; '
        "null when no location was asked and the agency covers only some places.",
    )


class ServiceDirectoryView(APIView):
    """Agencies offering all the services asked that cover the child's location (or the whole
    country), nearest coverage first. Open to every signed-in user: referrals are built from it."""

    pagination_class = StandardPagination

    @extend_schema(
        parameters=[DirectoryQuerySerializer], responses=DirectoryEntrySerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        query = DirectoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        entries = agencies_for(**query.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(DirectoryEntrySerializer(page, many=True).data)
