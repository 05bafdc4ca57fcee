"""My notifications page: newest first, each leading to its page, with marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications import outbox
from notifications.email import path_of
from notifications.models import NEXT_STEP

PAGE_SIZE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(outbox.notifications_of(int(request.user.pk or 0)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        (notification, path_of(notification), NEXT_STEP.get(notification.kind, ""))
        for notification in page.object_list
    ]
    return render(request, "notifications/list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks the notification read and goes to its page."""
    notification = outbox.notification_mark_read(
        user_id=int(request.user.pk or 0), notification_id=pk
    )
    if notification is None:
        raise Http404("No such notification.")
    return redirect(path_of(notification))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    outbox.notifications_mark_all_read(user_id=int(request.user.pk or 0))
    return redirect("notification-list-page")


def unread(request: HttpRequest) -> dict[str, int]:
    """Template context: the bell's number, for a signed-in person."""
    if not request.user.is_authenticated:
        return {}
    return {"unread_notifications": outbox.unread_count(int(request.user.pk or 0))}
