from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from accounts.models import Location, User
from accounts.reach import reach_of
from cases.choices import RiskLevel, Section, Stage, Status
from cases.models import Case, ConcernType
from cases.policy import readable_filter
from cases.search import is_case_number, search_cases
from cases.selectors.case import NameSearchList, StatusList
from core.api.filters import asked_only


def _readable(cases: QuerySet[Case], user: User, section: str | None = None) -> QuerySet[Case]:
    """``cases`` narrowed to those whose filtered field the user may read: a filter on a field
    hidden from them would tell them its value."""
    condition = readable_filter(user, section)
    return cases if condition is None else cases.filter(condition)


LOCATION_LABEL = "Location, with everything under it"


def searches(params: Mapping[str, Any]) -> bool:
    """Whether a list of cases is asked for by a child's name or a case number (``q``): its
    matches lie on no index in the list's order (core.pagination.KeysFirstPaginator)."""
    return bool(str(params.get("q") or "").strip())


def compiled_case_list(
    user: User, query: QueryDict, *, place: bool = False
) -> StatusList | NameSearchList | None:
    """The case list as a statement compiled once a shape answers it, when asked with no
    filter but a status (StatusList), or by a child's name and at most a status by a caller
    whose search it answers (NameSearchList): nearly every time the list is asked. The values
    are cleaned by the FilterSet's own fields (their last value, as the filter reads it); any
    other filter, or a value they refuse, goes to the FilterSet, which applies or refuses it."""
    asked = set(asked_only(CaseFilter, query).base_filters)
    filters = CaseFilter.base_filters
    try:
        status = filters["status"].field.clean(query.get("status")) or None
        text = filters["q"].field.clean(query.get("q")) or ""
    except DjangoValidationError:
        return None
    if asked <= {"status"}:
        return StatusList(user=user, status=status, place=place)
    if asked - {"status"} != {"q"} or not text.strip() or is_case_number(text):
        return None
    if not NameSearchList.answers(user):
        return None
    return NameSearchList(user=user, text=text, status=status, place=place)


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

    external_id = django_filters.CharFilter(
        method="filter_external_id",
        label="<system>:<id>, the case another system names so (exact)",
    )
    # The keyset paging on (updated_at, id) that goes with it is the view's (cases.api.sync).
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Cases changed at or after this ISO 8601 time, oldest change first, paged by cursor",
    )

    class Meta:
        model = Case
        fields = [
            "status",
            "stage",
            "risk_level",
            "concern",
            "location",
            "owner",
            "q",
            "external_id",
            "updated_since",
        ]

    def filter_external_id(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # Among the visible cases only: an id held by a case out of reach finds nothing.
        system, colon, external_id = value.partition(":")
        if not (colon and system and external_id):
            raise ValidationError({"external_id": [_("Give it as <system>:<id>.")]})
        return queryset.filter(external_ids__system=system, external_ids__external_id=external_id)

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
        territory = reach_of(self.request.user).jurisdiction_path is not None
        return search_cases(queryset, value, territory=territory)
