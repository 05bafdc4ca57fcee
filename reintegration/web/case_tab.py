"""The case file's placements tab (the case file itself is cases.web.case_file): the placement
history, the reintegrations with their visits, and the forms that record them, through this
app's selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.selectors import place_chosen, places_matching
from cases.choices import Section
from cases.web.case_file import (
    Bound,
    CaseFile,
    Tab,
    case_file_of,
    case_to_write,
    register_tab,
    render_case_page,
    submit_on_tab,
)
from core.web import user_of
from reintegration import selectors, services
from reintegration.web.placement_forms import PlacementForm, ReintegrationForm


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
        # The tab is open to this reader for the follow-ups section: the door checked it.
        context["visits"] = list(selectors.follow_ups_of(file.case))
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
    if not file.can_manage:
        return context
    # A form is built when the reader opens it (?record=...) or posted it back with errors:
    # each of its lists of choices costs a query, which a reading of the tab does not pay.
    context["can_record"] = True
    opened = request.GET.get("record")
    if "placement_form" in bound or opened == "placement":
        context["placement_form"] = bound.get("placement_form") or PlacementForm(case=file.case)
        context["place_query"] = bound.get("place_query", "")
        context["places"] = bound.get("places", [])
    if "reintegration_form" in bound or opened == "reintegration":
        context["reintegration_form"] = bound.get("reintegration_form") or ReintegrationForm(
            case=file.case, initial={"follow_up_worker": file.case.owner_id}
        )
    return context


@login_required
@require_POST
def case_placement_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
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
    chosen = place_chosen(form.data.get("location"))
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
    user = user_of(request)
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


register_tab(
    Tab(
        "placements",
        gettext_lazy("Placements and follow-ups"),
        (Section.PLACEMENTS, Section.FOLLOW_UPS),
        order=80,
        template="reintegration/_case_placements.html",
    ),
    placements_tab,
)
