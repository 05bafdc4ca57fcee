"""The standard reports page (/statistics/reports/): what each report holds, and a choice of
report, year, quarter and format that sends the reader to the file the API writes
(/api/v1/reports/{code}/), once the choice is one the report accepts."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.web import adopt, user_of
from reporting.reports import FIRST_YEAR, REPORTS, report_check
from reporting.statistics import require_scope


class ReportChoiceForm(forms.Form):
    report = forms.ChoiceField(label=_("Report"))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("The whole year")), *((n, str(n)) for n in range(1, 5))],
    )
    format = forms.ChoiceField(
        label=_("File"),
        choices=[("xlsx", _("Excel workbook (XLSX)")), ("csv", _("CSV (spreadsheet text)"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        cast(forms.ChoiceField, self.fields["report"]).choices = [
            (spec.code, spec.title) for spec in REPORTS.values()
        ]
        cast(forms.ChoiceField, self.fields["year"]).choices = [
            (n, str(n)) for n in range(this_year, FIRST_YEAR - 1, -1)
        ]


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require_scope(user)  # 403 for people statistics are not for
    form = ReportChoiceForm(request.GET or None)
    if form.is_valid():
        choice = form.cleaned_data
        try:
            report_check(
                user=user, code=choice["report"], year=choice["year"], quarter=choice["quarter"]
            )
        except ValidationError as error:
            adopt(form, error)
        else:
            query = {"year": choice["year"], "format": choice["format"]}
            if choice["quarter"] is not None:
                query["quarter"] = choice["quarter"]
            return redirect(f"{reverse('report', args=[choice['report']])}?{urlencode(query)}")
    return render(
        request, "reporting/reports.html", {"form": form, "reports": list(REPORTS.values())}
    )
