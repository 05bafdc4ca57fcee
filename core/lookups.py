"""``field__any_of=[values]``: membership in a list of ids (or texts) passed as one parameter.

``__in`` prepares and binds each id on its own; for the hundreds of ids of a supervisor's team
(cases.policy reads them first beside a territory) that was several milliseconds of Python per
request. On PostgreSQL the list goes as one array, ``field = ANY(%s)``; elsewhere it is spelt
out as ``IN``."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Lookup
from django.db.models.sql.compiler import SQLCompiler


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Texts (permission codenames, place paths) as they are, ids as integers.
        prepare = str if isinstance(self.lhs.output_field, CharField) else int
        values = [prepare(value) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
