"""The import page: send a file, follow my imports' progress, read every error by row and
column. Thin over the same services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.pagination import LookAheadPaginator
from core.web import adopt, render_page, user_of
from imports import services
from imports.api.views import template_response
from imports.models import ImportFormat
from imports.web.forms import ImportForm

PAGE_SIZE = 20


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    services.require_importer(user)
    form = ImportForm()
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.import_request(
                    actor=user,
                    content=upload.read(),
                    file_name=upload.name or "",
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ValidationError as error:
                adopt(form, error)
            else:
                messages.success(request, _("Your file is being checked: it is listed below."))
                return redirect("import-list-page")
        status = 400
    page = LookAheadPaginator(services.imports_of(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "imports/import_list.html", {"form": form, "page": page}, status=status)


@login_required
def import_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my imports; htmx asks for it again every two seconds while it runs."""
    case_import = services.import_of(user=user_of(request), import_id=pk)
    return render_page(
        request, "imports/import_page.html", "imports/_import.html", {"import": case_import}
    )


@login_required
def import_template(request: HttpRequest, template_format: str) -> HttpResponse:
    if template_format not in ImportFormat.values:
        raise Http404("No such format.")
    return template_response(template_format)
