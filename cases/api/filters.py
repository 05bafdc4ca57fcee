from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from accounts.models import Location, User
from cases.choices import RiskLevel, Section, Stage, Status
from cases.models import Case, ConcernType
from cases.policy import readable_filter
from cases.search import is_case_number, search_cases


def _readable(cases: QuerySet[Case], user: User, section: str | None = None) -> QuerySet[Case]:
    """``cases`` narrowed to those whose filtered field the user may read: a filter on a field
    hidden from them would tell them its value."""
    condition = readable_filter(user, section)
    return cases if condition is None else cases.filter(condition)


LOCATION_LABEL = "Location, with everything under it"


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    concern = django_filters.ModelChoiceFilter(
        queryset=ConcernType.objects.all(),
        method="filter_concern",
        to_field_name="code",
        label="Concern code",
    )
    location = django_filters.ModelChoiceFilter(
        queryset=Location.objects.all(),
        method="filter_location",
        label=LOCATION_LABEL,
    )
    owner = django_filters.ChoiceFilter(
        choices=[("me", "me")], method="filter_owner", label="'me' for the cases I own"
    )
    q = django_filters.CharFilter(
        method="filter_q", label="Child's name (Khmer or Latin letters, fuzzy) or case number"
    )

    class Meta:
        model = Case
        fields = ["status", "stage", "risk_level", "concern", "location", "owner", "q"]

    def filter_concern(
        self, queryset: QuerySet[Case], name: str, value: ConcernType
    ) -> QuerySet[Case]:
        readable = _readable(queryset, self.request.user, Section.CONCERNS)
        return readable.filter(concern_rows__concern=value)

    @extend_schema_field({"type": "integer", "description": LOCATION_LABEL})
    def filter_location(
        self, queryset: QuerySet[Case], name: str, value: Location
    ) -> QuerySet[Case]:
        # Where a case is, is where its child lives: part of the identity.
        readable = _readable(queryset, self.request.user)
        return readable.filter(location_path__startswith=value.path)

    def filter_owner(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(owner_id=self.request.user.pk)

    def filter_q(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if not value.strip():
            return queryset
        # A case number is an administrative field; a name is the child's identity.
        if not is_case_number(value):
            queryset = _readable(queryset, self.request.user)
        return search_cases(queryset, value)
