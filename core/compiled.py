"""Statements compiled once a process and run with each call's values.

Django turns a queryset into SQL each time it runs it: it builds the filters, resolves the
joins and compiles the columns again. The small statements that every list request runs with
one shape (a page's concern codes, family members and external ids, the caller's grants on
the page's cases) cost more to compile than to run: about half a millisecond of CPU each, a
tenth of a short list's Python.

A :class:`CompiledQuery` builds its queryset once, with stand-in values in place of the
call's, and keeps the SQL and the columns' converters. Each call binds its own values where
the stand-ins were, and returns the rows, or the model instances as Django builds them (with
their ``select_related`` rows). This holds on PostgreSQL only: there a list of ids is one
array parameter (``core.lookups``), so the statement's shape never depends on the values.
Elsewhere the queryset is built and run as usual on each call."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

from core.lookups import IdList
from core.rows import ColumnsWrittenAtOnce

# Values no caller passes: negative ids (sequences start at 1), within a 32-bit integer's
# range (Django leaves a lookup with a value beyond its field's range out of the SQL), and
# tagged strings.
_stand_in_numbers = count(-(2**31))
# Days of the first years of the era, which no one is scheduled on.
_stand_in_days = count(1)


def _sent(value: Any) -> Any:
    """The parameter the statement is given for ``value``: an IdList is sent as its text."""
    return value.array_text if isinstance(value, IdList) else value


def _stand_in(kind: type) -> Any:
    number = next(_stand_in_numbers)
    if kind is int:
        return number
    if kind is list:
        return [number]
    if kind is str:
        return f"\x1fstand-in {number}"
    if kind == list[str]:
        return [f"\x1fstand-in {number}"]
    if kind is IdList:
        return IdList([number])
    if kind is date:
        return date.fromordinal(next(_stand_in_days))
    raise TypeError(f"no stand-in for {kind} values")


@dataclass(frozen=True)
class _Built:
    """How a row becomes a model instance, as Django's ModelIterable makes it from the same
    compiler's columns: the model's columns, then the related rows and the annotations.
    ``model.from_db`` makes the instance of the columns ``attnames`` (see :func:`_names_for`)."""

    model: Any
    columns: tuple[int, int]
    attnames: Collection[str]
    populators: list[Any]
    annotations: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Each parameter of the statement: the name of a call's value, or a constant of the query.
    params: tuple[tuple[str | None, Any], ...]
    compiler: SQLCompiler
    converters: dict[int, Any]
    built: _Built | None


class CompiledQuery:
    """``build(**values)`` returns a queryset; ``kinds`` names each value's type (int, str,
    list of ids, list[str], IdList or date). ``rows(**values)`` runs the compiled statement of a
    ``values_list`` queryset (not flat) on the database the router reads the model from, and
    returns its rows; ``instances(**values)`` those of a queryset of model instances, with
    their annotations; ``subquery(**values)`` puts the statement in another one, as the right side
    of an ``__in`` filter."""

    def __init__(self, build: Callable[..., QuerySet[Any]], **kinds: Any) -> None:
        self._build = build
        self._kinds = kinds
        self._model: Any = None
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        alias = self._alias()
        if connections[alias].vendor != "postgresql":
            return list(self._build(**values))
        return self._run(alias, values)[1]

    def instances(self, **values: Any) -> list[Model]:
        alias = self._alias()
        if connections[alias].vendor != "postgresql":
            return list(self._build(**values))
        compiled, rows = self._run(alias, values)
        built = compiled.built
        if built is None:
            raise ValueError("instances() needs a queryset of model instances")
        start, end = built.columns
        make, populators, annotations = built.model.from_db, built.populators, built.annotations
        instances = []
        for row in rows:
            instance = make(alias, built.attnames, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances

    def subquery(self, **values: Any) -> Any:
        """The statement with the call's values, as a filter's right side: ``id__in=``. The
        outer queryset then carries it as text, neither built nor compiled again."""
        alias = self._alias()
        if connections[alias].vendor != "postgresql":
            return self._build(**values)
        compiled = self._compiled_for(alias)
        return RawSQL(compiled.sql, self._params(compiled, values))  # noqa: S611 - the ORM's SQL, values bound

    def _alias(self) -> str:
        if self._model is None:
            stand_ins = {name: _stand_in(kind) for name, kind in self._kinds.items()}
            self._model = self._build(**stand_ins).model
        return router.db_for_read(self._model)

    def _compiled_for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        return compiled

    @staticmethod
    def _params(compiled: _Compiled, values: dict[str, Any]) -> list[Any]:
        return [
            _sent(values[name]) if name is not None else constant
            for name, constant in compiled.params
        ]

    def _run(self, alias: str, values: dict[str, Any]) -> tuple[_Compiled, list[tuple[Any, ...]]]:
        compiled = self._compiled_for(alias)
        params = self._params(compiled, values)
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            converted = compiled.compiler.apply_converters(rows, compiled.converters)
            rows = [tuple(row) for row in converted]
        return compiled, rows

    def _compile(self, alias: str) -> _Compiled:
        stand_ins = {name: _stand_in(kind) for name, kind in self._kinds.items()}
        queryset = self._build(**stand_ins)
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, query_params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet) as error:
            # The lookup of a stand-in beyond its field's range (a small or positive integer
            # field) left the SQL: nothing to bind the call's value to.
            raise ValueError(f"a stand-in fell out of its field's range: {self._kinds}") from error
        params: list[tuple[str | None, Any]] = []
        found: set[str] = set()
        for param in query_params:
            name = next((name for name, value in stand_ins.items() if param == _sent(value)), None)
            params.append((name, None if name else param))
            if name is not None:
                found.add(name)
        missing = set(stand_ins) - found
        if missing:
            # The ORM transformed the value (an __in list spread into several parameters, a
            # string made a pattern): its place cannot be bound again.
            raise ValueError(f"values not bound as one parameter each: {sorted(missing)}")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        return _Compiled(
            sql,
            tuple(params),
            compiler,
            compiler.get_converters(fields),
            _built(compiler, alias),
        )


def _built(compiler: SQLCompiler, alias: str) -> _Built | None:
    info = compiler.klass_info
    if info is None:
        return None  # a values_list
    start, end = info["select_fields"][0], info["select_fields"][-1] + 1
    # Django 5.2's signature; the stubs follow a later release.
    populators = get_related_populators(info, compiler.select, alias)  # type: ignore[call-arg]
    _names_as_made(populators)
    model = info["model"]
    return _Built(
        model=model,
        columns=(start, end),
        attnames=_names_for(
            model, [column[0].target.attname for column in compiler.select[start:end]]
        ),
        populators=populators,
        annotations=tuple(compiler.annotation_col_map.items()),
    )


def _names_as_made(populators: list[Any]) -> None:
    """Each related model's column names given as the main model's are (:func:`_names_for`).
    A populator keeps nothing of a row: once made, it serves every call."""
    for populator in populators:
        populator.init_list = _names_for(populator.model_cls, populator.init_list)
        _names_as_made(populator.related_populators)


def _names_for(model: type[Model], attnames: Sequence[str]) -> Collection[str]:
    """The names of the columns read that ``model.from_db`` is given: in order for a model
    that writes them at once (core.rows.ColumnsWrittenAtOnce); as a set for others, whose
    ``from_db`` (Django's) tests each field's name against them, for every row, when some
    columns are deferred."""
    if issubclass(model, ColumnsWrittenAtOnce):
        return tuple(attnames)
    return frozenset(attnames)
