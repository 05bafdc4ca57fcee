"""The interface language: a signed-in person's choice is remembered on their account and
applied to every request, on any device; before signing in, the language cookie and the
browser's preference decide (Django's LocaleMiddleware)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.services import user_set_preferences

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


class PreferredLanguageMiddleware:
    """Activates the signed-in user's preferred language. Placed after the authentication
    middleware; LocaleMiddleware's answer stands for everybody without a preference."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        preferred = getattr(user, "preferred_language", "") if user is not None else ""
        if preferred in LANGUAGE_CODES and preferred != request.LANGUAGE_CODE:
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred
        return self.get_response(request)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie and redirect back), which also remembers the choice on
    the signed-in user's account."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in LANGUAGE_CODES:
        user_set_preferences(actor=request.user, preferred_language=language)
    return response
