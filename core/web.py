"""What every app's pages share: the signed-in person, the reader's language, date inputs, a
service's refusal placed beside the fields it names, and pages that answer htmx with a
fragment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

if TYPE_CHECKING:
    from accounts.models import User


def user_of(request: HttpRequest) -> User:
    """The signed-in person (the pages that call this require a sign-in)."""
    return cast("User", request.user)


def in_khmer() -> bool:
    return (get_language() or "").startswith("km")


def localized(english: str, khmer: str) -> str:
    """The reader's language where the data has it (configuration kept in both)."""
    return (khmer or english) if in_khmer() else (english or khmer)


class Named(Protocol):
    name_en: str
    name_km: str


def place_name(place: Named) -> str:
    return localized(place.name_en, place.name_km)


def adopt(
    form: forms.Form,
    error: ValidationError,
    *,
    prefix: str = "",
    aliases: dict[str, str] | None = None,
) -> None:
    """Shows a service's refusal beside the fields it names (``child.given_name`` beside
    ``given_name``; ``aliases`` names the field for a key the form spells differently); what
    names no field of the form goes on top of it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        field = (aliases or {}).get(key, key.removeprefix(prefix))
        form.add_error(field if field in form.fields else None, messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def wants_fragment(request: HttpRequest) -> bool:
    """htmx asks for a part of the page; its history restore asks for the whole page."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page(
    request: HttpRequest,
    full: str,
    fragment: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """The whole page, or only ``fragment`` when htmx asks for it."""
    response = render(
        request, fragment if wants_fragment(request) else full, context, status=status
    )
    # The same address answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
