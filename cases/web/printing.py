"""The case's printable summary."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.policy import (
    case_actions,
    case_get,
)
from cases.web.case_file import CaseFile, load_tab, tabs_open_to
from core.web import user_of

# The parts of the file the summary prints, where the reader sees them.
PRINTED = frozenset({"concerns", "risk", "plan", "services", "consent", "placements"})


@login_required
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    """What the reader may see of the case on paper; nothing more than the screen shows them."""
    user = user_of(request)
    case, access = case_get(user, pk, detail=True, read="print")
    file = CaseFile(case=case, access=access, actions=case_actions(user, case, access))
    context: dict[str, Any] = {
        "file": file,
        "case": case,
        "printed_at": timezone.now(),
        "printing": True,
    }
    shown = tabs_open_to(file.access)
    for tab in shown:
        if tab.slug in PRINTED:
            context.update(load_tab(tab, request, user, file, {}))
    context["shows"] = {tab.slug for tab in shown}
    context["templates"] = {tab.slug: tab.template_name for tab in shown}
    return render(request, "cases/case_print.html", context)
