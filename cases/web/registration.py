"""Registering a child: the intake form, its place picker and the duplicate check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import Location, User
from accounts.selectors import place_chosen, places_matching
from cases.models import Case
from cases.selectors import case as case_selectors
from cases.selectors.case import concern_types
from cases.services.case import (
    CASE_HOLDER_ROLES,
    case_open,
)
from cases.web.forms import (
    CaseIntakeForm,
    FamilyFormSet,
    add_family_row,
    family_values,
)
from core.web import adopt, user_of


def _require_registrar(user: User) -> None:
    if user.role not in CASE_HOLDER_ROLES or user.agency_id is None:
        raise PermissionDenied(_("Your role does not register children."))


@login_required
def case_places(request: HttpRequest) -> HttpResponse:
    """The place picker's choices, for the registration form (htmx)."""
    chosen = place_chosen(request.GET.get("location"))
    places = places_matching(request.GET.get("place_q", ""), chosen)
    return render(
        request,
        "cases/_places.html",
        {"places": places, "chosen": chosen, "searched": True},
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    _require_registrar(user)
    return register_child(request, user, open_case=lambda **values: case_open(actor=user, **values))


# What a page that registers a child does with the checked form: open the case (case_open, or
# a service that opens one as part of its own change) and return it.
OpenCase = Callable[..., Case]


def register_child(
    request: HttpRequest,
    user: User,
    *,
    open_case: OpenCase,
    initial: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The registration form's whole flow (place search, family rows, the duplicate check),
    for the page that registers a child and for those that open a case from something else
    (a report of a child at risk), with what is known already as ``initial``."""
    concerns = concern_types(active_only=True)
    page = {"action": request.path, **(context or {})}
    if request.method != "POST":
        form = CaseIntakeForm(concerns=concerns, initial=initial)
        family = FamilyFormSet(prefix="family")
        chosen = place_chosen(str((initial or {}).get("location", "")) or None)
        return _intake_page(request, form, family, chosen=chosen, context=page)

    data = request.POST.copy()
    if "add_family" in data:
        add_family_row(data)
    form = CaseIntakeForm(data, concerns=concerns)
    family = FamilyFormSet(data, prefix="family")
    chosen = place_chosen(data.get("location"))
    if "find_place" in data or "add_family" in data:
        # A step within the form (find a place, one more family row): nothing is saved yet,
        # and nothing is reported as missing either.
        for part in (form, *family.forms):
            part.errors.clear()
        return _intake_page(
            request, form, family, chosen=chosen, searched="find_place" in data, context=page
        )
    if not (form.is_valid() and family.is_valid()):
        return _intake_page(request, form, family, chosen=chosen, status=400, context=page)

    fingerprint = form.fingerprint()
    if form.cleaned_data["confirmed"] != fingerprint:
        duplicates = case_selectors.possible_duplicates(user=user, child=form.unsaved_child())
        if duplicates:
            return _intake_page(
                request,
                form,
                family,
                chosen=chosen,
                duplicates=duplicates,
                fingerprint=fingerprint,
                context=page,
            )
    try:
        case = open_case(
            child=form.child_values(),
            family=family_values(family),
            concerns=form.cleaned_data["concerns"],
            source=form.cleaned_data["source"],
            summary=form.cleaned_data["summary"],
            labour_sector=form.cleaned_data["labour_sector"],
            restricted=form.cleaned_data["restricted"],
        )
    except ValidationError as error:
        adopt(form, error, prefix="child.")
        return _intake_page(request, form, family, chosen=chosen, status=400, context=page)
    messages.success(request, _("Case %(number)s is open.") % {"number": case.case_number})
    return redirect("case-page", pk=case.pk)


def _intake_page(
    request: HttpRequest,
    form: CaseIntakeForm,
    family: Any,
    *,
    chosen: Location | None,
    searched: bool = False,
    duplicates: list[case_selectors.PossibleDuplicate] | None = None,
    fingerprint: str = "",
    status: int = 200,
    context: dict[str, Any],
) -> HttpResponse:
    query = form.data.get("place_q", "") if form.is_bound else ""
    return render(
        request,
        "cases/case_new.html",
        {
            **context,
            "form": form,
            "family": family,
            "chosen": chosen,
            "places": places_matching(query, chosen),
            "searched": searched,
            "duplicates": duplicates,
            "fingerprint": fingerprint,
        },
        status=status,
    )
