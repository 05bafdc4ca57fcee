"""Receivers of Django's sign-in and sign-out signals: each session a person opens is listed
on their account page until it ends (see accounts.self_service)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest

from accounts import self_service
from accounts.models import User


def _opened(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and isinstance(user, User):
        self_service.session_opened(request=request, user=user)


def _closed(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None:
        self_service.session_closed(request=request)


def connect() -> None:
    user_logged_in.connect(_opened, dispatch_uid="accounts.session_opened")
    user_logged_out.connect(_closed, dispatch_uid="accounts.session_closed")
