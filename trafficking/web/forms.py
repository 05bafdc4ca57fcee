"""The trafficking tab's forms: they read what was typed; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Agency
from core.web import DateField, localized
from trafficking import selectors
from trafficking.choices import (
    COUNTRIES,
    REPATRIATION_CHAIN,
    CrossingKind,
    Direction,
    Indicator,
    RepatriationStatus,
    VictimStatus,
)
from trafficking.models import Crossing, Repatriation


class CrossingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return localized(obj.name_en, obj.name_km)


class IdentificationForm(forms.Form):
    prefix = "identification"
    date = DateField(label=gettext_lazy("Date"))
    status = forms.ChoiceField(
        choices=VictimStatus.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("The child is"),
        initial=VictimStatus.PRESUMED,
    )
    indicators = forms.MultipleChoiceField(
        choices=Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=gettext_lazy("What was seen"),
    )
    identifying_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label=gettext_lazy("Identifying agency"),
        help_text=gettext_lazy("For a formal identification: the police, MoSVY or DoSVY."),
        empty_label=gettext_lazy("None yet"),
    )
    reference = forms.CharField(max_length=100, required=False, label=gettext_lazy("Its reference"))
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=gettext_lazy("Notes")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        agency = cast(forms.ModelChoiceField, self.fields["identifying_agency"])
        agency.queryset = selectors.competent_agencies()


class RepatriationForm(forms.Form):
    prefix = "repatriation"
    direction = forms.ChoiceField(
        choices=Direction.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Direction"),
        initial=Direction.TO_CAMBODIA,
    )
    country = forms.ChoiceField(choices=COUNTRIES, label=gettext_lazy("Other country"))
    found_at = forms.CharField(
        max_length=200, required=False, label=gettext_lazy("Where the child was found")
    )
    border_point = CrossingChoice(
        queryset=Crossing.objects.none(),
        required=False,
        label=gettext_lazy("Border crossing"),
        empty_label=gettext_lazy("Not known yet"),
    )
    transit_centre = CrossingChoice(
        queryset=Crossing.objects.none(),
        required=False,
        label=gettext_lazy("Transit centre"),
        empty_label=gettext_lazy("Not known yet"),
    )
    foreign_reference = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("The other country's reference")
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=gettext_lazy("Notes")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(CrossingChoice, self.fields["border_point"]).queryset = selectors.crossings_of_kind(
            CrossingKind.BORDER_POINT
        )
        cast(CrossingChoice, self.fields["transit_centre"]).queryset = selectors.crossings_of_kind(
            CrossingKind.TRANSIT_CENTRE
        )


class AdvanceForm(forms.Form):
    """The next step of one repatriation, or its cancellation."""

    status = forms.ChoiceField(label=gettext_lazy("Step"))
    date = DateField(label=gettext_lazy("Date"))
    note = forms.CharField(max_length=2000, required=False, label=gettext_lazy("Note"))

    def __init__(self, *args: Any, repatriation: Repatriation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        kwargs.setdefault("prefix", f"advance-{repatriation.pk}")
        super().__init__(*args, **kwargs)
        current = RepatriationStatus(repatriation.status)
        following = REPATRIATION_CHAIN[REPATRIATION_CHAIN.index(current) + 1]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (following, RepatriationStatus(following).label),
            (RepatriationStatus.CANCELLED, RepatriationStatus.CANCELLED.label),
        ]
