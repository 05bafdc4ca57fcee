"""The court case tab's forms: they read what was typed; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.web import DateField
from legal.choices import ChildRole, DefendantStatus, HearingKind
from legal.models import RIEL_DIGITS, Hearing, LegalProceeding

NOT_KNOWN_YET = gettext_lazy("Not known yet")


def riel_field(label: Any) -> forms.DecimalField:
    """An amount in whole riel, as the courts order it."""
    return forms.DecimalField(
        max_digits=RIEL_DIGITS,
        decimal_places=0,
        min_value=0,
        required=False,
        label=label,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1", "min": "0"}),
    )


def _text(label: Any) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=label)


class ProceedingForm(forms.Form):
    """A new proceeding: the court, the child's part and what is known of the defendant."""

    prefix = "proceeding"
    court = forms.CharField(max_length=200, label=gettext_lazy("Court"))
    reference = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Court's reference")
    )
    child_role = forms.ChoiceField(
        choices=ChildRole.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("The child is"),
        initial=ChildRole.VICTIM,
    )
    offence = forms.CharField(max_length=200, required=False, label=gettext_lazy("Offence"))
    filed_on = DateField(required=False, label=gettext_lazy("Filed on"))
    defendant_status = forms.ChoiceField(
        choices=[("", NOT_KNOWN_YET), *DefendantStatus.choices],
        required=False,
        label=gettext_lazy("Defendant's status"),
    )


class ProceedingChangeForm(forms.Form):
    """What changed in one proceeding: the defendant's new status (added to its history), the
    outcome, the sentence and the restitution; ``version`` is the proceeding's as read, so a
    change made since by someone else is not silently replaced."""

    prefix = "change"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    defendant_status = forms.ChoiceField(required=False, label=gettext_lazy("Defendant's status"))
    outcome = _text(gettext_lazy("Outcome"))
    sentence = _text(gettext_lazy("Sentence"))
    restitution_ordered = riel_field(gettext_lazy("Restitution ordered (riel)"))
    restitution_paid = riel_field(gettext_lazy("Restitution paid (riel)"))

    def __init__(self, *args: Any, proceeding: LegalProceeding, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "version": proceeding.version,
                "defendant_status": proceeding.defendant_status,
                "outcome": proceeding.outcome,
                "sentence": proceeding.sentence,
                "restitution_ordered": proceeding.restitution_ordered,
                "restitution_paid": proceeding.restitution_paid,
            },
        )
        super().__init__(*args, **kwargs)
        self.proceeding = proceeding
        status = cast(forms.ChoiceField, self.fields["defendant_status"])
        if proceeding.defendant_status:
            # A status once known is changed, never taken back (the service refuses it).
            status.choices = DefendantStatus.choices
            status.required = True
        else:
            status.choices = [("", NOT_KNOWN_YET), *DefendantStatus.choices]

    def changes(self) -> dict[str, Any]:
        """The proceeding's fields as typed; the service keeps those that differ."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class HearingForm(forms.Form):
    """A hearing of one proceeding, and how the child was protected at it."""

    prefix = "hearing"
    date = DateField(label=gettext_lazy("Date"))
    kind = forms.ChoiceField(choices=HearingKind.choices, label=gettext_lazy("Hearing"))
    child_testified = forms.BooleanField(required=False, label=gettext_lazy("The child testified"))
    video_link = forms.BooleanField(
        required=False, label=gettext_lazy("By video link, away from the courtroom")
    )
    other_protection = _text(gettext_lazy("Other protection"))
    note = _text(gettext_lazy("Note"))

    def __init__(self, *args: Any, proceeding: LegalProceeding, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.proceeding = proceeding


class RescheduleForm(forms.Form):
    """The new date of a hearing the court postponed."""

    prefix = "reschedule"
    date = DateField(label=gettext_lazy("New date"))

    def __init__(self, *args: Any, hearing: Hearing, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": hearing.date})
        super().__init__(*args, **kwargs)
        self.hearing = hearing
