"""The pages that belong to no single app: the home page ("my work")."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from cases.selectors import case_list

HOME_CASE_COUNT = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    cases = case_list(user=user)[:HOME_CASE_COUNT]
    return render(request, "home.html", {"cases": cases})
