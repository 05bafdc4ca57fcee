"""The dashboard's filters: a period in whole months and a place the statistics accept."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A chart of more months than this is unreadable, and every month is a column of the grid
# that small-count suppression works through.
MAX_MONTHS = 36
MONTH = re.compile(r"^(\d{4})-(\d{2})$")

PlaceChoices = list[tuple[str, Any]]


class MonthInput(forms.TextInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # Shown by browsers without a month picker, which offer a plain text box instead.
        super().__init__({"placeholder": "YYYY-MM", **(attrs or {})})


class MonthField(forms.Field):
    """A month written ``YYYY-MM`` (what a browser's month picker sends), as its first day."""

    widget = MonthInput
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2026-01.")}

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        found = MONTH.match(str(value).strip())
        if found is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(found[1]), int(found[2])
        if not (1 <= month <= 12 and year >= 1900):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return date(year, month, 1)

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, date) else value


class StatisticsFilterForm(forms.Form):
    from_month = MonthField(label=_("From month"), required=False)
    to_month = MonthField(label=_("To month"), required=False)
    place = forms.ChoiceField(label=_("Place"), required=False)

    def __init__(self, *args: Any, places: PlaceChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = cast(forms.ChoiceField, self.fields["place"])
        place.choices = [("", _("All the places I see")), *places]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = data.get("from_month")
        # Without an end, the period ends this month.
        end = data.get("to_month") or timezone.localdate().replace(day=1)
        if start and (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
            self.add_error(
                "from_month",
                _("Choose a period of at most %(months)s months.") % {"months": MAX_MONTHS},
            )
        return data
