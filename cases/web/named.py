"""The page of who is named on a restricted case (/cases/{id}/named/): the list for those who
see the case, and naming or taking off people for its named managers, through the same service
as the API (cases.services.restricted)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import selectors as accounts_selectors
from accounts.models import User
from cases.models import Case
from cases.policy import CaseAccess, case_get
from cases.selectors import case as case_selectors
from cases.services import restricted
from core.errors import StateConflictError


class NamePersonForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("Person to name"),
        empty_label=gettext_lazy("Choose a person"),
    )

    def __init__(self, *args: object, case: Case, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = cast(forms.ModelChoiceField, self.fields["user"])
        field.queryset = case_selectors.case_nameable_people(case=case).exclude(
            pk__in=case_selectors.case_named_people(case=case).values("user_id")
        )
        field.label_from_instance = lambda person: f"{person} · {person.agency}"  # type: ignore[method-assign, assignment]


def _page(
    request: HttpRequest, case: Case, access: CaseAccess, form: NamePersonForm, status: int = 200
) -> HttpResponse:
    # The service's rule, to draw the forms (it checks again): a restricted case is visible
    # only to the people named on it, and of them its managers name others.
    return render(
        request,
        "cases/named_people.html",
        {
            "case": case,
            "people": case_selectors.case_named_people(case=case),
            "may_change": access.manage,
            "form": form,
        },
        status=status,
    )


@login_required
def case_named_people(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    case, access = case_get(user, pk)
    if not case.restricted:
        raise Http404("Only a restricted case has people named on it.")
    if request.method != "POST":
        return _page(request, case, access, NamePersonForm(case=case))
    try:
        if "remove" in request.POST:
            person = accounts_selectors.person(request.POST["remove"])
            if person is None:
                raise Http404("No such person.")
            restricted.case_unname_person(actor=user, case=case, person=person)
            messages.success(request, _("%(person)s no longer sees the case.") % {"person": person})
            return redirect("case-named-page", pk=case.pk)
        form = NamePersonForm(request.POST, case=case)
        if not form.is_valid():
            return _page(request, case, access, form, status=400)
        person = form.cleaned_data["user"]
        restricted.case_name_person(actor=user, case=case, person=person)
    except (StateConflictError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return _page(request, case, access, NamePersonForm(case=case), status=409)
    messages.success(request, _("%(person)s now sees the case.") % {"person": person})
    return redirect("case-named-page", pk=case.pk)
