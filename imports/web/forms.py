from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File of cases (CSV or XLSX)"),
        help_text=_("The template's columns, or a Primero case export as it comes."),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file (dry run): save nothing"), required=False
    )
