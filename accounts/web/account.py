"""The account page: who I am, my preferences, my two-factor sign-in, where I am signed in and
my API tokens, with a way to end a session or revoke a token."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts import self_service, services, two_factor
from accounts.choices import EmailDelivery
from accounts.models import SignedInSession, User


class LanguageSelect(forms.Select):
    """Each language is offered in its own name and script (as in the header's switch), marked
    with its language so that a reader, and a screen reader, knows it."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class PreferencesForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        widget=LanguageSelect,
    )
    email_delivery = forms.ChoiceField(
        label=gettext_lazy("Notification emails"), choices=EmailDelivery.choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = cast(forms.ChoiceField, self.fields["preferred_language"])
        language.choices = [
            ("", _("As my browser asks")),
            *settings.LANGUAGES,
        ]


# Browser and system names, most specific first (Edge and Opera also say "Chrome", Chrome also
# says "Safari", Android also says "Linux").
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str) -> str:
    """A short name for the browser and system a user agent names ("Chrome · Android"), or
    the start of the user agent when it names neither."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    if not browser and re.search(r"Version/[\d.]+.*Safari/", user_agent):
        browser = "Safari"
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    described = " · ".join(part for part in (browser, system) if part)
    return described or user_agent[:60]


@login_required
@require_http_methods(["GET", "POST"])
def account_page(request: HttpRequest) -> HttpResponse:
    actor = cast(User, request.user)
    me = self_service.account_of(actor)
    form = PreferencesForm(
        initial={
            "preferred_language": me.preferred_language,
            "email_delivery": me.email_delivery,
        }
    )
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.user_set_preferences(actor=actor, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Your preferences are saved."))
                return redirect("account")
    device = two_factor.confirmed_device(me)
    current = request.session.session_key
    sessions = [
        {
            "row": row,
            "current": row.session_key == current,
            "browser": describe_browser(row.user_agent),
        }
        for row in self_service.open_sessions(me)
    ]
    return render(
        request,
        "accounts/account/account.html",
        {
            "me": me,
            "form": form,
            "two_factor_on": device is not None,
            "codes_left": two_factor.recovery_codes_left(me) if device is not None else 0,
            "sessions": sessions,
            "others": sum(1 for session in sessions if not session["current"]),
            "tokens": list(self_service.usable_tokens(me)),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def session_end_page(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        self_service.session_end(actor=cast(User, request.user), session_id=session_id)
    except SignedInSession.DoesNotExist as missing:
        raise Http404 from missing
    messages.success(request, _("That session is signed out."))
    return redirect("account")


@login_required
@require_POST
def sessions_end_others_page(request: HttpRequest) -> HttpResponse:
    ended = self_service.sessions_end_others(
        actor=cast(User, request.user), current_session_key=request.session.session_key
    )
    messages.success(
        request,
        ngettext(
            "%(count)s other session is signed out.",
            "%(count)s other sessions are signed out.",
            ended,
        )
        % {"count": ended},
    )
    return redirect("account")


@login_required
@require_POST
def token_revoke_page(request: HttpRequest, token_id: int) -> HttpResponse:
    actor = cast(User, request.user)
    # Another person's token is answered as missing, as a token that never was.
    token = get_object_or_404(self_service.usable_tokens(actor), pk=token_id)
    services.token_revoke(actor=actor, token=token)
    messages.success(request, _("The token is revoked."))
    return redirect("account")
