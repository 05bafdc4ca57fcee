"""The OpenAPI schema says what the server sends: refusals and headers as well as successes.

drf-spectacular describes an operation's success from its serializers. :class:`AutoSchema` adds
to each operation the refusals it can give and the headers it reads and sends, derived from the
view: its method, path and query parameters, request body, permissions and throttles, and the
marks its handler carries for what only its code shows (reading ``If-Match``, replaying an
``Idempotency-Key``, sending an ``ETag``, refusing some roles a read, looking up an object the
path does not name, signing in).

Every refusal's body is one of two components, as core.api.exceptions shapes them: ``Error``
(``detail``, and a ``code`` where one is sent) and ``ValidationError`` (the refused fields, each
with its messages, nested as the input is).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated

from core.api.pagination import StandardPagination
from core.idempotency import HEADER as IDEMPOTENCY_KEY
from core.idempotency import MAX_KEY_LENGTH
from core.ids import ID_REGEX

F = TypeVar("F", bound=Callable[..., Any])

# --- Marks on view handlers ---------------------------------------------------------------------

MARKS_ATTRIBUTE = "openapi_marks"
IF_MATCH = "if_match"
ETAG = "etag"
IDEMPOTENT = "idempotent"
REFUSES_ROLES = "refuses_roles"
SIGNS_IN = "signs_in"
NOT_FOUND = "not_found"


def _mark(handler: F, *marks: str) -> F:
    setattr(handler, MARKS_ATTRIBUTE, getattr(handler, MARKS_ATTRIBUTE, frozenset()) | set(marks))
    return handler


def marks_of(handler: Callable[..., Any] | None) -> frozenset[str]:
    return frozenset(getattr(handler, MARKS_ATTRIBUTE, frozenset()))


def honours_if_match(handler: F) -> F:
    """The handler passes ``If-Match`` to its service as ``expected_version`` (412 when the
    object changed since) and answers with the object's new ``ETag``."""
    return _mark(handler, IF_MATCH, ETAG)


def sends_etag(handler: F) -> F:
    """The handler answers with the ``ETag`` of the object it shows."""
    return _mark(handler, ETAG)


def idempotent_creation(handler: F) -> F:
    """The handler creates through core.idempotency.idempotent: an ``Idempotency-Key`` replays
    the first answer (``Idempotent-Replayed``), or answers 409 with ``Retry-After`` while the
    first request is still being processed."""
    return _mark(handler, IDEMPOTENT)


def refuses_roles(handler: F) -> F:
    """A read that answers 403 to the roles it is not for, though no permission class says so
    (the selector refuses)."""
    return _mark(handler, REFUSES_ROLES)


def answers_not_found(handler: F) -> F:
    """The handler looks up an object its path names no id of (the case a body names, the one
    current instrument), and answers 404 when that is missing or out of the caller's reach."""
    return _mark(handler, NOT_FOUND)


def signs_in(handler: F) -> F:
    """A sign-in: failed attempts count towards the account lockout, which answers 429."""
    return _mark(handler, SIGNS_IN)


# --- Components ---------------------------------------------------------------------------------

_SCHEMAS = "#/components/schemas/"
ERROR = "Error"
VALIDATION_ERROR = "ValidationError"

