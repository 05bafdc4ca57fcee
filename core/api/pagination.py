import re
from typing import Any, cast

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.pagination import JoinsAfterPaginator, KeysFirstPaginator, LookAheadPaginator

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class StandardPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` from 1 to 200, anything
    else refused (400) rather than silently replaced by another size. ``count`` is given on the
    last page only, null before it (core.pagination): follow ``next``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = "A page number, from 1; a page past the end answers 404."
    page_size_query_description = "Rows a page, from 1 to 200; any other value answers 400."
    django_paginator_class = LookAheadPaginator
    last_page_strings = ()  # the last page is not known without counting the list

    def get_page_size(self, request: Request) -> int:
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        if not _WHOLE_NUMBER.fullmatch(asked) or not 1 <= int(asked) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Ask for a whole number of rows from 1 to %(maximum)d.")
                        % {"maximum": self.max_page_size}
                    ]
                }
            )
        return int(asked)

    def get_paginated_response(self, data: Any) -> Response:
        paginator = cast(LookAheadPaginator, self.page.paginator)  # type: ignore[union-attr]
        return Response(
            {
                "count": paginator.count if paginator.count_is_exact else None,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {
                "minimum": 1,
                "maximum": self.max_page_size,
                "default": self.page_size,
            },
        }
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": "The number of results, on the last page (where `next` is null); "
            "null on the pages before it, since counting a national list would cost more than "
            "the page.",
        }
        return paginated


class KeysFirstPagination(StandardPagination):
    """The same pages, their rows' keys read first (core.pagination.KeysFirstPaginator): for
    lists no index gives in order, such as a search's matches."""

    django_paginator_class = KeysFirstPaginator


class JoinsAfterPagination(StandardPagination):
    """The same pages, cut before their rows' related rows are joined
    (core.pagination.JoinsAfterPaginator)."""

    django_paginator_class = JoinsAfterPaginator
