from typing import Any, cast

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.pagination import LookAheadPaginator


class StandardPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` up to 200. ``count`` is
    given on the last page only, null before it (core.pagination): follow ``next``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = LookAheadPaginator
    last_page_strings = ()  # the last page is not known without counting the list

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
