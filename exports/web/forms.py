"""The export form: the case list's filters, the fields grouped by section, the reason and the
format. What the fields and filters mean, and whether they are allowed, the service decides."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.choices import RiskLevel, Stage, Status
from cases.models import ConcernType
from core.web import localized
from exports.fields import GROUP_LABELS, catalogue
from exports.models import ExportFormat

# The case list's filters that its page offers (cases.api.filters.CaseFilter takes them).
FILTERS = ("q", "stage", "status", "risk_level", "concern")
# Ticked when the form opens.
DEFAULT_FIELDS = (
    "case_number",
    "stage",
    "risk_level",
    "child.given_name",
    "child.given_name_km",
    "child.sex",
)
GROUP_PREFIX = "fields_"


def _any(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class ExportForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("The child's name, in Khmer or Latin letters, or the case number."),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=_any(Stage.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_any(Status.choices))
    risk_level = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=_any(RiskLevel.choices)
    )
    concern = forms.ChoiceField(label=_("Concern"), required=False)
    reason = forms.CharField(
        label=_("Why you need this export"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit trail with the export and in each exported case's history."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, concerns: Iterable[ConcernType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["concern"].choices = _any(  # type: ignore[attr-defined]
            (concern.code, localized(concern.label_en, concern.label_km)) for concern in concerns
        )
        groups: dict[str, list[tuple[str, str]]] = {}
        for field in catalogue().values():
            groups.setdefault(field.group, []).append((field.name, str(field.label)))
        for group, choices in groups.items():
            self.fields[GROUP_PREFIX + group] = forms.MultipleChoiceField(
                label=GROUP_LABELS[group],
                required=False,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                initial=[name for name, _label in choices if name in DEFAULT_FIELDS],
            )

    def field_groups(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(GROUP_PREFIX)]

    def chosen_fields(self) -> list[str]:
        return [
            name
            for key, names in self.cleaned_data.items()
            if key.startswith(GROUP_PREFIX)
            for name in names
        ]

    def filters(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in FILTERS if self.cleaned_data[name]}
