"""Checks a real API answer against the OpenAPI schema the server publishes, strictly.

The schema is generated once, as ``/api/v1/schema/`` serves it. An answer is checked against the
schema its operation declares for its status code, with every component resolved and three
changes that make the check strict (in the test only, never in the published schema):

- OpenAPI 3.0's ``nullable: true`` becomes JSON Schema's ``null`` type, so null passes only where
  the schema allows it;
- every object schema that lists its properties refuses any other (``additionalProperties:
  false``), so a field sent but not declared fails;
- the formats the schema names (``date``, ``date-time`` with its offset, ``email``, ``uuid``,
  ``uri``) are checked, so a mistyped string fails too.

A status code the operation does not declare, or an answer that is not JSON where JSON is
declared, fails as well.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jsonschema
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

if TYPE_CHECKING:
    # The test client's response type exists only in the type stubs.
    from rest_framework.response import _MonkeyPatchedResponse as Response

JSON = "application/json"
# RFC 3339: the API promises times with their offset.
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The published schema, as the JSON a client downloads."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(document)))


def strict(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as a strict JSON Schema (see the module's docstring)."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {
        # Property names and literal values are data, not schemas: a property may be named
        # "nullable", an example may hold "properties".
        key: (
            {name: strict(value) for name, value in value.items()}
            if key == "properties"
            else value
            if key in {"enum", "required", "default", "example"}
            else strict(value)
        )
        for key, value in schema.items()
    }
    if "properties" in converted and "additionalProperties" not in converted:
        converted["additionalProperties"] = False
    if converted.pop("nullable", False):
        if "type" in converted and "enum" not in converted:
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _components() -> dict[str, Any]:
    return {"schemas": strict(openapi_document()["components"]["schemas"])}


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date", raises=ValueError)
    def is_date(value: object) -> bool:
        return not isinstance(value, str) or bool(
            DATE.fullmatch(value) and date.fromisoformat(value)
        )

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        return not isinstance(value, str) or bool(
            DATE_TIME.fullmatch(value) and datetime.fromisoformat(value.replace("Z", "+00:00"))
        )

    @checker.checks("email", raises=ValidationError)
    def is_email(value: object) -> bool:
        if isinstance(value, str):
            validate_email(value)
        return True

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(uuid.UUID(value))

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc) and value.isascii() and " " not in value

    return checker


def _template_of(method: str, path: str) -> str:
    """The schema's path template that ``path`` is an instance of; a literal segment wins over
    a parameter (``/referrals/queue/`` before ``/referrals/{id}/``)."""
    matches = []
    for template, operations in openapi_document()["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if method in operations and re.fullmatch(pattern, path):
            matches.append(template)
    assert matches, f"{method.upper()} {path} is not in the schema"
    return min(matches, key=lambda template: template.count("{"))


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    """The JSON schema of the answer, None where the operation declares no body."""
    method = method.lower()
    operation = openapi_document()["paths"][_template_of(method, path)][method]
    declared = operation["responses"]
    assert str(status) in declared, (
        f"{method.upper()} {path} answered {status}, which its operation does not declare "
        f"({', '.join(sorted(declared))})"
    )
    content = declared[str(status)].get("content")
    if not content:
        return None
    assert JSON in content, f"{method.upper()} {path} {status} is declared as {sorted(content)}"
    return dict(content[JSON]["schema"])


def check_answer(response: Response) -> Any:
    """Fails unless ``response`` is what the schema says its operation answers; returns the
    parsed body."""
    request = response.wsgi_request
    schema = response_schema(request.method or "GET", request.path, response.status_code)
    if schema is None:
        assert not response.content, f"{request.path} sent a body where none is declared"
        return None
    assert response["Content-Type"].startswith(JSON), response["Content-Type"]
    body = json.loads(response.content)
    validator = jsonschema.Draft4Validator(
        {"allOf": [strict(copy.deepcopy(schema))], "components": _components()},
        format_checker=_format_checker(),
    )
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    assert not errors, f"{request.method} {request.path} ({response.status_code}):\n" + "\n".join(
        f"- at {'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in errors
    )
    return body
