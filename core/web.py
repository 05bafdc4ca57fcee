"""What every app's pages share: the signed-in person, the reader's language, date fields, a
service's refusal placed beside the fields it names, and pages that answer htmx with a
fragment."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any, Protocol, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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


# Dates are typed day first in both languages, as Cambodia writes them (dd/mm/yyyy); the
# formats read are the active language's DATE_INPUT_FORMATS (cpims/formats), the first of which
# is also how a date is shown in its input.
KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
# Eight digits alone: a phone's number pad may have no slash to type.
_DIGITS_ONLY = re.compile(r"^(\d{2})(\d{2})(\d{4})$")


def typed_date(text: str) -> str:
    """A typed date in the shape the input formats read: Khmer digits as Latin ones, spaces
    around it dropped, and ``25122026`` as ``25/12/2026``."""
    text = text.translate(KHMER_DIGITS).strip()
    return _DIGITS_ONLY.sub(r"\1/\2/\3", text)


class DateInput(forms.DateInput):
    """A text input, not the browser's date picker: that one shows the date in the phone's own
    order (month first on many), whatever the page's language."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "inputmode": "numeric",
                "placeholder": _("dd/mm/yyyy"),
                "autocomplete": "off",
                "size": 10,
                **(attrs or {}),
            }
        )


class DateField(forms.DateField):
    """A date typed as dd/mm/yyyy, yyyy-mm-dd or in Khmer digits; anything else is refused with
    the shape to type."""

    widget = DateInput
    default_error_messages = {
        "invalid": _("Enter the date as day/month/year, for example 25/12/2026."),
    }

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, str):
            value = typed_date(value)
        return super().to_python(value)


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
