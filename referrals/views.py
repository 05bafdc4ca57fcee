"""Referral pages: the service directory, to find who can take a child for these services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.choices import LocationLevel
from accounts.models import Location, ServiceType
from referrals.directory import NATIONAL, DirectoryEntry, agencies_for


def _in_khmer() -> bool:
    return (get_language() or "").startswith("km")


def _place_name(location: Location) -> str:
    return location.name_km if _in_khmer() else location.name_en


class ProvinceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _place_name(obj)


class DirectoryForm(forms.Form):
    services = forms.MultipleChoiceField(
        label=_("Services needed"), required=False, widget=forms.CheckboxSelectMultiple
    )
    province = ProvinceField(
        label=_("Province"),
        queryset=Location.objects.filter(level=LocationLevel.PROVINCE).order_by("name_en"),
        required=False,
        empty_label=_("Anywhere"),
    )
    code = forms.CharField(
        label=_("Or a location code (district, commune or village)"),
        required=False,
        max_length=16,
    )

    def __init__(self, *args: Any, service_labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = list(service_labels.items())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("code") or "").strip()
        data["location"] = data.get("province")
        if code:
            data["location"] = Location.objects.filter(code=code).first()
            if data["location"] is None:
                self.add_error("code", _("No location has this code."))
        return data


@dataclass(frozen=True)
class DirectoryRow:
    """An entry as the page shows it, in the reader's language."""

    entry: DirectoryEntry
    services: list[str]
    covers: str
    level: str


def _level_label(level: str | None) -> str:
    if level == NATIONAL:
        return str(_("National"))
    return str(LocationLevel(level).label) if level else ""


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    khmer = _in_khmer()
    service_labels = {
        service.code: service.label_km if khmer else service.label_en
        for service in ServiceType.objects.filter(is_active=True)
    }
    form = DirectoryForm(request.GET or None, service_labels=service_labels)
    rows: list[DirectoryRow] | None = None
    if form.is_valid():
        entries = agencies_for(
            services=form.cleaned_data["services"], location=form.cleaned_data["location"]
        )
        rows = [
            DirectoryRow(
                entry=entry,
                services=[service_labels.get(code, code) for code in entry.services],
                covers=_place_name(entry.covers) if entry.covers else "",
                level=_level_label(entry.level),
            )
            for entry in entries
        ]
    return render(request, "referrals/directory.html", {"form": form, "rows": rows})
