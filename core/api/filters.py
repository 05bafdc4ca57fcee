"""Filters the API's lists share."""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number (anything else answers 400), matched without saying
    whether such an object exists."""

    field_class = forms.IntegerField
