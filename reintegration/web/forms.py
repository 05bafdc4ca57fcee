"""The follow-up visit forms, built for a phone: one column, big targets, the scores as rows
of five choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.web import DateField
from reintegration.choices import SCORE_MAX, SCORE_MIN, FollowUpOutcome, WellbeingDomain

SCORE_CHOICES = [(score, str(score)) for score in range(SCORE_MIN, SCORE_MAX + 1)]


class FollowUpCompleteForm(forms.Form):
    visit_date = DateField(label=_("Date of the visit"))
    outcome = forms.ChoiceField(
        label=_("How is the child doing?"),
        choices=FollowUpOutcome.choices,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for domain in WellbeingDomain:
            self.fields[f"score_{domain.value}"] = forms.TypedChoiceField(
                label=domain.label, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
            )

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{domain.value}"] for domain in WellbeingDomain]

    def scores(self) -> dict[str, int]:
        return {
            domain.value: self.cleaned_data[f"score_{domain.value}"] for domain in WellbeingDomain
        }

    def adopt(self, error: ValidationError) -> None:
        """Shows a service's refusal beside the fields it names."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class FollowUpRescheduleForm(forms.Form):
    new_date = DateField(label=_("New date"))
    reason = forms.CharField(
        label=_("Why did the visit not happen?"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def adopt(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
