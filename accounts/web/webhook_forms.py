"""The forms of the webhook pages (/manage/webhooks/): what they check is only the shape of the
input; the URL's address, the events and who may register for which agency are the services'
rules (notifications.webhooks)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.choices import Role
from accounts.models import Agency, User
from notifications.models import (
    CASE_GONE,
    CASE_UPDATED,
    FOLLOW_UP_RECORDED,
    REFERRAL_ACCEPTED,
    REFERRAL_CANCELLED,
    REFERRAL_COMPLETED,
    REFERRAL_CREATED,
    REFERRAL_DECLINED,
    WEBHOOK_EVENTS,
    WebhookEndpoint,
)

# What each event means, for the person ticking it; the code partners receive is shown beside.
EVENT_LABELS: dict[str, Any] = {
    REFERRAL_CREATED: _("A referral is sent"),
    REFERRAL_ACCEPTED: _("A referral is accepted"),
    REFERRAL_DECLINED: _("A referral is declined"),
    REFERRAL_COMPLETED: _("A referral is completed"),
    REFERRAL_CANCELLED: _("A referral is cancelled"),
    CASE_UPDATED: _("A case is changed"),
    CASE_GONE: _("A case leaves the agency's reach"),
    FOLLOW_UP_RECORDED: _("A follow-up visit is recorded"),
}


def event_choices() -> list[tuple[str, str]]:
    # The code is no language's words: marked so (lang="zxx"), it is not read as untranslated.
    return [
        (event, format_html('{} <code lang="zxx">{}</code>', EVENT_LABELS.get(event, event), event))
        for event in WEBHOOK_EVENTS
    ]


class WebhookEndpointForm(forms.Form):
    """Registering an endpoint (``creating``: its URL, and its agency for a system admin) or
    changing which events it receives and whether it is active."""

    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "An https address on the public internet. Private, local and reserved addresses "
            "are refused."
        ),
    )
    agency = forms.ModelChoiceField(queryset=selectors.active_agencies(), label=_("Agency"))
    events = forms.MultipleChoiceField(
        label=_("Events to send"),
        widget=forms.CheckboxSelectMultiple,
        choices=event_choices,
    )
    is_active = forms.BooleanField(label=_("Active: send the events"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: User, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            # The address and the agency of a registration stay as registered here: a new
            # address is a new registration, with its own secret.
            del self.fields["url"], self.fields["agency"]
        elif actor.role == Role.SYSTEM_ADMIN:
            agency_field = cast("forms.ModelChoiceField[Agency]", self.fields["agency"])
            agency_field.queryset = selectors.active_agencies()
        else:
            del self.fields["agency"]  # an agency admin registers for her own agency
        if creating:
            del self.fields["version"]
            self.fields["is_active"].initial = True

    @staticmethod
    def initial_of(endpoint: WebhookEndpoint) -> dict[str, Any]:
        return {
            "events": list(endpoint.events),
            "is_active": endpoint.is_active,
            "version": endpoint.version,
        }
