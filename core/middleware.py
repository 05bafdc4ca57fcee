"""Answers that every page shares, so none fails as a server error.

A NUL character in a request's path or query string is a 400, once for every page and
endpoint: PostgreSQL refuses NUL in text, so any filter, search or lookup that passed one on
would fail. (The API's parsers refuse it in request bodies; the web forms' fields refuse it in
theirs.) A page whose action the object's state or version refuses is a 409 or 412."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.errors import StaleVersionError, StateConflictError

NUL = "\x00"
API_PREFIX = "/api/"


def has_nul(request: HttpRequest) -> bool:
    return NUL in request.path_info or any(
        NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()
    )


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not has_nul(request):
            return self.get_response(request)
        message = _("The address contains a NUL character, which no page or field accepts.")
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class ConflictPageMiddleware:
    """A page whose action the object's state or version refuses (a service's
    StateConflictError, StaleVersionError) answers 409 or 412 with the reason, as the API does,
    rather than a server error; a page that can do better catches them itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, StateConflictError):
            message, status = str(exception), 409
        elif isinstance(exception, StaleVersionError):
            message = _(
                "Someone else changed this after you opened it, so nothing was saved. Open it "
                "again to see it as it is now."
            )
            status = 412
        else:
            return None
        return render(request, "conflict.html", {"message": message}, status=status)
