"""Pages that never count the whole list.

Counting every case a national supervisor sees, or every visit due in a province, is a walk
of all of them (and a join per row) on every page: far more than the page itself, which the
database reads from an index in order and stops at its end. So a page fetches one row more
than it shows, to know whether another follows; the total is known, and shown, once the last
page is reached, and until then it is "more than the rows so far". The API's pagination and
the web pages share this paginator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, overload

from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet

Row = TypeVar("Row")


class ReadByWindows(Sequence[Row]):
    """A list read a window at a time (a page, and the row past it), never whole: an index
    is a window of one. Subclasses read a window in :meth:`between`."""

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        if index.stop is None or index.step is not None:
            raise ValueError("Only a bounded window of the list is read.")
        return self.between(index.start or 0, index.stop)

    def between(self, start: int, stop: int) -> list[Row]:
        raise NotImplementedError


class LookAheadPage(Page):
    """A page that knows whether another follows from the row fetched past its end."""

    def __init__(
        self, object_list: Sequence[Any], number: int, paginator: Paginator, *, has_more: bool
    ) -> None:
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def start_index(self) -> int:
        if not self.object_list:
            return 0
        return self.paginator.per_page * (self.number - 1) + 1

    def end_index(self) -> int:
        return self.paginator.per_page * (self.number - 1) + len(self.object_list)


# Far past any list the service holds, and far below the database's largest OFFSET: a page
# number that would start beyond it is a page that does not exist, not an overflow.
MAX_OFFSET = 10_000_000


class LookAheadPaginator(Paginator):
    """``count`` is the number of rows when ``count_is_exact`` (the last page was read), and
    otherwise the rows up to the end of the page read, which there are more than."""

    count_is_exact = False
    read_to = 0

    @property
    def count(self) -> int:
        return self.read_to

    @property
    def num_pages(self) -> int:
        """The pages known so far (one more while another follows)."""
        pages = -(-self.read_to // self.per_page) if self.read_to else 1
        return pages if self.count_is_exact else pages + 1

    def validate_number(self, number: Any) -> int:
        try:
            valid = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if valid < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (valid - 1) * self.per_page > MAX_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        return valid

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self._rows(bottom, bottom + self.per_page + 1)
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        has_more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        self.read_to, self.count_is_exact = bottom + len(rows), not has_more
        return LookAheadPage(rows, number, self, has_more=has_more)

    def get_page(self, number: Any) -> Page:
        """Like Django's, but a page that cannot be had is the first."""
        try:
            return self.page(number)
        except InvalidPage:
            return self.page(1)

    def _rows(self, bottom: int, top: int) -> list[Any]:
        return list(self.object_list[bottom:top])


class KeysFirstPaginator(LookAheadPaginator):
    """Reads the keys of a page's rows first, then those rows with what they join.

    For lists whose rows no index gives in their order (the cases matching a search: up to
    5,000 children's cases, in order of registration), the database sorts every match. Joined
    first to the child and the place, as the page's rows are, that sort costs three times what
    sorting the keys alone does (38 against 14 ms for a common name at a million cases). The
    page's rows are then read by key: only keys the list's filters let through, access
    included, are read."""

    def _rows(self, bottom: int, top: int) -> list[Any]:
        listed = self.object_list
        if not isinstance(listed, QuerySet):
            return super()._rows(bottom, top)
        keys = list(listed.values_list("pk", flat=True)[bottom:top])
        rows = listed.order_by()
        if not listed.query.annotations:
            # By key alone, with the same joins and columns: the keys have passed the list's
            # filters, and the planner, given them again, may read their indexes again.
            rows = listed.model._base_manager.order_by()
            rows.query.select_related = listed.query.select_related
            rows.query.deferred_loading = listed.query.deferred_loading
        by_key = rows.in_bulk(keys)
        return [by_key[key] for key in keys if key in by_key]


class JoinsAfterPaginator(LookAheadPaginator):
    """Cuts the page before joining its rows' related rows: the page's keys are a subquery
    of the same statement, and only its rows are read whole, with what they join.

    A list drawn from a set of ids (a social worker's own and granted cases) reads each of
    them to test it and sort it; joined first to the child, PostgreSQL read a child for every
    case that passed (471 for a page of 51: a third of the statement). A list read in index
    order (a territory's, newest first) stops at the page's end either way."""

    def _rows(self, bottom: int, top: int) -> list[Any]:
        listed = self.object_list
        if not isinstance(listed, QuerySet) or listed.query.annotations:
            return super()._rows(bottom, top)
        return list(joined_after(listed, bottom, top))


def joined_after(listed: QuerySet[Any], bottom: int, top: int) -> QuerySet[Any]:
    """The rows ``bottom`` to ``top`` of ``listed`` (a queryset without annotations), their
    keys cut in a subquery before the related rows are joined (:class:`JoinsAfterPaginator`)."""
    ordering = listed.query.order_by or listed.model._meta.ordering
    keys = listed.select_related(None).order_by(*ordering).values("pk")[bottom:top]
    # The keys have passed the list's filters, its access included.
    rows = listed.model._base_manager.filter(pk__in=keys).order_by(*ordering)
    rows.query.select_related = listed.query.select_related
    rows.query.deferred_loading = listed.query.deferred_loading
    return rows
