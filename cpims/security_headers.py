"""Headers that keep children's data out of caches and pages free of injected code.

- ``Cache-Control: no-store`` on every answer to a signed-in person and on every API answer: a
  case file must not stay in a shared computer's browser cache, nor in a proxy on the way.
- A strict ``Content-Security-Policy`` on HTML pages: scripts, styles, fonts and images from this
  site only, no inline code, no framing, forms posting only here. The templates carry no inline
  script or style (the behaviours are in ``cpims/static``), so an injected one does not run.

A view that sets either header itself keeps its own (a file served with a long cache lifetime,
the API documentation page that needs a looser policy). Static files never reach this
middleware: whitenoise answers them before it with their own caching headers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

API_PREFIX = "/api/"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class SecurityHeadersMiddleware:
    """Placed after the authentication middleware, so it knows whether the request is a signed-in
    person's (an API request authenticated by token is an API request anyway)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and (
            request.path_info.startswith(API_PREFIX) or _signed_in(request)
        ):
            # no-store, and the older headers that mean the same to old proxies and browsers.
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        if _is_html(response) and not response.has_header("Content-Security-Policy"):
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response
