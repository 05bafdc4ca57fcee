"""The service directory page: which agencies offer these services near this place."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.choices import LocationLevel
from accounts.selectors import service_types
from core.web import in_khmer, place_name
from referrals.directory import NATIONAL, DirectoryEntry, agencies_for
from referrals.web.forms import (
    DirectoryForm,
)


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


def directory_row(entry: DirectoryEntry, service_labels: dict[str, str]) -> DirectoryRow:
    return DirectoryRow(
        entry=entry,
        services=[service_labels.get(code, code) for code in entry.services],
        covers=place_name(entry.covers) if entry.covers else "",
        level=_level_label(entry.level),
    )


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    khmer = in_khmer()
    service_labels = {
        service.code: service.label_km if khmer else service.label_en
        for service in service_types(active_only=True)
    }
    form = DirectoryForm(request.GET or None, service_labels=service_labels)
    rows: list[DirectoryRow] | None = None
    if form.is_valid():
        entries = agencies_for(
            services=form.cleaned_data["services"], location=form.cleaned_data["location"]
        )
        rows = [directory_row(entry, service_labels) for entry in entries]
    return render(request, "referrals/directory.html", {"form": form, "rows": rows})
