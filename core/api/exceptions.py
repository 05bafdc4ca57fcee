"""One error shape for the API: field errors as ``{"field": ["message"]}``, others as
``{"detail": ...}``. Validation raised by models and services (Django's ValidationError) is a
400 with the same shape as a serializer's, never a 500; an address under the API that names no
endpoint is a 404 of the same shape, not the site's page, and a failure a 500 of that shape.
core.api.schema declares the shapes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.api.conditional import PreconditionFailed
from core.errors import StaleVersionError, StateConflictError
from core.middleware import API_PREFIX


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's state does not allow this action."
    default_code = "conflict"


class RequestInProgress(Conflict):
    """A retry of a creation whose first request, with the same ``Idempotency-Key``, has not
    answered yet (core.idempotency); ``Retry-After`` (DRF sends ``wait`` as it) says when to
    ask again for its answer."""

    default_detail = (
        "A request with this Idempotency-Key is still being processed: retry in a moment to "
        "get its answer."
    )
    default_code = "request_in_progress"
    wait = 1  # seconds: a creation takes well under one


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StateConflictError):
        exc = Conflict(str(exc) or Conflict.default_detail)
    if isinstance(exc, StaleVersionError):
        exc = PreconditionFailed()
    if isinstance(exc, IntegrityError):
        # Validation ran, but a concurrent request saved a clashing row (the same username, the
        # same name) first; the transaction has rolled back and nothing of this one is saved.
        exc = Conflict("This conflicts with a record saved at the same moment: read, then retry.")
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 (``handler404``): under the API, the body its views give a missing object,
    since a client reads JSON there; elsewhere, the page."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 (``handler500``): JSON under the API, elsewhere the page. The page is
    rendered without the request's context, as Django's is: what failed may be the database
    the context processors read."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    return defaults.server_error(request)
