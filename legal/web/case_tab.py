"""The case file's court case tab (the case file itself is cases.web.case_file): the child's
court proceedings with the defendant's status history and the hearings, and the forms that
record them, through this app's selectors and services.

One form is open at a time (``?record=`` names it): a new proceeding, or a change, a hearing
or a new hearing date for one record; each is short enough for a phone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from cases.choices import Section
from cases.models import Case
from cases.policy import case_get
from cases.web.case_file import (
    Bound,
    CaseFile,
    Tab,
    case_file_of,
    register_tab,
    render_case_page,
    submit_on_tab,
)
from core.errors import StaleVersionError
from core.web import user_of
from legal import selectors, services
from legal.models import LegalProceeding
from legal.web.forms import HearingForm, ProceedingChangeForm, ProceedingForm, RescheduleForm

TAB = "legal"
# Recording here is the services' own rule: adding to the case, with its legal section.
WRITE_ACTION = services.WRITE_ACTION

STALE_PROCEEDING = gettext_lazy(
    "Someone else changed this proceeding after you opened it, so nothing was saved. What you "
    "typed is below: check the proceeding as it is now, and save again to replace their changes."
)


def _open_form(
    opened: str, proceedings: list[LegalProceeding], bound_form: forms.Form | None
) -> dict[str, Any]:
    """The one form ``opened`` names (``proceeding``, ``change-<id>``, ``hearing-<id>``,
    ``reschedule-<hearing id>``) under its context name: the one posted back with errors, else
    a blank one for a record shown on the tab."""
    if opened == "proceeding":
        return {"proceeding_form": bound_form or ProceedingForm()}
    kind, _dash, number = opened.partition("-")
    for proceeding in proceedings:
        if kind == "change" and number == str(proceeding.pk):
            return {"change_form": bound_form or ProceedingChangeForm(proceeding=proceeding)}
        if kind == "hearing" and number == str(proceeding.pk):
            return {"hearing_form": bound_form or HearingForm(proceeding=proceeding)}
        for hearing in proceeding.hearings.all():
            if kind == "reschedule" and number == str(hearing.pk):
                return {"reschedule_form": bound_form or RescheduleForm(hearing=hearing)}
    return {}


def legal_tab(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    # Four queries for any number of proceedings: the rows, their status changes, the people
    # who changed them, their hearings.
    proceedings = list(
        selectors.proceedings_of(file.case).prefetch_related(
            "status_changes__changed_by", "hearings"
        )
    )
    context: dict[str, Any] = {"proceedings": proceedings, "today": timezone.localdate()}
    if WRITE_ACTION in file.actions:
        context["can_record"] = True
        opened = bound.get("legal_opened") or request.GET.get("record", "")
        context.update(_open_form(opened, proceedings, bound.get("legal_form")))
    return context


def _case_to_record_in(user: User, pk: int) -> Case:
    """The case (404 outside reach), refused before its form is read when the reader may not
    record in its legal section (403, or 409 when the case is closed); the service checks the
    same rule again under its lock."""
    case, _access = case_get(user, pk, section=Section.LEGAL, action=WRITE_ACTION)
    return case


def _proceeding_of(case: Case, proceeding_id: int) -> LegalProceeding:
    """A proceeding of this case (404 for one of another case)."""
    proceeding = selectors.proceedings_of(case).filter(pk=proceeding_id).first()
    if proceeding is None:
        raise Http404("No such legal proceeding.")
    return proceeding


def _again(
    request: HttpRequest, user: User, pk: int, opened: str, form: forms.Form, *, status: int = 400
) -> HttpResponse:
    """The tab again, with the refused form as typed in its place."""
    return render_case_page(
        request,
        case_file_of(user, pk),
        TAB,
        {"legal_opened": opened, "legal_form": form},
        status,
    )


@login_required
@require_POST
def proceeding_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    case = _case_to_record_in(user, pk)
    form = ProceedingForm(request.POST)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab=TAB,
        success=_("The court proceeding is recorded."),
        write=lambda: services.legal_proceeding_create(actor=user, case=case, **form.cleaned_data),
    )
    return done or _again(request, user, pk, "proceeding", form)


@login_required
@require_POST
def proceeding_change(request: HttpRequest, pk: int, proceeding_id: int) -> HttpResponse:
    user = user_of(request)
    case = _case_to_record_in(user, pk)
    proceeding = _proceeding_of(case, proceeding_id)
    form = ProceedingChangeForm(request.POST, proceeding=proceeding)
    opened = f"change-{proceeding.pk}"
    try:
        done = submit_on_tab(
            request,
            form,
            pk=pk,
            tab=TAB,
            success=_("The court proceeding is updated."),
            write=lambda: services.legal_proceeding_update(
                actor=user,
                proceeding=proceeding,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            ),
        )
    except StaleVersionError:
        # Kept as typed, now carrying the current version: saving again replaces the other
        # person's change knowingly.
        current = _proceeding_of(case, proceeding_id)
        typed = request.POST.copy()
        typed[f"{form.prefix}-version"] = str(current.version)
        messages.error(request, str(STALE_PROCEEDING))
        return _again(
            request, user, pk, opened, ProceedingChangeForm(typed, proceeding=current), status=412
        )
    return done or _again(request, user, pk, opened, form)


@login_required
@require_POST
def hearing_add(request: HttpRequest, pk: int, proceeding_id: int) -> HttpResponse:
    user = user_of(request)
    case = _case_to_record_in(user, pk)
    proceeding = _proceeding_of(case, proceeding_id)
    form = HearingForm(request.POST, proceeding=proceeding)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab=TAB,
        success=_("The hearing is recorded."),
        write=lambda: services.hearing_create(
            actor=user, proceeding=proceeding, **form.cleaned_data
        ),
    )
    return done or _again(request, user, pk, f"hearing-{proceeding.pk}", form)


@login_required
@require_POST
def hearing_reschedule(
    request: HttpRequest, pk: int, proceeding_id: int, hearing_id: int
) -> HttpResponse:
    user = user_of(request)
    case = _case_to_record_in(user, pk)
    hearing = _proceeding_of(case, proceeding_id).hearings.filter(pk=hearing_id).first()
    if hearing is None:
        raise Http404("No such hearing.")
    form = RescheduleForm(request.POST, hearing=hearing)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab=TAB,
        success=_("The hearing is moved to its new date."),
        write=lambda: services.hearing_reschedule(
            actor=user, hearing=hearing, date=form.cleaned_data["date"]
        ),
    )
    return done or _again(request, user, pk, f"reschedule-{hearing.pk}", form)


register_tab(
    Tab(
        TAB,
        gettext_lazy("Court case"),
        (Section.LEGAL,),
        order=77,
        template="legal/_case_legal.html",
    ),
    legal_tab,
)