COMPONENTS: dict[str, dict[str, Any]] = {
    ERROR: {
        "type": "object",
        "description": "A refusal that is not about the input's fields.",
        "properties": {
            "detail": {"type": "string", "description": "Why, in the reader's language."},
            "code": {
                "type": "string",
                "description": "A stable name of the reason, where one is sent "
                "(`account_locked` on 429).",
            },
        },
        "required": ["detail"],
    },
    VALIDATION_ERROR: {
        "type": "object",
        "description": "The refused input: each field with its messages (`non_field_errors` for "
        "a rule between fields). A nested object's errors are an object of the same shape; a "
        "list's are a list (one object per item, empty for an item without errors) or an object "
        "keyed by the item's position.",
        "additionalProperties": {
            "anyOf": [
                {
                    "type": "array",
                    "items": {"anyOf": [{"type": "string"}, {"$ref": _SCHEMAS + VALIDATION_ERROR}]},
                },
                {"$ref": _SCHEMAS + VALIDATION_ERROR},
            ]
        },
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _SCHEMAS + name}


_INVALID_INPUT = {"oneOf": [_ref(VALIDATION_ERROR), _ref(ERROR)]}

_REFUSALS: dict[str, tuple[dict[str, Any], str]] = {
    "400": (
        _INVALID_INPUT,
        "Invalid input; nothing was saved. The refused fields (`ValidationError`), or an `Error` "
        "for a body that cannot be read (malformed JSON, nested too deep) or a NUL character in "
        "the address.",
    ),
    "401": (_ref(ERROR), "No credentials, or an unknown, expired or revoked token."),
    "403": (
        _ref(ERROR),
        "Signed in, but this is not for you: your role, your part in the case, or the section "
        "of the case you would read (or, signed in by session, a missing CSRF token).",
    ),
    "404": (
        _ref(ERROR),
        "No such object, or one outside your reach (the same answer); on a list, a page that "
        "does not exist.",
    ),
    "409": (
        _ref(ERROR),
        "The object's state does not allow this now, or a request saved a clashing record at "
        "the same moment; with `Retry-After`, a request with the same `Idempotency-Key` is "
        "still being processed.",
    ),
    "412": (
        _ref(ERROR),
        "The object changed since the version your `If-Match` names; nothing was saved.",
    ),
    "415": (_ref(ERROR), "The body is not `application/json`."),
    "429": (
        _ref(ERROR),
        "Too many attempts: the account is locked after repeated failed sign-ins (`code` "
        "`account_locked`). Wait `Retry-After` seconds.",
    ),
}

# --- Headers ------------------------------------------------------------------------------------

_SUCCESS = ["200", "201", "204"]

REQUEST_ID = OpenApiParameter(
    "X-Request-ID",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Your id for this request (8 to 64 letters, digits, `.`, `_` or `-`), kept "
    "in the audit trail and the logs and sent back; any other value is replaced by a new id.",
)
REQUEST_ID_SENT = OpenApiParameter(
    "X-Request-ID",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The id of this request in the audit trail and the logs: quote it when you "
    "report a problem.",
    response=True,
)
IF_MATCH_READ = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The `ETag` you read: the change is refused (412) if the object changed since. "
    "Without it, the last write wins.",
)
ETAG_SENT = OpenApiParameter(
    "ETag",
    {"type": "string", "pattern": r'^"[0-9]+-[0-9]+"$'},
    OpenApiParameter.HEADER,
    description="The object's version, to send back as `If-Match` when you change it.",
    response=_SUCCESS,
)
IDEMPOTENCY_KEY_READ = OpenApiParameter(
    IDEMPOTENCY_KEY,
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    OpenApiParameter.HEADER,
    description="A key new for each thing you mean to create (a UUID): a retry with the same "
    "key and body gets the first answer back instead of creating twice.",
)
REPLAYED_SENT = OpenApiParameter(
    "Idempotent-Replayed",
    {"type": "string", "enum": ["true"]},
    OpenApiParameter.HEADER,
    description="Present when this is the first answer to an earlier request with the same "
    "`Idempotency-Key`, replayed.",
    response=_SUCCESS,
)
RETRY_AFTER_LOCKED = OpenApiParameter(
    "Retry-After",
    {"type": "integer", "minimum": 0},
    OpenApiParameter.HEADER,
    required=True,
    description="Seconds to wait before trying again.",
    response=["429"],
)
RETRY_AFTER_IN_PROGRESS = OpenApiParameter(
    "Retry-After",
    {"type": "integer", "minimum": 0},
    OpenApiParameter.HEADER,
    description="Present when a request with the same `Idempotency-Key` is still being "
    "processed: ask again after this many seconds for its answer.",
    response=["409"],
)
AUTHENTICATE_SENT = OpenApiParameter(
    "WWW-Authenticate",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="How to authenticate: a bearer token.",
    response=["401"],
)

