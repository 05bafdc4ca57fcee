from __future__ import annotations

import django_filters

from core.api.filters import IdFilter
from reintegration.choices import FollowUpStatus
from reintegration.models import FollowUp


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
