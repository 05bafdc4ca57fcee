"""Passwords on the web: changing one's own (also when an admin gave a temporary one), and
choosing a new one through a link sent by email when it is forgotten.

The reset pages answer the same whatever address is typed, so they tell nobody which addresses
have an account; how often a link may be asked for is limited per client address and per email
address."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import (
    INTERNAL_RESET_SESSION_TOKEN,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
)
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import self_service
from accounts.models import User


def _password_input(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        widget=_password_input("current-password"),
    )
    new_password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        help_text=gettext_lazy(
            "At least 10 characters; not a common password, not only digits, not like your "
            "name or username."
        ),
        widget=_password_input("new-password"),
    )
    new_password_again = forms.CharField(
        label=gettext_lazy("New password again"),
        strip=False,
        widget=_password_input("new-password"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new, again = cleaned.get("new_password"), cleaned.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", _("The two new passwords differ."))
        return cleaned


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def password_change_page(request: HttpRequest) -> HttpResponse:
    actor = cast(User, request.user)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            self_service.password_change(
                actor=actor,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your password is changed."))
            return redirect("account")
    return render(
        request,
        "accounts/account/password_change.html",
        {"form": form, "forced": actor.must_change_password},
        status=400 if form.errors else 200,
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_page(request: HttpRequest) -> HttpResponse:
    """Asks for the account's email address and sends a link to it, if an account has it. Known
    and unknown addresses get the same answer: the page saying a link is on its way, or, past
    the limit, the same 429 page."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not self_service.password_reset_allowed(request=request, email=email):
            return render(request, "accounts/account/password_reset_limited.html", status=429)
        self_service.password_reset_request(email=email, request=request)
        return redirect("password-reset-done")
    return render(
        request,
        "accounts/account/password_reset_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def password_reset_done_page(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account/password_reset_done.html")


class NewPasswordForm(SetPasswordForm):
    """Django's form for a new password (its two fields, compared and validated), in words of
    this site."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = _(
            "At least 10 characters; not a common password, not only digits, not like your "
            "name or username."
        )
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].help_text = ""


class PasswordResetConfirm(PasswordResetConfirmView):
    """The page the emailed link opens: Django checks the link (and takes it out of the
    address), the service sets the password."""

    form_class = NewPasswordForm
    template_name = "accounts/account/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        try:
            self_service.password_reset_complete(
                user=form.user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            for messages_ in error.message_dict.values():
                for message in messages_:
                    form.add_error("new_password2", message)
            return self.form_invalid(form)
        # The link is spent: the password it was made from has changed.
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetComplete(PasswordResetCompleteView):
    template_name = "accounts/account/password_reset_complete.html"
