"""The case file's placements tab: recording where the child lives and a return to a family.
The case file (cases.web.case_file) shows the tab; this app, which owns placements, supplies it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import active_agencies, homes
from cases.models import Case
from core.web import DateField, place_name
from reintegration import selectors
from reintegration.choices import PlacementType
from reintegration.models import Placement


class PlacementForm(forms.Form):
    """Where the child lives from a date; residential care needs the gatekeeping decision."""

    type = forms.ChoiceField(label=_("Where the child lives"), choices=PlacementType.choices)
    start_date = DateField(label=_("From"))
    end_date = DateField(
        label=_("Until"),
        required=False,
        help_text=_("Leave empty for where the child lives now."),
    )
    location = forms.ModelChoiceField(
        label=_("Commune or village"),
        required=False,
        queryset=homes(),
    )
    caregiver = forms.CharField(label=_("Caregiver or facility"), required=False, max_length=200)
    agency = forms.ModelChoiceField(
        label=_("Agency running the facility"),
        required=False,
        queryset=active_agencies(),
        empty_label=_("None"),
        help_text=_("For shelters and residential care."),
    )
    gatekeeping_reason = forms.CharField(
        label=_("Why care away from a family is needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    gatekeeping_alternatives = forms.CharField(
        label=_("Family-based options considered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    gatekeeping_approved_by = forms.ModelChoiceField(
        label=_("Approved by (supervisor)"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
    )

    GATEKEEPING = ("gatekeeping_reason", "gatekeeping_alternatives", "gatekeeping_approved_by")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        approvers = selectors.gatekeeping_approvers(case)
        self.fields["gatekeeping_approved_by"].queryset = approvers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") == PlacementType.RESIDENTIAL_CARE:
            for field in self.GATEKEEPING:
                if not data.get(field):
                    self.add_error(field, _("Required for residential care."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            field: data[field]
            for field in ("type", "start_date", "end_date", "location", "caregiver", "agency")
        }
        if any(data.get(field) for field in self.GATEKEEPING):
            values["gatekeeping"] = {
                "reason": data["gatekeeping_reason"],
                "alternatives_considered": data["gatekeeping_alternatives"],
                "approved_by": data["gatekeeping_approved_by"],
            }
        return values


class ReintegrationForm(forms.Form):
    """A return to a family placement already recorded, and who follows it up."""

    placement = forms.ModelChoiceField(
        label=_("The family the child returns to"),
        queryset=Placement.objects.none(),
        empty_label=_("Choose a placement"),
    )
    date = DateField(label=_("Date of the return"))
    follow_up_worker = forms.ModelChoiceField(
        label=_("Follow-up worker"), queryset=User.objects.none(), empty_label=_("Choose a person")
    )
    commune_focal_point = forms.ModelChoiceField(
        label=_("Commune focal point"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("None"),
        help_text=_("A commune committee member of the family's commune."),
    )
    readiness_assessment = forms.CharField(
        label=_("Is the child ready?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    family_assessment = forms.CharField(
        label=_("Is the family ready?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        families = selectors.family_placements(case)
        placement = self.fields["placement"]
        placement.queryset = families  # type: ignore[attr-defined]
        placement.label_from_instance = _placement_label  # type: ignore[attr-defined]
        workers = selectors.follow_up_workers(case)
        self.fields["follow_up_worker"].queryset = workers  # type: ignore[attr-defined]
        focal_points = selectors.commune_focal_points(families)
        self.fields["commune_focal_point"].queryset = focal_points  # type: ignore[attr-defined]


def _placement_label(placement: Placement) -> str:
    parts = [str(placement.get_type_display()), date_format(placement.start_date)]
    if placement.location is not None:
        parts.append(place_name(placement.location))
    if placement.caregiver:
        parts.append(placement.caregiver)
    return " · ".join(parts)
