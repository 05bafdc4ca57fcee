"""Editing the case, and its actions: assignment, closure asked and decided, reopening."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Location, User
from accounts.selectors import place_chosen, places_matching
from cases.policy import (
    case_get,
    case_ref,
    case_require,
    visible_cases,
)
from cases.selectors.case import concern_types
from cases.services.case import (
    case_update,
)
from cases.web.case_file import (
    PAGE_ACTIONS,
    STALE,
    CaseFile,
    action_form,
    case_file_of,
    file_to_write,
    render_case_page,
)
from cases.web.forms import (
    CaseEditForm,
)
from core.errors import StaleVersionError, StateConflictError
from core.web import adopt, user_of

STALE_EDIT = gettext_lazy(
    "Someone else saved this case after you opened it, so nothing was saved. What you typed is "
    "below: check the case as it is now, and save again to replace their changes."
)


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The case and its child, corrected; the API's PATCH, with its version check."""
    user = user_of(request)
    # Showing the form is a reading of the file; saving it is the edit, recorded as such.
    if request.method != "POST":
        file = case_file_of(user, pk, action="edit")
    else:
        file = file_to_write(user, pk, "edit")
    concerns = concern_types(active_only=True)
    if request.method != "POST":
        form = CaseEditForm(
            initial=CaseEditForm.initial_of(file.case), concerns=concerns, case=file.case
        )
        return _edit_page(request, file, form, chosen=file.case.child.location)
    form = CaseEditForm(request.POST, concerns=concerns, case=file.case)
    chosen = place_chosen(request.POST.get("location"))
    if "find_place" in request.POST:
        form.is_valid()
        form.errors.clear()
        return _edit_page(request, file, form, chosen=chosen, searched=True)
    status = _save_case_edit(request, user, pk, form) if form.is_valid() else 400
    if status == 302:
        return redirect("case-page", pk=pk)
    return _edit_page(request, file, form, chosen=chosen, status=status)


def _save_case_edit(request: HttpRequest, user: User, pk: int, form: CaseEditForm) -> int:
    """Saves the edit under the case's lock; answers the status of the page to show: 302 saved,
    400 refused (beside the fields), 409 a move the case cannot make, 412 stale (the form,
    kept as typed, now carries the current version so that saving again replaces the other
    person's changes knowingly)."""
    try:
        case_update(
            actor=user,
            case=case_ref(pk),
            changes=form.changes(),
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersionError:
        current = request.POST.copy()
        current["version"] = str(case_get(user, pk)[0].version)
        form.data = current
        messages.error(request, str(STALE_EDIT))
        return 412
    except ValidationError as error:
        adopt(form, error, prefix="child.")
        return 400
    except StateConflictError as conflict:
        messages.error(request, str(conflict))
        return 409
    messages.success(request, _("The case is saved."))
    return 302


def _edit_page(
    request: HttpRequest,
    file: CaseFile,
    form: CaseEditForm,
    *,
    chosen: Location | None,
    searched: bool = False,
    status: int = 200,
) -> HttpResponse:
    query = form.data.get("place_q", "") if form.is_bound else ""
    return render(
        request,
        "cases/case_edit.html",
        {
            "file": file,
            "case": file.case,
            "form": form,
            "chosen": chosen,
            "places": places_matching(query, chosen),
            "searched": searched,
        },
        status=status,
    )


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Assigns, asks for or decides closure, or reopens the case: the API's case actions, each
    under the case's lock and refused when the case changed since the reader saw it."""
    if action not in PAGE_ACTIONS:
        raise Http404("No such action.")
    chosen = PAGE_ACTIONS[action]
    user = user_of(request)
    case, access = case_get(user, pk)
    try:
        case_require(user, case, access, chosen.code)  # 403 for the person, here the state
    except StateConflictError as conflict:
        messages.error(request, str(conflict))
        return redirect("case-page", pk=pk)
    form = action_form(chosen, case, request.POST)
    if form.is_valid():
        try:
            chosen.perform(user, case, form.cleaned_data["version"], form.cleaned_data)
        except StaleVersionError:
            messages.error(request, str(STALE))
            return redirect("case-page", pk=pk)
        except ValidationError as error:
            adopt(form, error)
        except StateConflictError as conflict:
            messages.error(request, str(conflict))
            return redirect("case-page", pk=pk)
        else:
            messages.success(request, str(chosen.done))
            if not visible_cases(user).filter(pk=pk).exists():
                # Given to a worker outside the reader's reach: done, and no longer hers to see.
                return redirect("case-list-page")
            return redirect("case-page", pk=pk)
    file = case_file_of(user, pk)
    return render_case_page(request, file, None, {chosen.context_name: form}, status=400)
