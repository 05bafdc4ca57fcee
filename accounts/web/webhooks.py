"""Webhooks in the browser (/manage/webhooks/): agency admins manage their agency's endpoints
for partner systems, system admins every agency's; each endpoint's recent deliveries, with
failures shown and sent again on demand.

The pages live beside the webhook API (accounts.api.webhook_views) for the same reason: the
notifications app knows no roles, so this layer tells its services whom the caller
administers, and the services check it again. Answers as the API: 403 for someone who manages
no webhooks, 404 for another agency's endpoint."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors
from accounts.choices import Role
from accounts.models import User
from accounts.web.webhook_forms import EVENT_LABELS, WebhookEndpointForm
from core.errors import StateConflictError
from core.web import adopt, user_of
from notifications import webhooks
from notifications.models import DeliveryStatus, WebhookEndpoint

RECENT_DELIVERIES = 30
# Shown highlighted: the deliveries that did not arrive and will not be tried again.
NOT_DELIVERED = frozenset({DeliveryStatus.FAILED, DeliveryStatus.REFUSED})


def _manager(request: HttpRequest) -> User:
    actor = user_of(request)
    if not (
        actor.role == Role.SYSTEM_ADMIN
        or (actor.role == Role.AGENCY_ADMIN and actor.agency_id is not None)
    ):
        raise PermissionDenied(_("Only system and agency admins manage webhooks."))
    return actor


def _admin_of_agency_id(actor: User) -> int | None:
    return actor.agency_id if actor.role == Role.AGENCY_ADMIN else None


def _as_manager(actor: User) -> dict[str, Any]:
    return {
        "actor": actor,
        "actor_admin_of_agency_id": _admin_of_agency_id(actor),
        "actor_is_system_admin": actor.role == Role.SYSTEM_ADMIN,
    }


def _visible(actor: User) -> QuerySet[WebhookEndpoint]:
    return webhooks.webhook_endpoints_visible(
        admin_of_agency_id=_admin_of_agency_id(actor),
        is_system_admin=actor.role == Role.SYSTEM_ADMIN,
    )


def _endpoint(actor: User, pk: int) -> WebhookEndpoint:
    """The endpoint when the reader manages it; 404 for another agency's."""
    return get_object_or_404(_visible(actor), pk=pk)


def _agency_names(agency_ids: set[int]) -> dict[int, str]:
    # Endpoints name their agency by a plain id (the notifications app sits below accounts).
    return dict(selectors.all_agencies().filter(pk__in=agency_ids).values_list("pk", "name"))


def _labels(events: list[str]) -> list[str]:
    return [str(EVENT_LABELS.get(event, event)) for event in events]


def _secret_shown_once(
    request: HttpRequest, endpoint: WebhookEndpoint, *, new: bool
) -> HttpResponse:
    """The signing secret, on a page no cache keeps: it is not shown again."""
    response = render(
        request,
        "accounts/manage/webhooks/secret_shown.html",
        {"endpoint": endpoint, "secret": endpoint.secret, "new": new},
    )
    add_never_cache_headers(response)
    return response


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    endpoints = list(webhooks.webhook_endpoints_with_last_delivery(_visible(actor)))
    names = (
        _agency_names({endpoint.agency_id for endpoint in endpoints})
        if actor.role == Role.SYSTEM_ADMIN
        else {}
    )
    rows = [
        {
            "endpoint": endpoint,
            "events": _labels(endpoint.events),
            "agency": names.get(endpoint.agency_id, ""),
            "failed": endpoint.last_delivery_status in NOT_DELIVERED,  # type: ignore[attr-defined]
            "last_status": (
                DeliveryStatus(endpoint.last_delivery_status).label  # type: ignore[attr-defined]
                if endpoint.last_delivery_status  # type: ignore[attr-defined]
                else ""
            ),
        }
        for endpoint in endpoints
    ]
    return render(request, "accounts/manage/webhooks/list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_new(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    form = WebhookEndpointForm(request.POST or None, actor=actor, creating=True)
    if request.method == "POST" and form.is_valid():
        agency = form.cleaned_data.get("agency")
        try:
            endpoint = webhooks.webhook_endpoint_create(
                **_as_manager(actor),
                agency_id=agency.pk if agency is not None else int(actor.agency_id or 0),
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            adopt(form, error)
        else:
            return _secret_shown_once(request, endpoint, new=True)
    return render(
        request,
        "accounts/manage/webhooks/form.html",
        {"form": form, "endpoint": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _manager(request)
    endpoint = _endpoint(actor, pk)
    if request.method == "POST":
        form = WebhookEndpointForm(request.POST, actor=actor, creating=False)
        if form.is_valid():
            try:
                webhooks.webhook_endpoint_update(
                    **_as_manager(actor),
                    endpoint=endpoint,
                    expected_version=form.cleaned_data["version"],
                    events=form.cleaned_data["events"],
                    is_active=form.cleaned_data["is_active"],
                )
            except ValidationError as error:
                adopt(form, error)
            else:
                messages.success(request, _("The webhook is saved."))
                return redirect("manage-webhook", pk=endpoint.pk)
    else:
        form = WebhookEndpointForm(
            initial=WebhookEndpointForm.initial_of(endpoint), actor=actor, creating=False
        )
    deliveries = list(webhooks.webhook_deliveries(endpoint)[:RECENT_DELIVERIES])
    return render(
        request,
        "accounts/manage/webhooks/form.html",
        {
            "form": form,
            "endpoint": endpoint,
            "agency": _agency_names({endpoint.agency_id}).get(endpoint.agency_id, ""),
            "deliveries": [
                {
                    "delivery": delivery,
                    "failed": delivery.status in NOT_DELIVERED,
                    "may_redeliver": delivery.status != DeliveryStatus.PENDING,
                }
                for delivery in deliveries
            ],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def webhook_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _manager(request)
    endpoint = webhooks.webhook_endpoint_rotate_secret(
        **_as_manager(actor), endpoint=_endpoint(actor, pk)
    )
    return _secret_shown_once(request, endpoint, new=False)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A page that asks first, so that a phone's stray tap deletes nothing."""
    actor = _manager(request)
    endpoint = _endpoint(actor, pk)
    if request.method == "POST":
        webhooks.webhook_endpoint_delete(**_as_manager(actor), endpoint=endpoint)
        messages.success(request, _("The webhook is deleted: nothing more is sent to it."))
        return redirect("manage-webhooks")
    return render(request, "accounts/manage/webhooks/delete.html", {"endpoint": endpoint})


@login_required
@require_POST
def webhook_redeliver(request: HttpRequest, pk: int, delivery_id: uuid.UUID) -> HttpResponse:
    actor = _manager(request)
    endpoint = _endpoint(actor, pk)
    delivery = get_object_or_404(webhooks.webhook_deliveries(endpoint), delivery_id=delivery_id)
    try:
        webhooks.webhook_redeliver(**_as_manager(actor), delivery=delivery)
    except StateConflictError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The event is queued to be sent again."))
    return redirect("manage-webhook", pk=endpoint.pk)
