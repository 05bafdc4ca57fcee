from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from accounts.choices import LocationLevel
from accounts.models import Location
from accounts.selectors import places_named


class LocationFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()
    parent = django_filters.ModelChoiceFilter(queryset=Location.objects.all())
    level = django_filters.ChoiceFilter(choices=LocationLevel.choices)
    q = django_filters.CharFilter(method="filter_q", label="Name (Khmer or English) or code")

    class Meta:
        model = Location
        fields = ["code", "parent", "level"]

    def filter_q(self, queryset: QuerySet[Location], name: str, value: str) -> QuerySet[Location]:
        return queryset.filter(places_named(value))
