"""Referral pages: the inbox and outbox, a referral with the actions its reader may take, and
making a referral from a case.

They read through the same selectors and write through the same services as the API: a
referral outside the reader's reach answers 404, and before acceptance the receiving side sees a
summary of the child (initials, age, sex, concerns), never the case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.selectors import service_types
from cases.choices import Section
from cases.models import Case
from cases.policy import case_get
from cases.prefetched import concern_codes_of, load_details
from cases.selectors.records import consent_covers
from cases.services.case import case_record_list_read
from cases.web.case_file import concern_labels
from core.api.filters import asked_only
from core.errors import StateConflictError
from core.ids import as_id
from core.pagination import LookAheadPaginator
from core.web import adopt, localized, user_of
from referrals import selectors, services
from referrals.api.views import ReferralFilter
from referrals.choices import ReferralStatus
from referrals.directory import agencies_for
from referrals.models import Referral
from referrals.queue import can_see_queue
from referrals.rules import referral_actions
from referrals.web.directory import directory_row
from referrals.web.forms import (
    AcceptForm,
    OutcomeForm,
    ReasonForm,
    ReferralFilterForm,
    ReferralForm,
)

PAGE_SIZE = 25


def _service_labels(*, active_only: bool = False) -> dict[str, str]:
    offered = service_types(active_only=active_only)
    return {service.code: localized(service.label_en, service.label_km) for service in offered}


def _is_sender(user: User, referral: Referral) -> bool:
    """The side the reader is on, as the API's serializer decides it."""
    return user.agency_id == referral.from_agency_id


@dataclass(frozen=True)
class ReferralRow:
    """A referral as its reader's side may see it: the child's summary only, the case number
    only for the sender (as the API's ReferralSerializer)."""

    referral: Referral
    outgoing: bool
    concerns: list[str]
    services: list[str]


def _rows(user: User, referrals: Any) -> list[ReferralRow]:
    concerns, service_names = concern_labels(), _service_labels()
    referrals = list(referrals)
    load_details([referral.case for referral in referrals], concerns=True)
    return [
        ReferralRow(
            referral=referral,
            outgoing=_is_sender(user, referral),
            concerns=[concerns.get(code, code) for code in concern_codes_of(referral.case)],
            services=[service_names.get(code, code) for code in referral.services],
        )
        for referral in referrals
    ]


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    direction = request.GET.get("direction")
    if direction not in {"incoming", "outgoing"}:
        direction = "incoming"
    query = request.GET.copy()
    query["direction"] = direction
    form = ReferralFilterForm(query)
    # The API's own filters, so the page and GET /api/v1/referrals/ always agree.
    referrals = asked_only(ReferralFilter, query)(
        query, queryset=selectors.referral_list(user=user, direction=direction), request=request
    ).qs
    page = LookAheadPaginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    case_record_list_read(
        actor=user,
        what="referral",
        query=request.GET.dict(),
        case_ids=[referral.case_id for referral in page.object_list],
    )
    query.pop("page", None)
    return render(
        request,
        "referrals/referral_list.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(user, page.object_list),
            "direction": direction,
            "query": query.urlencode(),
            "filtered": bool(request.GET.get("status")),
            "can_see_queue": can_see_queue(user),
        },
    )


