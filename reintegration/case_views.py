"""The case file's placements tab (the case file itself is cases.views): the placement history,
the reintegrations with their visits, and the forms that record them, through this app's
selectors and services."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from cases.choices import Section
from cases.views import (
    Bound,
    CaseFile,
    case_file_of,
    case_to_write,
    chosen_place,
    places_matching,
    register_tab_loader,
    render_case_page,
    submit_on_tab,
)
from reintegration import selectors, services
from reintegration.case_forms import PlacementForm, ReintegrationForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def placements_tab(
    request: HttpRequest, user: User, file: CaseFile, bound: Bound
) -> dict[str, Any]:
    """The placement history and the reintegrations with their visits, with the placements
    section; a reader given the follow-ups alone sees the visits."""
    context: dict[str, Any] = {
        "sees_placements": file.access.sees(Section.PLACEMENTS),
        # A visit's own page answers to the follow-ups section: linked only for its readers.
        "visit_links": file.access.sees(Section.FOLLOW_UPS),
    }
    if not context["sees_placements"]:
        context["visits"] = list(selectors.follow_ups_visible(user=user).filter(case=file.case))
        return context
    context["placements"] = list(
        selectors.placements_of(file.case).select_related(
            "location__parent", "agency", "gatekeeping_approved_by"
        )
    )
    context["reintegrations"] = list(
        selectors.reintegrations_of(file.case).select_related(
            "placement__location", "commune", "follow_up_worker", "commune_focal_point"
        )
    )
    if file.can_manage:
        context["placement_form"] = bound.get("placement_form") or PlacementForm(case=file.case)
        context["place_query"] = bound.get("place_query", "")
        context["places"] = bound.get("places", [])
        context["reintegration_form"] = bound.get("reintegration_form") or ReintegrationForm(
            case=file.case, initial={"follow_up_worker": file.case.owner_id}
        )
    return context


@login_required
@require_POST
def case_placement_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = case_to_write(user, pk, action="place")
    form = PlacementForm(request.POST, case=case)
    place_query = request.POST.get("place_q", "")
    if "find_place" in request.POST:
        # Finding the place is a step within the form: nothing is saved, nothing is missing.
        form.is_valid()
        form.errors.clear()
        return _placement_page(request, user, pk, form, place_query=place_query, status=200)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab="placements",
        success=_("The placement is recorded."),
        write=lambda: services.placement_create(actor=user, case=case, **form.values()),
        aliases={"gatekeeping": "gatekeeping_reason"},
    )
    return done or _placement_page(request, user, pk, form, place_query=place_query, status=400)


def _placement_page(
    request: HttpRequest,
    user: User,
    pk: int,
    form: PlacementForm,
    *,
    place_query: str,
    status: int,
) -> HttpResponse:
    """The tab again with the placement form as typed, and the places found for its search."""
    chosen = chosen_place(form.data.get("location"))
    return render_case_page(
        request,
        case_file_of(user, pk),
        "placements",
        {
            "placement_form": form,
            "place_query": place_query,
            "places": places_matching(place_query, chosen),
            "chosen_place": chosen,
        },
        status,
    )


@login_required
@require_POST
def case_reintegration_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = case_to_write(user, pk, action="reintegrate")
    form = ReintegrationForm(request.POST, case=case)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab="placements",
        success=_("The reintegration is recorded and the follow-up visits planned."),
        write=lambda: services.reintegration_create(actor=user, case=case, **form.cleaned_data),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), "placements", {"reintegration_form": form}, 400
    )


register_tab_loader("placements", placements_tab)
