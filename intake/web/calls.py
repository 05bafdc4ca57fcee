"""The helpline's call log page: a form quick enough to fill in during a call, on a phone, and
below it the day's calls of the helpline with their counts by action. It writes through the
same service as the API (intake.calls) and reads the log through intake.selectors."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases.policy import visible_cases
from core.web import KHMER_DIGITS, DateField, adopt, user_of
from intake.calls import helpline_call_record, reads_call_log, takes_calls
from intake.choices import CallAction, CallerType, CallReason
from intake.selectors import calls_visible


class TimeInput(forms.TimeInput):
    """A text input for the hour, as the date is (core.web.DateInput): typed 24-hour, 14:30."""

    input_type = "text"

    def __init__(self) -> None:
        super().__init__(
            {"inputmode": "numeric", "placeholder": "hh:mm", "autocomplete": "off", "size": 5},
            format="%H:%M",
        )


class TimeField(forms.TimeField):
    widget = TimeInput
    input_formats = ["%H:%M", "%H.%M", "%H%M", "%H:%M:%S"]
    default_error_messages = {"invalid": gettext_lazy("Enter the time as hh:mm, e.g. 14:30.")}

    def to_python(self, value: Any) -> time | None:
        if isinstance(value, str):
            value = value.translate(KHMER_DIGITS).strip()
        return super().to_python(value)


class CallForm(forms.Form):
    caller_type = forms.ChoiceField(
        label=gettext_lazy("Who called"), choices=CallerType.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(label=gettext_lazy("Why"), choices=[("", "—"), *CallReason.choices])
    action = forms.ChoiceField(
        label=gettext_lazy("What was done"), choices=CallAction.choices, widget=forms.RadioSelect
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"),
        min_value=0,
        max_value=600,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    received_on = DateField(label=gettext_lazy("Date of the call"))
    received_time = TimeField(label=gettext_lazy("Time of the call"))
    case_number = forms.CharField(
        label=gettext_lazy("Case number"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("When the call is about a case, or opened one."),
    )
    concern_report = forms.IntegerField(
        label=gettext_lazy("Concern report number"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=gettext_lazy("When a concern report was made for the call."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def received_at(self) -> datetime:
        day: date = self.cleaned_data["received_on"]
        at: time = self.cleaned_data["received_time"]
        return timezone.make_aware(datetime.combine(day, at))


def _new_form() -> CallForm:
    now = timezone.localtime()
    return CallForm(initial={"received_on": now.date(), "received_time": now.time()})


def _case_id(user: User, number: str) -> int | None:
    """The case of that number among those the operator may see (None: none of them)."""
    return (
        visible_cases(user).filter(case_number=number.strip()).values_list("pk", flat=True).first()
    )


def _today(user: User) -> dict[str, Any]:
    """The helpline's calls of today, newest first, and how many ended in each action."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    calls = calls_visible(user).filter(received_at__gte=start).order_by("-received_at", "-id")
    counted = dict(calls.values_list("action").annotate(n=Count("pk")).order_by())
    return {
        "calls": list(calls),
        "by_action": [(label, counted.get(code, 0)) for code, label in CallAction.choices],
        "total": sum(counted.values()),
    }


def _page(request: HttpRequest, form: CallForm, status: int = 200) -> HttpResponse:
    user = user_of(request)
    return render(
        request,
        "intake/calls.html",
        {"form": form, "takes_calls": takes_calls(user), **_today(user)},
        status=status,
    )


@login_required
def call_log(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not reads_call_log(user):
        raise PermissionDenied(_("The call log is for the helpline's operators."))
    if request.method != "POST":
        return _page(request, _new_form())
    form = CallForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    number = form.cleaned_data["case_number"].strip()
    case_id = _case_id(user, number) if number else None
    if number and case_id is None:
        form.add_error("case_number", _("No such case."))
        return _page(request, form, status=400)
    try:
        helpline_call_record(
            actor=user,
            received_at=form.received_at(),
            caller_type=form.cleaned_data["caller_type"],
            reason=form.cleaned_data["reason"],
            action=form.cleaned_data["action"],
            duration_minutes=form.cleaned_data["duration_minutes"],
            case=case_id,
            concern_report=form.cleaned_data["concern_report"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as refused:
        adopt(form, refused, aliases={"case": "case_number", "received_at": "received_on"})
        return _page(request, form, status=400)
    messages.success(request, _("The call is recorded."))
    return redirect("helpline-call-page")