# A case's parts are read through the case's one door, which refuses (403) a section of the
# case that is not open to the caller, and what the caller's part in the case does not include.
_UNDER_A_CASE = re.compile(r"/cases/\{[^}]+\}/.")


# An id in a path is read as digits (core.ids.ID_REGEX, so that no text reaches a query as an
# id); to a client it is the object's integer id, as the case routes declare it.
_ID_IN_PATH = {"type": "string", "pattern": f"^{ID_REGEX}$"}
_ID_PARAMETER = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}


class AutoSchema(openapi.AutoSchema):
    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"] == _ID_IN_PATH:
                parameter["schema"] = dict(_ID_PARAMETER)
        return parameters

    def get_description(self) -> str:  # type: ignore[override]
        """A handler's own docstring; a viewset's docstring describes its collection, so only
        its list says it again (not each of its operations)."""
        own = get_doc(self._handler())
        action = getattr(self.view, "action", None)
        if own or action not in (None, "list"):
            return own
        return get_doc(self.view.__class__)

    def _handler(self) -> Callable[..., Any] | None:
        name = getattr(self.view, "action", None) or self.method.lower()
        return getattr(self.view, name, None)

    def _marks(self) -> frozenset[str]:
        return marks_of(self._handler())

    def get_override_parameters(self) -> list[Any]:
        marks = self._marks()
        parameters = [*super().get_override_parameters(), REQUEST_ID, REQUEST_ID_SENT]
        if IF_MATCH in marks:
            parameters.append(IF_MATCH_READ)
        if ETAG in marks:
            parameters.append(ETAG_SENT)
        if IDEMPOTENT in marks:
            parameters += [IDEMPOTENCY_KEY_READ, REPLAYED_SENT, RETRY_AFTER_IN_PROGRESS]
        if self._authenticated():
            parameters.append(AUTHENTICATE_SENT)
        if self._limited():
            parameters.append(RETRY_AFTER_LOCKED)
        return parameters

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for name, schema in COMPONENTS.items():
            self.registry.register_on_missing(
                ResolvedComponent(name, ResolvedComponent.SCHEMA, schema=schema, object=name)
            )
        responses = operation["responses"]
        for code in self._refusal_codes(operation):
            body, description = _REFUSALS[code]
            responses.setdefault(
                code, self._get_response_for_code(OpenApiResponse(body, description), code)
            )
        for code, response in responses.items():
            # The answers drf-spectacular writes without asking for headers (a DELETE's 204).
            response.setdefault("headers", self._get_response_headers_for_code(code))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _authenticated(self) -> bool:
        return not any(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _limited(self) -> bool:
        return bool(self.view.get_throttles()) or SIGNS_IN in self._marks()

    def _refusal_codes(self, operation: dict[str, Any]) -> Sequence[str]:
        marks = self._marks()
        writes = self.method not in SAFE_METHODS
        has_body = "requestBody" in operation
        located = {p["in"] for p in operation.get("parameters", [])}
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        authenticated = self._authenticated()
        gated = any(
            not isinstance(p, (AllowAny, IsAuthenticated)) for p in self.view.get_permissions()
        )
        refusals = {
            # Input that is read, and so may be refused: a body, the path and the query.
            "400": has_body or bool(located & {"path", "query"}) or IDEMPOTENT in marks,
            "401": authenticated,
            # Writes check the person's right in their service (and, by session, CSRF).
            "403": authenticated
            and (
                writes or gated or REFUSES_ROLES in marks or bool(_UNDER_A_CASE.search(self.path))
            ),
            "404": "path" in located
            or StandardPagination.page_query_param in query
            or NOT_FOUND in marks,
            "409": authenticated and writes,
            "412": IF_MATCH in marks,
            "415": has_body,
            "429": self._limited(),
        }
        return [code for code, given in refusals.items() if given]
