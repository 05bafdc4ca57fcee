"""List endpoints that show children's details record each page they answer as a reading of
the cases on it (cases.services.case.case_record_list_read)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from accounts.api.authentication import actor_of
from cases.services.case import case_record_list_read


class RecordsListReads:
    """For a DRF list view: ``list_read`` names the list in the trail; each row's case is its
    ``case_id`` (the case's own ``pk`` for the case list)."""

    list_read: str
    request: Any

    def paginate_queryset(self, queryset: QuerySet[Any] | Sequence[Any]) -> list[Any] | None:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        rows = list(page) if page is not None else []
        case_record_list_read(
            actor=actor_of(self.request),
            what=self.list_read,
            query=self.request.query_params.dict(),
            case_ids=[getattr(row, "case_id", row.pk) for row in rows],
        )
        return page
