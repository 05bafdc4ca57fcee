"""The export pages: asking for an export (from the case list, with its filters), my exports
with their progress, and the download. Thin over the same services and selectors as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases.policy import may_export_cases
from cases.selectors.case import concern_types
from core.pagination import LookAheadPaginator
from core.web import adopt, render_page, user_of
from exports import selectors, services
from exports.files import CONTENT_TYPES
from exports.web.forms import FILTERS, ExportForm

PAGE_SIZE = 20


@login_required
def export_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    services.require_exporter(user)
    concerns = list(concern_types())
    if request.method != "POST":
        # Opened from the case list: its filters come along.
        chosen = {name: request.GET[name] for name in FILTERS if request.GET.get(name)}
        form = ExportForm(initial=chosen, concerns=concerns)
        return render(request, "exports/export_new.html", {"form": form})
    form = ExportForm(request.POST, concerns=concerns)
    if not form.is_valid():
        return render(request, "exports/export_new.html", {"form": form}, status=400)
    try:
        services.export_request(
            actor=user,
            filters=form.filters(),
            fields=form.chosen_fields(),
            reason=form.cleaned_data["reason"],
            format=form.cleaned_data["format"],
        )
    except ValidationError as error:
        adopt(form, error)
        return render(request, "exports/export_new.html", {"form": form}, status=400)
    messages.success(request, _("Your export is being written: it is listed below."))
    return redirect("export-list-page")


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    page = LookAheadPaginator(selectors.exports_of(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "can_export": may_export_cases(user)}
    return render(request, "exports/export_list.html", context)


@login_required
def export_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my exports; htmx asks for it again every few seconds while it is written."""
    export = selectors.export_of(user=user_of(request), export_id=pk)
    return render_page(
        request, "exports/export_page.html", "exports/_export.html", {"export": export}
    )


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export, handle = services.export_download(actor=user_of(request), export_id=pk)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export.download_name,
        content_type=CONTENT_TYPES[export.format],
    )
