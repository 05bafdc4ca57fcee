"""Rows bound for one table, written with COPY, and the bulk-load frame around them: secondary
indexes and foreign keys are taken off while the rows stream in and put back afterwards, which
both builds each index in one pass and checks every reference and unique key of the data."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Model
from psycopg import Cursor, sql

_MISSING = object()


class Table:
    """The rows generated for one model. ``add`` takes every column by field name (foreign keys
    by attname, ``child_id``): a column the model requires and the generator forgot, or a name
    the model does not have, fails at once rather than in the middle of a COPY."""

    def __init__(
        self, model: type[Model], fields: Sequence[str], defaults: dict[str, Any] | None = None
    ) -> None:
        self.model = model
        self.name = model._meta.db_table
        concrete = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [name for name in fields if name not in concrete]
        required = [
            name for name, field in concrete.items() if not field.null and name not in fields
        ]
        if unknown or required:
            raise ImproperlyConfigured(
                f"{self.name}: unknown fields {unknown}, required fields not generated {required}"
            )
        self.fields = tuple(fields)
        self.columns = tuple(str(concrete[name].column) for name in fields)
        self.defaults = dict(defaults or {})
        self._row_of = itemgetter(*self.fields)
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = 1
        self.written = 0

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, **values: Any) -> None:
        merged = {**self.defaults, **values}
        if len(merged) != len(self.fields):
            raise ImproperlyConfigured(
                f"{self.name}: unknown fields {set(merged) - set(self.fields)}"
            )
        self.rows.append(self._row_of(merged))

    def take(self) -> list[tuple[Any, ...]]:
        """The rows gathered so far, handed over (to be written by :func:`copy_rows`)."""
        rows, self.rows = self.rows, []
        self.written += len(rows)
        return rows

    def copy_statement(self) -> sql.Composed:
        columns: list[sql.Composable] = [sql.Identifier(column) for column in self.columns]
        return sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.name), sql.SQL(", ").join(columns)
        )


def copy_rows(
    cursor: Cursor[Any], batches: list[tuple[sql.Composed, list[tuple[Any, ...]]]]
) -> None:
    """Writes each batch of rows with one COPY."""
    for statement, rows in batches:
        if rows:
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)


def raw_cursor() -> Cursor[Any]:
    """A psycopg cursor on Django's connection (same transaction), for COPY and catalog SQL."""
    connection.ensure_connection()
    return connection.connection.cursor()


def start_ids(cursor: Cursor[Any], tables: Sequence[Table]) -> None:
    """Each table's ids continue after the rows it already has."""
    for table in tables:
        cursor.execute(
            sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table.name))
        )
        (last,) = cursor.fetchone() or (0,)
        table.next_id = last + 1


def reset_sequences(cursor: Cursor[Any], tables: Sequence[Table]) -> None:
    """Points each table's id sequence past the ids given here, so the application's own
    inserts continue after them."""
    for table in tables:
        cursor.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1, false) "
                "FROM {}"
            ).format(sql.Identifier(table.name)),
            [table.name],
        )


@contextmanager
def constraints_lifted(
    cursor: Cursor[Any], tables: Sequence[str], announce: Callable[[str], None]
) -> Iterator[None]:
    """Drops the foreign keys, unique constraints and secondary indexes of ``tables`` (primary
    keys and CHECK constraints stay, and check each row as it comes), runs the body, then
    recreates every one of them exactly as it was. Run inside a transaction: if anything
    fails, the schema comes back with the rollback."""
    # Checks deferred by earlier inserts of the transaction must run before a constraint they
    # belong to can be dropped; Django's foreign keys go back to deferred afterwards.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
        "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') "
        "ORDER BY contype, conrelid::regclass::text, conname",
        [list(tables)],
    )
    constraints = cursor.fetchall()  # foreign keys first, so unique keys can then go
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1",
        [list(tables)],
    )
    indexes = cursor.fetchall()
    for table, name, _definition, _kind in constraints:
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for name, _definition in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    for name, definition in indexes:
        announce(f"index {name}")
        cursor.execute(definition)
    for table, name, definition, _kind in reversed(constraints):  # unique keys, then references
        announce(f"constraint {name}")
        cursor.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
