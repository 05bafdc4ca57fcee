"""``ETag`` and ``If-Match`` for versioned objects (``core.versions``): the ETag names the object
and its version, and ``If-Match`` becomes the ``expected_version`` a service checks.
"""

from __future__ import annotations

import re

from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from core.versions import Versioned


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object changed since you read it: read it again, then retry."
    default_code = "precondition_failed"


def etag(obj: Versioned) -> str:
    return f'"{obj.pk}-{obj.version}"'


_VERSION_ETAG = re.compile(r'(?:W/)?"([0-9]+)-([0-9]+)"')


def expected_version(request: Request, pk: int | str) -> int | None:
    """The version of object ``pk`` that the caller's ``If-Match`` names (None without one, or
    with ``*``); a header naming no version of this object expects one that never exists, so the
    write is stale."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    for tag in header.split(","):
        match = _VERSION_ETAG.fullmatch(tag.strip())
        if match and match.group(1) == str(pk):
            return int(match.group(2))
    return 0  # versions start at 1
