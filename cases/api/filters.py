from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from accounts.models import Location
from cases.models import Case, CaseStatus


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    location = django_filters.ModelChoiceFilter(
        queryset=Location.objects.all(),
        method="filter_location",
        label="Location, with everything under it",
    )
    owner = django_filters.ChoiceFilter(
        choices=[("me", "me")], method="filter_owner", label="'me' for the cases I own"
    )

    class Meta:
        model = Case
        fields = ["status", "location", "owner"]

    def filter_location(
        self, queryset: QuerySet[Case], name: str, value: Location
    ) -> QuerySet[Case]:
        return queryset.filter(location_path__startswith=value.path)

    def filter_owner(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(owner_id=self.request.user.pk)
