"""The forms of the intake pages: a short report of a child at risk, and the office's reason
for closing one without a case."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.selectors import homes
from cases.choices import Sex
from cases.selectors.case import concern_types
from core.web import localized
from intake.choices import ReportUrgency


class ReportForm(forms.Form):
    """What a person saw, with the little they know; only the place, the concern, the urgency
    and what was seen are needed."""

    child_name = forms.CharField(
        label=_("The child's name or initials"),
        required=False,
        max_length=200,
        help_text=_("If you know it."),
    )
    age = forms.IntegerField(label=_("About how old"), required=False, min_value=0, max_value=17)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, widget=forms.RadioSelect
    )
    location = forms.ModelChoiceField(
        label=_("Where is the child?"),
        queryset=homes(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Find and choose the commune or village.")},
    )
    concern = forms.ChoiceField(label=_("What is the concern?"))
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"), choices=ReportUrgency.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What did you see or hear?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what was seen or heard.")},
    )
    reporter_contact = forms.CharField(
        label=_("How can the social services reach you?"),
        required=False,
        max_length=200,
        help_text=_("A phone number, if you want to be called back."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        concern = cast(forms.ChoiceField, self.fields["concern"])
        concern.choices = [("", _("Choose the concern"))] + [
            (c.code, localized(c.label_en, c.label_km)) for c in concern_types(active_only=True)
        ]


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is no case opened?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the office: the person who reported sees only that it is closed."),
        error_messages={"required": _("Say why the report is closed without a case.")},
    )
