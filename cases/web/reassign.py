"""Moving a worker's cases to others (/cases/workers/{id}/reassign/), reached from the team
caseload: the worker's open cases the reader may assign, a box each, and the new worker; the
move goes through the same service as every assignment (cases.services.reassign)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from cases.selectors.reassign import (
    AssignableCase,
    reassign_targets,
    reassign_worker,
    reassignable_cases,
)
from cases.services.case import case_record_list_read
from cases.services.reassign import cases_reassign
from core.errors import StateConflictError
from core.web import adopt, user_of


class ReassignForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(
        coerce=int, required=False, label=gettext_lazy("Cases to move")
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("New worker"),
        empty_label=gettext_lazy("Choose a worker"),
    )

    def __init__(self, *args: Any, worker: User, rows: list[AssignableCase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["cases"]).choices = [
            (row.case.pk, row.case.case_number) for row in rows
        ]
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = reassign_targets(worker)


def _page(
    request: HttpRequest,
    worker: User,
    rows: list[AssignableCase],
    form: ReassignForm,
    status: int = 200,
) -> HttpResponse:
    # The children's names shown are a reading of their cases, traced as any list is.
    shown = [row.case.pk for row in rows if row.access.identity]
    if shown:
        case_record_list_read(
            actor=user_of(request),
            what="case",
            query={"reassign_from": worker.pk},
            case_ids=shown,
        )
    return render(
        request,
        "cases/reassign.html",
        {"worker": worker, "rows": rows, "form": form},
        status=status,
    )


@login_required
def case_reassign(request: HttpRequest, worker_id: int) -> HttpResponse:
    user = user_of(request)
    worker = reassign_worker(user, worker_id)  # 403 for who assigns nothing, 404 out of reach
    rows = reassignable_cases(user, worker)
    if request.method != "POST":
        return _page(request, worker, rows, ReassignForm(worker=worker, rows=rows))
    form = ReassignForm(request.POST, worker=worker, rows=rows)
    if not form.is_valid():
        return _page(request, worker, rows, form, status=400)
    # "Move all" moves every case listed; otherwise the ones ticked.
    case_ids = (
        [row.case.pk for row in rows] if "all" in request.POST else form.cleaned_data["cases"]
    )
    new_owner = form.cleaned_data["owner"]
    try:
        moved = cases_reassign(
            actor=user, from_worker=worker, case_ids=case_ids, to_worker=new_owner
        )
    except ValidationError as error:
        adopt(form, error)
        return _page(request, worker, rows, form, status=400)
    except (PermissionDenied, Http404, StateConflictError) as error:
        # Nothing moved: the refusal names the case and why; the list is read again as is.
        status = (
            403
            if isinstance(error, PermissionDenied)
            else 409
            if isinstance(error, StateConflictError)
            else 404
        )
        messages.error(request, str(error))
        return _page(request, worker, reassignable_cases(user, worker), form, status=status)
    messages.success(
        request,
        ngettext(
            "%(count)d case moved to %(owner)s: %(numbers)s.",
            "%(count)d cases moved to %(owner)s: %(numbers)s.",
            len(moved),
        )
        % {
            "count": len(moved),
            "owner": new_owner,
            "numbers": ", ".join(case.case_number for case in moved),
        },
    )
    return redirect("case-reassign-page", worker_id=worker.pk)
