"""The referral pages' forms. They check the shape of what was typed; the referral services
decide, and their refusals are shown beside the fields they name (core.web.adopt)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import place_with_code, provinces
from cases.choices import Section
from core.web import place_name
from referrals.choices import ReferralStatus, ReferralType, Urgency

DIRECTIONS = [("incoming", _("Incoming")), ("outgoing", _("Outgoing"))]


class ReferralFilterForm(forms.Form):
    """What the lists can be narrowed by; the filtering itself is the API's (ReferralFilter)."""

    direction = forms.ChoiceField(choices=DIRECTIONS, required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *ReferralStatus.choices]
    )


class AcceptForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        label=_("Give the child to"),
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
        help_text=_("The case worker of your agency who takes the child on."),
        error_messages={"required": _("Choose who takes the child on.")},
    )

    def __init__(self, *args: Any, workers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = workers  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    """Declining or cancelling: the reason is required by the service, and kept on the
    referral for the other side to read."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done and how the child is: it is written into the sender's case."),
    )


class ReferralForm(forms.Form):
    """A new referral of one case, as the API's ReferralCreateSerializer takes it. The agencies
    offered are the service directory's suggestions for the services chosen."""

    services = forms.MultipleChoiceField(
        label=_("Services needed"), required=False, widget=forms.CheckboxSelectMultiple
    )
    to_agency = forms.TypedChoiceField(
        label=_("Refer to"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the agency."),
            "invalid_choice": _("Choose one of the agencies offered for these services."),
        },
    )
    type = forms.ChoiceField(
        label=_("Kind of referral"),
        choices=ReferralType.choices,
        initial=ReferralType.SERVICE,
        widget=forms.RadioSelect,
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE
    )
    reason = forms.CharField(
        label=_("Why the child is referred"), widget=forms.Textarea(attrs={"rows": 4})
    )
    shared_sections = forms.MultipleChoiceField(
        label=_("Parts of the case file to share"),
        required=False,
        choices=Section.choices,
        initial=[Section.PROFILE, Section.CONCERNS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The receiving worker sees them once the referral is accepted."),
    )
    consent_override_reason = forms.CharField(
        label=_("Why refer without the recorded consent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "No consent covering referral is recorded for this child. Only a supervisor or the "
            "police may refer without it, saying why; the receiver is told."
        ),
    )

    def __init__(
        self,
        *args: Any,
        services: Iterable[tuple[str, str]],
        agencies: Iterable[tuple[int, str]],
        consented: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = list(services)  # type: ignore[attr-defined]
        self.fields["to_agency"].choices = list(agencies)  # type: ignore[attr-defined]
        if consented:
            del self.fields["consent_override_reason"]


class ProvinceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return place_name(obj)


class DirectoryForm(forms.Form):
    services = forms.MultipleChoiceField(
        label=_("Services needed"), required=False, widget=forms.CheckboxSelectMultiple
    )
    province = ProvinceField(
        label=_("Province"),
        queryset=provinces(),
        required=False,
        empty_label=_("Anywhere"),
    )
    code = forms.CharField(
        label=_("Or a location code (district, commune or village)"),
        required=False,
        max_length=16,
    )

    def __init__(self, *args: Any, service_labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = list(service_labels.items())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("code") or "").strip()
        data["location"] = data.get("province")
        if code:
            data["location"] = place_with_code(code)
            if data["location"] is None:
                self.add_error("code", _("No location has this code."))
        return data
