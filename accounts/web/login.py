"""Two-factor sign-in on the web: the login form asks for the code of those who turned it on,
and the page where a signed-in person turns it on and off."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import two_factor
from accounts.models import User
from accounts.selectors import can_manage_users


def _code_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        max_length=16,  # a recovery code, with the space between its groups
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
        **kwargs,
    )


class TwoFactorAuthenticationForm(AuthenticationForm):
    """The username and password, and the code for those whose two-factor sign-in is on. A wrong
    or missing code counts as a failed sign-in for the lockout, like a wrong password."""

    otp_token = _code_field(
        required=False,
        label=gettext_lazy("Code from your authenticator app"),
        help_text=gettext_lazy(
            "Only if you turned on two-factor sign-in. Without your phone, enter one of your "
            "recovery codes."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # the password, through authenticate() and the lockout
        user = self.get_user()
        if not isinstance(user, User):
            return cleaned
        device = two_factor.confirmed_device(user)
        if device is None:
            return cleaned
        code = self.cleaned_data.get("otp_token") or ""
        if not two_factor.sign_in_code_is_right(user=user, device=device, code=code):
            if self.request is not None:
                two_factor.count_failed_code(request=self.request, user=user)
            self.user_cache = None
            message = (
                _("Enter the code from your authenticator app.")
                if not code
                else _("The code is wrong. Enter the current code.")
            )
            raise ValidationError({"otp_token": message})
        # django-otp marks the session as verified when it is opened (its user_logged_in receiver).
        # A recovery code stands in for the app, so the session is verified by the app's device
        # either way (and stays so when new recovery codes replace the old).
        user.otp_device = device  # type: ignore[attr-defined]
        return cleaned


class TwoFactorLoginView(LoginView):
    form_class = TwoFactorAuthenticationForm
    redirect_authenticated_user = True


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site's own login form knows nothing of the second factor: its address leads to
    the login page instead, so two-factor sign-in cannot be bypassed there."""
    if not request.user.is_authenticated:
        query = urlencode({"next": request.GET.get("next") or reverse("admin:index")})
        return redirect(f"{reverse('login')}?{query}")
    if request.user.is_active and request.user.is_staff:
        return redirect("admin:index")
    if isinstance(request.user, User) and can_manage_users(request.user):
        # An agency admin manages her agency's people in the administration pages.
        return redirect("manage-users")
    raise PermissionDenied


class CodeForm(forms.Form):
    code = _code_field(label=gettext_lazy("Current code from your authenticator app"))


# The recovery codes just made, kept in the session only until the page shows them (once).
NEW_CODES_SESSION_KEY = "two_factor_new_recovery_codes"


def _two_factor_change(request: HttpRequest, actor: User, form: CodeForm) -> str:
    """Carries out the change the form asks for (its code already checked as well-formed);
    returns the message to show. Raises ValidationError as the services do."""
    code = form.cleaned_data["code"]
    action = request.POST.get("action", "")
    if action == "new_codes":
        request.session[NEW_CODES_SESSION_KEY] = two_factor.recovery_codes_renew(
            actor=actor, code=code
        )
        return _("New recovery codes replace the old ones.")
    if action == "enable":
        enabled = two_factor.two_factor_enable(actor=actor, code=code)
        django_otp.login(request, enabled.device)
        request.session[NEW_CODES_SESSION_KEY] = enabled.recovery_codes
        return _("Two-factor sign-in is on.")
    two_factor.two_factor_disable(actor=actor, code=code)
    return _("Two-factor sign-in is off.")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Turning two-factor sign-in on (a secret to type into the app, confirmed by a current
    code) and off again (after a current code), and making new recovery codes. The codes just
    made are shown once, on the page the change leads back to."""
    actor = cast(User, request.user)
    form = CodeForm()
    # Its own prefix: the page shows it beside the form that turns two-factor sign-in off.
    renew_form = CodeForm(prefix="renew")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form_used = form
    try:
        if action == "start":
            two_factor.two_factor_start(actor=actor)
            return redirect("two-factor")
        if action == "new_codes":
            form_used = renew_form = CodeForm(request.POST, prefix="renew")
        elif action in ("enable", "disable"):
            form_used = form = CodeForm(request.POST)
        if action in ("new_codes", "enable", "disable") and form_used.is_valid():
            messages.success(request, _two_factor_change(request, actor, form_used))
            return redirect("two-factor")
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for message in error.message_dict.get("code", []):
                form_used.add_error("code", message)
        else:
            for message in error.messages:
                messages.error(request, message)
    confirmed = two_factor.confirmed_device(actor)
    waiting = None if confirmed is not None else two_factor.unconfirmed_device(actor)
    new_codes = request.session.pop(NEW_CODES_SESSION_KEY, None) if confirmed else None
    status = 400 if form.errors or renew_form.errors else 200
    return render(
        request,
        "registration/two_factor.html",
        {
            "form": form,
            "renew_form": renew_form,
            "confirmed": confirmed,
            "waiting": waiting,
            "secret": two_factor.secret_of(waiting) if waiting is not None else "",
            "config_url": waiting.config_url if waiting is not None else "",
            "new_codes": [two_factor.format_recovery_code(code) for code in new_codes or []],
            "codes_left": two_factor.recovery_codes_left(actor) if confirmed else 0,
        },
        status=status,
    )
