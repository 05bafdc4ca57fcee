"""Paging the changed-cases list (``GET /api/v1/cases/?updated_since=``) by keyset on
``(updated_at, id)``: each ``next`` link carries the last pair seen, and the next page starts
after it. A case changed while a partner pages moves to the end of the list (it is seen again:
it changed); none is skipped, whatever changes between two pages, which page numbers over a
moving list could not promise."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from cases.models import Case
from core.api.pagination import StandardPagination

CURSOR_PARAM = "cursor"
SYNC_PARAM = "updated_since"


def _encode(case: Case) -> str:
    raw = f"{case.updated_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    refusal = ValidationError({CURSOR_PARAM: [_("Use the cursor of a next link as it is given.")]})
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _bar, pk = raw.rpartition("|")
        after, after_pk = datetime.fromisoformat(moment), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise refusal from error
    if after.tzinfo is None:
        raise refusal
    return after, after_pk


class UpdatedSincePagination(BasePagination):
    """``{"count": null, "next", "previous": null, "results"}``: the shape of the other
    lists, with ``next`` carrying the cursor; ``page_size`` as for them."""

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any]:
        self.request = request
        size = StandardPagination().get_page_size(request)
        # The case list's queryset, never a plain list.
        cases = cast(QuerySet[Case], queryset).order_by("updated_at", "id")
        cursor = request.query_params.get(CURSOR_PARAM)
        if cursor:
            moment, pk = _decode(cursor)
            cases = cases.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
        rows = list(cases[: size + 1])
        self.last = rows[size - 1] if len(rows) > size else None
        return rows[:size]

    def get_next_link(self) -> str | None:
        if self.last is None:
            return None
        return replace_query_param(
            self.request.build_absolute_uri(), CURSOR_PARAM, _encode(self.last)
        )

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"count": None, "next": self.get_next_link(), "previous": None, "results": data}
        )
