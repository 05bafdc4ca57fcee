"""The case's printable summary, as a page to print and as a PDF to keep or send."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache

from accounts.models import User
from cases.policy import (
    case_actions,
    case_get,
)
from cases.web.case_file import CaseFile, load_tab, tabs_open_to
from core.pdf import html_to_pdf
from core.web import user_of

# The parts of the file the summary prints, where the reader sees them.
PRINTED = frozenset(
    {"concerns", "risk", "plan", "services", "consent", "placements", "trafficking", "legal"}
)


def _summary(request: HttpRequest, user: User, pk: int, read: str) -> dict[str, Any]:
    """What the reader may see of the case on paper, nothing more than the screen shows them;
    the reading is in the audit trail as ``case.view_<read>``."""
    case, access = case_get(user, pk, detail=True, read=read)
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
    return context


@login_required
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    context = _summary(request, user_of(request), pk, "print")
    return render(request, "cases/case_print.html", context)


@login_required
@never_cache
def case_print_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary as a PDF, in the language asked for (``?language=km`` or ``en``; the
    reader's own otherwise), so an English-speaking worker can hand a Khmer copy to a court."""
    user = user_of(request)
    asked = request.GET.get("language", "")
    language = asked if asked in dict(settings.LANGUAGES) else translation.get_language()
    with translation.override(language):
        context = _summary(request, user, pk, "print_pdf")
        pdf = html_to_pdf(render_to_string("cases/case_summary_pdf.html", context, request))
    response = HttpResponse(pdf, content_type="application/pdf")
    case_number = context["case"].case_number
    response["Content-Disposition"] = f'attachment; filename="{case_number}-{language}.pdf"'
    return response