def _referral_page(
    request: HttpRequest,
    referral: Referral,
    forms_given: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    outgoing = _is_sender(user, referral)
    [row] = _rows(user, [referral])
    receivers = selectors.receiving_workers(referral=referral)
    context: dict[str, Any] = {
        "referral": referral,
        "row": row,
        "outgoing": outgoing,
        # The forms offered: the services' own rule (referrals.rules), which they check again.
        "actions": referral_actions(user, referral),
        # The receiver learns which case it is only while it works on it, and only the worker
        # given the child holds the grants that open it.
        "case_open_to_reader": outgoing
        or (
            referral.status == ReferralStatus.ACCEPTED
            and referral.assigned_to_id == user.pk
            and (not referral.case.restricted or getattr(referral, "reader_named", False))
        ),
        "shared_sections": [
            Section(section).label
            for section in referral.shared_sections
            if section in Section.values
        ],
        "accept": AcceptForm(workers=receivers, auto_id="accept_%s"),
        "decline": ReasonForm(auto_id="decline_%s"),
        "complete": OutcomeForm(auto_id="complete_%s"),
        "cancel": ReasonForm(auto_id="cancel_%s"),
    }
    context.update(forms_given or {})
    if not outgoing and referral.status != ReferralStatus.PENDING_APPROVAL:
        notes, services_given = selectors.receiver_contributions(referral)
        labels = _service_labels()
        context["contributed_notes"] = notes
        context["contributed_services"] = [
            (record, labels.get(record.service_id, record.service_id)) for record in services_given
        ]
    return render(request, "referrals/referral_detail.html", context, status=status)


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _referral_page(request, selectors.referral_detail(user=user_of(request), referral_id=pk))


ACTIONS: dict[str, tuple[Callable[..., Referral], type[forms.Form], Any]] = {
    "approve": (services.referral_approve, forms.Form, _("The referral is approved and sent.")),
    "accept": (services.referral_accept, AcceptForm, _("The referral is accepted.")),
    "decline": (services.referral_decline, ReasonForm, _("The referral is declined.")),
    "complete": (services.referral_complete, OutcomeForm, _("The referral is completed.")),
    "cancel": (services.referral_cancel, ReasonForm, _("The referral is cancelled.")),
}


@login_required
@require_POST
def referral_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Approves, accepts, declines, completes or cancels, as the referral service allows: a
    refusal of the input is shown beside the field, keeping what was typed."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    user = user_of(request)
    referral = selectors.referral_detail(user=user, referral_id=pk)
    service, form_class, done = ACTIONS[action]
    receivers = selectors.receiving_workers(referral=referral)
    form = (
        AcceptForm(
            request.POST,
            workers=receivers,
            auto_id="accept_%s",
        )
        if form_class is AcceptForm
        else form_class(request.POST, auto_id=f"{action}_%s")
    )
    if form.is_valid():
        try:
            service(actor=user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            adopt(form, error)
        except StateConflictError as conflict:
            messages.error(request, str(conflict))
            return redirect("referral-page", pk=pk)
        else:
            messages.success(request, done)
            return redirect("referral-page", pk=pk)
    return _referral_page(request, referral, {action: form}, status=400)


def _case_to_refer(user: User, value: str | None) -> Case:
    """The case named by ``?case=``: 404 outside the reader's reach, 403 for those who may see
    it but not refer it (the service's rule: its owner and her supervisor)."""
    case_id = as_id(value)
    if case_id is None:
        raise Http404("No such case.")
    case, _access = case_get(user, case_id, action="refer")
    return case


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    """The directory suggests the agencies for the services chosen near the child's place; a
    "show the agencies" step (or htmx, as the services are ticked) updates the suggestions
    without saving or reporting anything missing."""
    user = user_of(request)
    case = _case_to_refer(user, request.GET.get("case"))
    service_names = _service_labels(active_only=True)
    data = request.POST if request.method == "POST" else None
    chosen = [code for code in (data.getlist("services") if data else []) if code in service_names]
    suggestions = [
        entry
        for entry in agencies_for(services=chosen, location=case.location)
        if entry.agency.pk != user.agency_id
    ]
    suggested = {entry.agency.pk: entry.agency for entry in suggestions}
    form = ReferralForm(
        data,
        services=service_names.items(),
        agencies=[(entry.agency.pk, entry.agency.name) for entry in suggestions],
        consented=consent_covers(case, "referral"),
    )
    if data is not None and "suggest" in data:
        form.errors.clear()
    elif form.is_bound and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            referral = services.referral_create(
                actor=user,
                case=case,
                # One of the suggestions: the form offers no other.
                to_agency=suggested[values.pop("to_agency")],
                **values,
            )
        except ValidationError as error:
            adopt(form, error)
        except StateConflictError as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("The referral is made."))
            return redirect("referral-page", pk=referral.pk)
    rows = [directory_row(entry, service_names) for entry in suggestions]
    return render(
        request,
        "referrals/referral_new.html",
        {
            "case": case,
            "form": form,
            "agencies": list(zip(form["to_agency"], rows, strict=True)),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
