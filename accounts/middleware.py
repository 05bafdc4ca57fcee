"""A person whose account holds a temporary password (an admin gave it) chooses their own
before anything else: every page leads to the password page until they have."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """After the authentication middleware. The password page itself, signing out, the
    language switch, static files and the API (its token endpoint refuses such a person
    itself) stay open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def _open_paths(self) -> tuple[str, ...]:
        if self._open is None:  # the URLconf is not loaded yet when the middleware is built
            static = settings.STATIC_URL or "/static/"
            self._open = (
                reverse("password-change"),
                reverse("logout"),
                reverse("set_language"),
                static if static.startswith("/") else f"/{static}",
                "/api/",
            )
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The address first: the open ones (the API among them) never load the user for this.
        user = getattr(request, "user", None)
        if (
            not request.path_info.startswith(self._open_paths())
            and user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
        ):
            target = reverse("password-change")
            if request.headers.get("HX-Request"):
                # A page part fetched by htmx: the whole page goes to the password form.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)
