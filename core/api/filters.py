"""Filters the API's lists share."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.request import Request


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number (anything else answers 400), matched without saying
    whether such an object exists."""

    field_class = forms.IntegerField


def _names(name: str, params: Iterable[str]) -> bool:
    # A filter's widget may read its name with a suffix (a range's name_min and name_max).
    return any(param == name or param.startswith(f"{name}_") for param in params)


def asked_only(filterset: Any, params: Iterable[str]) -> Any:
    """``filterset`` narrowed to the filters that ``params`` (a query's names) name: see
    :class:`AskedFiltersBackend`."""
    named = list(params)
    return _narrowed(
        filterset, frozenset(name for name in filterset.base_filters if _names(name, named))
    )


@lru_cache(maxsize=256)
def _narrowed(filterset: Any, names: frozenset[str]) -> Any:
    # A subclass, so the filters' methods and the Meta stay the FilterSet's own.
    narrowed: Any = type(filterset.__name__, (filterset,), {"__module__": filterset.__module__})
    narrowed.base_filters = {
        name: declared for name, declared in filterset.base_filters.items() if name in names
    }
    return narrowed


class AskedFiltersBackend(DjangoFilterBackend):
    """django-filter's backend, building only the filters a request names.

    A FilterSet copies each filter it declares for every request, and its form each field
    (a model choice's queryset and a choice's list with it): two milliseconds of CPU for the
    case list's nine filters, when a request names one or two. A filter not named is given
    no value and filters nothing, so the FilterSet narrowed to the named ones answers the same
    rows and the same errors. The schema still lists every filter of the view's FilterSet."""

    def get_filterset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = getattr(view, "filterset_class", None)
        if filterset is None:
            return super().get_filterset(request, queryset, view)
        self.get_filterset_class(view, queryset)  # its checks of the FilterSet's model
        narrowed = asked_only(filterset, request.query_params)
        return narrowed(**self.get_filterset_kwargs(request, queryset, view))
