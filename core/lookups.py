"""``field__any_of=[values]``: membership in a list of ids (or texts) passed as one parameter.

``__in`` prepares and binds each id on its own; for the hundreds of ids of a supervisor's team
(cases.policy reads them first beside a territory) that was several milliseconds of Python per
request. On PostgreSQL the list goes as one array, ``field = ANY(%s)``; elsewhere it is spelt
out as ``IN``.

A long list read from the database (the thousands of children a common name finds) is given
as :class:`IdList`: the ORM walks a plain list's every item when it adds the filter, and the
driver again, in Python, when it sends it; an IdList is written once, as PostgreSQL's text of
an array, and sent as one string."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Lookup
from django.db.models.sql.compiler import SQLCompiler


class IdList:
    """Ids for ``__any_of``, kept whole: not a list, so that the ORM leaves it as it is."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.ids = list(map(int, ids))

    @cached_property
    def array_text(self) -> str:
        return "{" + ",".join(map(str, self.ids)) + "}"

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"IdList({len(self.ids)} ids)"


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            if isinstance(self.rhs, IdList):
                # Cast to the column's own type, so the comparison is the index's.
                array_type = self.lhs.output_field.db_type(connection)
                return f"{lhs} = ANY(%s::{array_type}[])", [*lhs_params, self.rhs.array_text]
            return f"{lhs} = ANY(%s)", [*lhs_params, self._values()]
        values = self._values()
        if not values:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]

    def _values(self) -> list[Any]:
        if isinstance(self.rhs, IdList):
            return self.rhs.ids
        # Texts (permission codenames, place paths) as they are, ids as integers.
        prepare = str if isinstance(self.lhs.output_field, CharField) else int
        return [prepare(value) for value in self.rhs]
