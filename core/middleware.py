"""Refuses a NUL character in a request's path or query string with a 400, once for every page
and endpoint: PostgreSQL refuses NUL in text, so any filter, search or lookup that passed one on
would fail as a server error. (The API's parsers refuse it in request bodies; the web forms'
fields refuse it in theirs.)"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

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
