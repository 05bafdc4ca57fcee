"""Administration in the browser (/manage/users/, /manage/agencies/): system admins manage
every agency and person, agency admins their own agency's people and directory entry.

Who may do what is the services' rule (accounts.services); the pages answer as the API does:
403 for someone who manages nobody, 404 for a person outside the reader's reach."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services, two_factor
from accounts.choices import Role
from accounts.models import User
from accounts.web.manage_forms import GIVE_TEMPORARY, AgencyForm, UserFilterForm, UserForm
from core.web import adopt, user_of

PAGE_SIZE = 50


def _manager(request: HttpRequest) -> User:
    actor = user_of(request)
    if not selectors.can_manage_users(actor):
        raise PermissionDenied(_("Only system and agency admins manage users."))
    return actor


def _managed(actor: User, pk: int) -> User:
    person = selectors.managed_user(actor, pk)
    if person is None:
        raise Http404(_("No such account."))
    return person


def _shown_once(request: HttpRequest, person: User, password: str) -> HttpResponse:
    """The temporary password, on a page no cache keeps: it is not shown again."""
    response = render(
        request, "accounts/manage/password_shown.html", {"person": person, "password": password}
    )
    add_never_cache_headers(response)
    return response


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    filters = UserFilterForm(request.GET or None, actor=actor)
    people = selectors.managed_users(actor, **filters.filters())
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/manage/user_list.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    form = UserForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        temporary = form.cleaned_data["password_by"] == GIVE_TEMPORARY
        # A link by email: the account gets a long random password nobody ever sees, and the
        # person chooses their own through the link.
        password = services.temporary_password() if temporary else secrets.token_urlsafe(32)
        try:
            person = services.user_create(
                actor=actor,
                username=form.cleaned_data["username"],
                password=password,
                must_change_password=temporary,
                **form.account_fields(),
            )
        except ValidationError as error:
            adopt(form, error)
        else:
            if temporary:
                return _shown_once(request, person, password)
            services.user_password_link(actor=actor, user=person)
            messages.success(
                request,
                _("Account created. A link to choose a password was sent to %(email)s.")
                % {"email": person.email},
            )
            return redirect("manage-user", pk=person.pk)
    return render(
        request,
        "accounts/manage/user_form.html",
        {"form": form, "person": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _manager(request)
    person = _managed(actor, pk)
    if request.method == "POST":
        form = UserForm(request.POST, actor=actor, editing=person)
        if form.is_valid():
            try:
                services.user_update(
                    actor=actor,
                    user=person,
                    expected_version=form.cleaned_data["version"],
                    **form.account_fields(),
                )
            except ValidationError as error:
                adopt(form, error)
            else:
                messages.success(request, _("The account is saved."))
                return redirect("manage-user", pk=person.pk)
    else:
        form = UserForm(initial=UserForm.initial_of(person), actor=actor, editing=person)
    return render(
        request,
        "accounts/manage/user_form.html",
        {
            "form": form,
            "person": person,
            "is_me": person.pk == actor.pk,
            "failed_sign_ins": selectors.failed_sign_ins(person.username),
            "api_tokens": selectors.usable_token_count(person),
        },
        status=400 if form.errors else 200,
    )


USER_ACTIONS = (
    "deactivate",
    "reactivate",
    "temporary-password",
    "send-link",
    "reset-two-factor",
    "unlock",
)


@login_required
@require_POST
def user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of a person's page, each one service."""
    actor = _manager(request)
    person = _managed(actor, pk)
    if action not in USER_ACTIONS:
        raise Http404(_("No such action."))
    try:
        if action == "temporary-password":
            password = services.user_password_temporary(actor=actor, user=person)
            return _shown_once(request, person, password)
        _do(request, actor, person, action)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("manage-user", pk=person.pk)


def _do(request: HttpRequest, actor: User, person: User, action: str) -> None:
    if action in ("deactivate", "reactivate"):
        services.user_update(actor=actor, user=person, is_active=action == "reactivate")
        messages.success(
            request,
            _("The account is deactivated. Its cases stay; its supervisor is asked to move them.")
            if action == "deactivate"
            else _("The account is active again."),
        )
    elif action == "send-link":
        services.user_password_link(actor=actor, user=person)
        messages.success(
            request,
            _("A link to choose a new password was sent to %(email)s.") % {"email": person.email},
        )
    elif action == "reset-two-factor":
        two_factor.two_factor_reset(actor=actor, user=person)
        messages.success(
            request,
            _(
                "Two-factor sign-in is off for this account: they sign in with their password and "
                "can turn it on again."
            ),
        )
    else:
        services.account_unlock(actor=actor, username=person.username)
        messages.success(request, _("Failed sign-ins are cleared: the account can sign in."))


# --- Agencies ------------------------------------------------------------------------------


def _agency_manager(request: HttpRequest) -> User:
    actor = user_of(request)
    if actor.role not in (Role.SYSTEM_ADMIN, Role.AGENCY_ADMIN):
        raise PermissionDenied(_("Only system and agency admins manage agencies."))
    return actor


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    actor = _agency_manager(request)
    page = Paginator(selectors.managed_agencies(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/manage/agency_list.html",
        {"page": page, "can_create": actor.role == Role.SYSTEM_ADMIN},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_new(request: HttpRequest) -> HttpResponse:
    actor = _agency_manager(request)
    if actor.role != Role.SYSTEM_ADMIN:
        raise PermissionDenied(_("Only a system admin can do this."))
    form = AgencyForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(actor=actor, **form.changes())
        except ValidationError as error:
            adopt(form, error)
        else:
            messages.success(request, _("The agency is in the directory."))
            return redirect("manage-agency", pk=agency.pk)
    return render(
        request,
        "accounts/manage/agency_form.html",
        {"form": form, "agency": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _agency_manager(request)
    agency = selectors.agency(pk)
    if agency is None:
        raise Http404(_("No such agency."))
    if not services.may_edit_agency(actor, agency):
        raise PermissionDenied(_("Agency admins edit their own agency's entry only."))
    if request.method == "POST":
        form = AgencyForm(request.POST, actor=actor)
        if form.is_valid():
            changes: dict[str, Any] = form.changes()
            try:
                services.agency_update(
                    actor=actor,
                    agency=agency,
                    expected_version=form.cleaned_data["version"],
                    **changes,
                )
            except ValidationError as error:
                adopt(form, error)
            else:
                messages.success(request, _("The directory entry is saved."))
                return redirect("manage-agency", pk=agency.pk)
    else:
        form = AgencyForm(initial=AgencyForm.initial_of(agency), actor=actor)
    return render(
        request,
        "accounts/manage/agency_form.html",
        {
            "form": form,
            "agency": agency,
            "people": selectors.active_member_count(agency),
        },
        status=400 if form.errors else 200,
    )
