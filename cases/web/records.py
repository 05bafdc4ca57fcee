"""What is recorded on the case file's tabs: notes, services and consent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import CaseService
from cases.policy import (
    case_ref,
)
from cases.selectors import records as record_selectors
from cases.services.records import (
    case_note_create,
    case_service_create,
    case_service_update,
    consent_create,
    consent_withdraw,
)
from cases.web.case_file import (
    case_file_of,
    case_to_write,
    render_case_page,
    submit_on_tab,
)
from cases.web.forms import (
    ConsentForm,
    ConsentWithdrawForm,
    NoteForm,
    ServiceForm,
    ServiceStatusForm,
)
from core.web import adopt, user_of


@login_required
@require_POST
def case_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            case_note_create(actor=user, case=case_ref(pk), **form.cleaned_data)
        except ValidationError as error:
            adopt(form, error)
        else:
            messages.success(request, _("The note is saved."))
            return redirect("case-tab", pk=pk, tab="notes")
    file = case_file_of(user, pk)
    return render_case_page(request, file, "notes", {"note_form": form}, status=400)


@login_required
@require_POST
def case_service_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    case = case_to_write(user, pk, action="add_service")
    form = ServiceForm(request.POST)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab="services",
        success=_("The service is recorded."),
        write=lambda: case_service_create(actor=user, case=case, **form.values()),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), "services", {"service_form": form}, 400
    )


@login_required
@require_POST
def case_service_status(request: HttpRequest, pk: int, service_id: int) -> HttpResponse:
    user = user_of(request)
    form = ServiceStatusForm(request.POST, prefix=f"service-{service_id}")
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab="services",
        # The service finds the record in the case, and locks both.
        write=lambda: case_service_update(
            actor=user,
            record=CaseService(pk=service_id, case_id=pk),
            status=form.cleaned_data["status"],
        ),
        success=_("The service is updated."),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), "services", {"status_forms": {service_id: form}}, 400
    )


@login_required
@require_POST
def case_consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    case = case_to_write(user, pk, action="record_consent")
    form = ConsentForm(request.POST)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab="consent",
        success=_("The consent is recorded."),
        write=lambda: consent_create(actor=user, case=case, **form.cleaned_data),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), "consent", {"consent_form": form}, 400
    )


@login_required
@require_POST
def case_consent_withdraw(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    user = user_of(request)
    case_to_write(user, pk, action="record_consent")
    consent = record_selectors.consent_detail(user=user, case_id=pk, consent_id=consent_id)
    form = ConsentWithdrawForm(request.POST, prefix=f"consent-{consent_id}")
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab="consent",
        success=_("The consent is withdrawn."),
        write=lambda: consent_withdraw(actor=user, consent=consent, date=form.cleaned_data["date"]),
        aliases={"withdrawn_on": "date"},
    )
    return done or render_case_page(
        request, case_file_of(user, pk), "consent", {"withdraw_forms": {consent_id: form}}, 400
    )
