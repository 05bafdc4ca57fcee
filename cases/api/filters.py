from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from accounts.models import Location
from cases.choices import RiskLevel, Stage, Status
from cases.models import Case, ConcernType
from cases.search import search_cases


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    concern = django_filters.ModelChoiceFilter(
        queryset=ConcernType.objects.all(), field_name="concern_rows__concern",
        to_field_name="code", label="Concern code",
    )  # fmt: skip
    location = django_filters.ModelChoiceFilter(
        queryset=Location.objects.all(), method="filter_location",
        label="Location, with everything under it",
    )  # fmt: skip
    owner = django_filters.ChoiceFilter(
        choices=[("me", "me")], method="filter_owner", label="'me' for the cases I own"
    )
    q = django_filters.CharFilter(
        method="filter_q", label="Child's name (Khmer or Latin letters, fuzzy) or case number"
    )

    class Meta:
        model = Case
        fields = ["status", "stage", "risk_level", "concern", "location", "owner", "q"]

    def filter_location(
        self, queryset: QuerySet[Case], name: str, value: Location
    ) -> QuerySet[Case]:
        return queryset.filter(location_path__startswith=value.path)

    def filter_owner(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(owner_id=self.request.user.pk)

    def filter_q(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return search_cases(queryset, value) if value.strip() else queryset
