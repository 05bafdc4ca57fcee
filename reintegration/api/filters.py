from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.http import QueryDict

from accounts.models import User
from core.api.filters import IdFilter, asked_only
from reintegration.choices import FollowUpStatus
from reintegration.models import FollowUp
from reintegration.selectors import FOLLOW_UP_LIST_FILTERS, FollowUpList


class FollowUpFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)
    due_before = django_filters.DateFilter(
        field_name="scheduled_date",
        lookup_expr="lt",
        label="Scheduled before this date (not on it)",
    )
    due_after = django_filters.DateFilter(
        field_name="scheduled_date", lookup_expr="gte", label="Scheduled on or after this date"
    )
    case = IdFilter(field_name="case_id")

    class Meta:
        model = FollowUp
        fields = ["status", "due_before", "due_after", "case"]


def compiled_follow_up_list(
    user: User, query: QueryDict, *, columns: Sequence[str]
) -> FollowUpList | None:
    """The follow-up list as a statement compiled once a shape answers it, when asked with
    no filter but a status and the dates (FollowUpList): nearly every time it is asked. The
    values are cleaned by the FilterSet's own fields (their last value, as the filter reads
    it); any other filter, or a value they refuse, goes to the FilterSet, which applies or
    refuses it."""
    names = set(asked_only(FollowUpFilter, query).base_filters)
    if not names <= set(FOLLOW_UP_LIST_FILTERS):
        return None
    asked: dict[str, Any] = {}
    try:
        for name in names:
            value = FollowUpFilter.base_filters[name].field.clean(query.get(name))
            if value not in (None, ""):
                asked[name] = value
    except ValidationError:
        return None
    return FollowUpList(user=user, asked=asked, columns=columns)
