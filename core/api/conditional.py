"""Optimistic concurrency for edits: responses carry an ``ETag`` of the object's representation,
and a ``PATCH`` with ``If-Match`` is refused with 412 when somebody changed the object since.

The view locks the row, compares, writes and answers inside one transaction, so two editors
holding the same ETag cannot both win.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object changed since you read it: read it again, then retry."
    default_code = "precondition_failed"


def etag_of(representation: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(
        json.dumps(representation, sort_keys=True, cls=DjangoJSONEncoder).encode()
    ).hexdigest()
    return f'"{digest[:32]}"'


def check_if_match(request: Request, representation: Mapping[str, Any]) -> None:
    """Raises PreconditionFailed when ``If-Match`` names none of the current ETag (``*`` and no
    header at all let the write through)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return
    offered = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if etag_of(representation) not in offered:
        raise PreconditionFailed()


def with_etag(response: Response) -> Response:
    response["ETag"] = etag_of(response.data)
    return response
