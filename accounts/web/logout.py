"""Signing out also empties the browser of what the site kept in it: the follow-up pages and the
visits typed offline that the service worker and IndexedDB hold on a phone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

# The browser drops this site's HTTP cache and its storage: Cache Storage, IndexedDB, service
# workers. Cookies are left to the sign-out itself (the language cookie stays).
CLEAR_SITE_DATA = '"cache", "storage"'


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
