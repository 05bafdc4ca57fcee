"""The case plan: drafting, editing, submitting, and the supervisor's decision."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from cases.choices import Section
from cases.models import CasePlan
from cases.policy import (
    case_ref,
)
from cases.selectors import records as record_selectors
from cases.services import plan as plan_services
from cases.web.case_file import (
    CaseFile,
    case_file_of,
    file_to_write,
    render_case_page,
)
from cases.web.forms import (
    PlanDecisionForm,
    PlanForm,
)
from cases.web.lifecycle import STALE_EDIT
from core.errors import StaleVersionError, StateConflictError
from core.ids import as_id
from core.web import adopt, user_of

# The fields of a posted plan that name who is responsible for an action.
_RESPONSIBLE = re.compile(r"goal-\d+-action-\d+-responsible")


def _posted_people(data: QueryDict) -> QuerySet[User]:
    """The people a posted plan names as responsible (the service decides who may be)."""
    named = (as_id(value) for key, value in data.items() if _RESPONSIBLE.fullmatch(key))
    return record_selectors.people_named(pk for pk in named if pk is not None)


@login_required
def case_plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    if request.method != "POST":
        file = case_file_of(user, pk)
        if not (file.access.sees(Section.CASE_PLAN) and file.can_plan):
            raise PermissionDenied(_("Only the case owner or their supervisor can do this."))
        people = record_selectors.plan_people(file.case)
        return _plan_page(request, file, PlanForm(responsible=people), None)
    # The service opens the case, once; the page opens it only to show the form again.
    form = PlanForm(request.POST, responsible=_posted_people(request.POST))
    if "add" in request.POST or not form.is_valid():
        return _plan_again(request, user, pk, None)
    try:
        plan_services.plan_create(actor=user, case=case_ref(pk), goals=form.goals())
    except (ValidationError, StateConflictError) as refusal:
        return _plan_again(request, user, pk, None, refusal)
    messages.success(request, _("The plan is saved as a draft."))
    return redirect("case-tab", pk=pk, tab="plan")


@login_required
def case_plan_edit(request: HttpRequest, pk: int, plan_id: int) -> HttpResponse:
    user = user_of(request)
    if request.method != "POST":
        file = case_file_of(user, pk)
        if not file.can_plan:
            raise PermissionDenied(_("Only the case owner or their supervisor can do this."))
        plan = record_selectors.plan_in_case(case=file.case, plan_id=plan_id)
        form = PlanForm(
            responsible=record_selectors.plan_people(file.case),
            initial_goals=list(plan.goals.all()),
            plan=plan,
        )
        return _plan_page(request, file, form, plan)
    # The service opens the case, once, and reads the plan under its lock (404 for another
    # case's); the page opens them only to show the form again.
    posted = CasePlan(pk=plan_id, case_id=pk)
    form = PlanForm(request.POST, responsible=_posted_people(request.POST), plan=posted)
    if "add" in request.POST or not form.is_valid():
        return _plan_again(request, user, pk, plan_id)
    try:
        plan_services.plan_update(
            actor=user,
            plan=posted,
            goals=form.goals(),
            expected_version=form.cleaned_data["version"],
        )
    except (StaleVersionError, ValidationError, StateConflictError) as refusal:
        return _plan_again(request, user, pk, plan_id, refusal)
    messages.success(request, _("The plan is saved."))
    return redirect("case-tab", pk=pk, tab="plan")


def _plan_again(
    request: HttpRequest,
    user: User,
    pk: int,
    plan_id: int | None,
    refusal: Exception | None = None,
) -> HttpResponse:
    """The plan's page with the form as typed (a row more when one was asked for), the case
    opened for it: what the service refused beside the fields it names (400); when somebody
    saved the plan in between, the form at the version now saved, so that saving again
    replaces the other person's changes knowingly (412)."""
    file = file_to_write(user, pk, "write_plan")
    plan = None
    if plan_id is not None:
        plan = record_selectors.plan_in_case(case=file.case, plan_id=plan_id)
    people = record_selectors.plan_people(file.case)
    form = PlanForm(request.POST, responsible=people, plan=plan)
    if refusal is None or not form.is_valid():
        return _plan_page(request, file, form, plan)
    form.goals()  # where each row came from, to show the refusal beside it
    if isinstance(refusal, StaleVersionError) and plan is not None:
        typed = request.POST.copy()
        typed["version"] = str(plan.version)
        form.data = typed
        messages.error(request, str(STALE_EDIT))
        return _plan_page(request, file, form, plan, status=412)
    if isinstance(refusal, ValidationError):
        form.adopt(refusal)
    else:
        form.add_error(None, str(refusal))
    return _plan_page(request, file, form, plan, status=400)


def _plan_page(
    request: HttpRequest, file: CaseFile, form: PlanForm, plan: CasePlan | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "cases/plan_form.html",
        {"file": file, "case": file.case, "form": form, "plan": plan},
        status=status,
    )


PLAN_DECISIONS: dict[str, tuple[Callable[..., CasePlan], Any]] = {
    "submit": (plan_services.plan_submit, gettext_lazy("The plan is sent for approval.")),
    "approve": (plan_services.plan_approve, gettext_lazy("The plan is approved.")),
    "reject": (plan_services.plan_reject, gettext_lazy("The plan is sent back.")),
}


@login_required
@require_POST
def case_plan_decide(request: HttpRequest, pk: int, plan_id: int, decision: str) -> HttpResponse:
    """Submits, approves or rejects a plan, as its service allows."""
    if decision not in PLAN_DECISIONS:
        raise Http404("No such action.")
    user = user_of(request)
    # The service finds the plan in the case through the door, and locks both.
    plan = CasePlan(pk=plan_id, case_id=pk)
    service, done = PLAN_DECISIONS[decision]
    form = PlanDecisionForm(request.POST)
    form.is_valid()
    arguments: dict[str, Any] = {"actor": user, "plan": plan}
    if decision != "submit":
        arguments["comment"] = form.cleaned_data.get("comment", "")
    try:
        service(**arguments)
    except ValidationError as error:
        adopt(form, error)
        return render_case_page(
            request,
            case_file_of(user, pk),
            "plan",
            {"decision": form, "decided_plan": plan.pk},
            status=400,
        )
    except StateConflictError as conflict:
        # The reader may decide, but not now: said on the page. Who may not at all gets 403.
        messages.error(request, str(conflict))
    else:
        messages.success(request, str(done))
    return redirect("case-tab", pk=pk, tab="plan")
