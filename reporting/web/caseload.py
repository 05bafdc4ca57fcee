"""The team caseload page (/statistics/caseload/): each worker's open cases, by risk, and what
is late, for a supervisor (her team) and an agency admin (her agency)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.web import user_of
from reporting.caseload import caseload


@login_required
def caseload_page(request: HttpRequest) -> HttpResponse:
    rows = caseload(user=user_of(request))  # 403 for anyone but supervisors and agency admins
    return render(request, "reporting/caseload.html", {"caseload": rows})
