from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from rest_framework import serializers

from accounts import selectors
from accounts.choices import AgencyType, EmailDelivery, LocationLevel, Role
from accounts.models import Agency, Location, ServiceType, User
from core.api.serializers import StrictInputSerializer


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    # Required, and checked, when the person has turned on two-factor sign-in: the app's code, or
    # one of the person's recovery codes (10 digits, perhaps written in two groups).
    otp_token = serializers.CharField(max_length=16, required=False, allow_blank=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


# Declared so the schema says what is sent: an address, or "" when none is recorded.
EMAIL_HELP = "Empty when no address is recorded."
LANGUAGE_HELP = "The interface language (en, km); empty for the site's default."
LANGUAGE_CHOICES = ["", *(code for code, _name in settings.LANGUAGES)]


class UserSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(read_only=True, allow_blank=True, help_text=EMAIL_HELP)
    preferred_language = serializers.CharField(read_only=True, help_text=LANGUAGE_HELP)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "agency",
            "role",
            "location",
            "supervisor",
            "is_active",
            "preferred_language",
        ]
        read_only_fields = fields


class VisibleUserField(serializers.PrimaryKeyRelatedField):
    """A user within the reach of the caller (``actor`` in the serializer's context). Anybody else
    is "not found", as on GET, so an agency admin learns nothing about other agencies' people
    from the error."""

    def get_queryset(self) -> QuerySet[User]:
        return selectors.users_visible_to(self.context["actor"])


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, max_length=256, trim_whitespace=False)
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), allow_null=True, required=False, default=None
    )
    role = serializers.ChoiceField(choices=Role.choices)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), allow_null=True, required=False, default=None
    )
    supervisor = VisibleUserField(
        queryset=User.objects.all(), allow_null=True, required=False, default=None
    )
    preferred_language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES, required=False, default="", help_text=LANGUAGE_HELP
    )

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value


class UserUpdateSerializer(StrictInputSerializer):
    password = serializers.CharField(write_only=True, max_length=256, trim_whitespace=False)
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(allow_blank=True)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), allow_null=True)
    supervisor = VisibleUserField(queryset=User.objects.all(), allow_null=True)
    is_active = serializers.BooleanField()
    preferred_language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, help_text=LANGUAGE_HELP)


class MeSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(read_only=True, allow_blank=True, help_text=EMAIL_HELP)
    preferred_language = serializers.CharField(read_only=True, help_text=LANGUAGE_HELP)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "agency",
            "role",
            "location",
            "supervisor",
            "email",
            "preferred_language",
            "email_delivery",
        ]
        read_only_fields = fields


class PreferencesSerializer(StrictInputSerializer):
    preferred_language = serializers.CharField(
        required=False, allow_blank=True, max_length=8, help_text=LANGUAGE_HELP
    )
    email_delivery = serializers.ChoiceField(choices=EmailDelivery.choices, required=False)


class AgencySerializer(serializers.ModelSerializer):
    services = serializers.SerializerMethodField()
    coverage = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "type",
            "location",
            "services",
            "coverage",
            "requires_referral_approval",
            "is_active",
        ]
        read_only_fields = fields

    def get_services(self, agency: Agency) -> list[str]:
        return [row.service_id for row in agency.service_rows.all()]

    def get_coverage(self, agency: Agency) -> list[int]:
        return [location.pk for location in agency.coverage.all()]


class ServiceCodeField(serializers.SlugRelatedField):
    """A code from the admin-managed list of active service types, given back as the code."""

    default_error_messages = {
        "does_not_exist": "Unknown service code: {value}.",
        "invalid": "A service code is a string.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="code", queryset=ServiceType.objects.filter(is_active=True), **kwargs
        )

    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(data).code)


class AgencyWriteSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=AgencyType.choices)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), allow_null=True, required=False, default=None
    )
    services = serializers.ListField(child=ServiceCodeField(), required=False, default=list)
    coverage = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), many=True, required=False, default=list
    )
    requires_referral_approval = serializers.BooleanField(required=False, default=False)
    is_active = serializers.BooleanField(required=False, default=True)

    def validate_name(self, value: str) -> str:
        clash = Agency.objects.filter(name__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("An agency with that name already exists.")
        return value


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "code", "name_en", "name_km", "level", "parent", "path"]
        read_only_fields = fields


class LocationCreateSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[0-9A-Za-z-]{1,16}\Z")
    name_en = serializers.CharField(max_length=120)
    name_km = serializers.CharField(max_length=120)
    level = serializers.ChoiceField(choices=LocationLevel.choices)
    # The contract's field name shadows Field.parent, which DRF sets only on bound fields.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Location.objects.all(), allow_null=True, required=False, default=None
    )

    def validate_code(self, value: str) -> str:
        if Location.objects.filter(code=value).exists():
            raise serializers.ValidationError("A location with that code already exists.")
        return value
