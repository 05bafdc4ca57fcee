"""The case file's placements tab: recording where the child lives and a return to a family.
The case file (cases.views) shows the tab; this app, which owns placements, supplies it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import OVERSIGHT_AGENCY_TYPES, LocationLevel, Role
from accounts.models import Agency, Location, User
from cases.forms import DateInput, active_people, place_name
from cases.models import Case
from reintegration.choices import FAMILY_PLACEMENTS, PlacementType
from reintegration.models import Placement
from reintegration.services import FOLLOW_UP_WORKER_ROLES


class PlacementForm(forms.Form):
    """Where the child lives from a date; residential care needs the gatekeeping decision."""

    type = forms.ChoiceField(label=_("Where the child lives"), choices=PlacementType.choices)
    start_date = forms.DateField(label=_("From"), widget=DateInput)
    end_date = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty for where the child lives now."),
    )
    location = forms.ModelChoiceField(
        label=_("Commune or village"),
        required=False,
        queryset=Location.objects.filter(
            level__in=[LocationLevel.COMMUNE, LocationLevel.VILLAGE]
        ).select_related("parent__parent__parent"),
    )
    caregiver = forms.CharField(label=_("Caregiver or facility"), required=False, max_length=200)
    agency = forms.ModelChoiceField(
        label=_("Agency running the facility"),
        required=False,
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
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
        label=_("Approved by (supervisor)"), required=False, queryset=User.objects.none()
    )

    GATEKEEPING = ("gatekeeping_reason", "gatekeeping_alternatives", "gatekeeping_approved_by")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Supervisors of the case's agency and of the social affairs offices; the service
        # checks that an office's territory covers the case.
        self.fields["gatekeeping_approved_by"].queryset = active_people(  # type: ignore[attr-defined]
            User.objects.filter(role=Role.SUPERVISOR).filter(
                Q(agency_id=case.agency_id) | Q(agency__type__in=OVERSIGHT_AGENCY_TYPES)
            )
        )

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
        label=_("The family the child returns to"), queryset=Placement.objects.none()
    )
    date = forms.DateField(label=_("Date of the return"), widget=DateInput)
    follow_up_worker = forms.ModelChoiceField(
        label=_("Follow-up worker"), queryset=User.objects.none()
    )
    commune_focal_point = forms.ModelChoiceField(
        label=_("Commune focal point"),
        required=False,
        queryset=User.objects.none(),
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
        families = Placement.objects.filter(case=case, type__in=FAMILY_PLACEMENTS).select_related(
            "location"
        )
        placement = self.fields["placement"]
        placement.queryset = families  # type: ignore[attr-defined]
        placement.label_from_instance = _placement_label  # type: ignore[attr-defined]
        self.fields["follow_up_worker"].queryset = active_people(  # type: ignore[attr-defined]
            User.objects.filter(agency_id=case.agency_id, role__in=FOLLOW_UP_WORKER_ROLES)
        )
        # Members of the communes the family placements are in (a village's commune).
        places = Location.objects.filter(pk__in=families.values("location")).select_related(
            "parent"
        )
        communes = {_commune_path(place) for place in places}
        within = Q(pk__in=[])
        for path in communes:
            within |= Q(location__path__startswith=path)
        self.fields["commune_focal_point"].queryset = active_people(  # type: ignore[attr-defined]
            User.objects.filter(role=Role.COMMUNE_COMMITTEE).filter(within)
        )


def _commune_path(place: Location) -> str:
    if place.level == LocationLevel.VILLAGE and place.parent is not None:
        return place.parent.path
    return place.path


def _placement_label(placement: Placement) -> str:
    parts = [str(placement.get_type_display()), placement.start_date.isoformat()]
    if placement.location is not None:
        parts.append(place_name(placement.location))
    if placement.caregiver:
        parts.append(placement.caregiver)
    return " · ".join(parts)
