"""Plans that cannot flip: the query plans of the main lists, read with EXPLAIN ANALYZE on the
generated dataset once its statistics are fresh. A list that reads a large share of the cases
or referrals table, or scans it whole, is what a flipped plan looks like: it answers correctly,
in a time that grows with the country instead of with the page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any, cast

import psycopg
from django.db import connection
from django.http import HttpResponseBase

from cases.models import Case
from referrals.models import Referral

# The large tables a list may be tempted to read whole: the cases, and the referrals (a
# provincial office sends and receives thousands).
WATCHED_TABLES = (Case._meta.db_table, Referral._meta.db_table)
# A page of a list may read at most this share of a watched table to find its rows (a
# territory of a sixth of the country finds a page of fifty in a few hundred).
MOST_ROWS_READ = 0.2


@dataclass(frozen=True)
class TableRead:
    """How statements read a table: rows read by their scans, and whether any of them was a
    sequential scan."""

    rows: int = 0
    sequential: bool = False

    def __add__(self, other: TableRead) -> TableRead:
        return TableRead(self.rows + other.rows, self.sequential or other.sequential)


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _numbered(sql: str) -> str:
    """Django's statement with PostgreSQL's numbered parameters, as a prepared statement has
    them."""
    numbers = count(1)
    return re.sub(r"%([s%])", lambda m: f"${next(numbers)}" if m[1] == "s" else "%", sql)


# PostgreSQL plans a prepared statement for its parameters this many times, then keeps a
# generic plan, made once for any parameters, when it costs no more than those did.
CUSTOM_PLANS = 5


def _explained(sql: str, params: Sequence[Any], *, prepared: bool) -> dict[str, Any]:
    """EXPLAIN ANALYZE of ``sql`` with ``params``: planned for these parameters, or
    (``prepared``) as a prepared statement runs after its first CUSTOM_PLANS runs, with the
    generic plan if PostgreSQL settled on one."""
    explain = "EXPLAIN (ANALYZE, FORMAT JSON) "
    # Parameters written into the text: EXECUTE takes no bound parameters.
    with psycopg.ClientCursor(connection.connection) as cursor:
        if not prepared:
            cursor.execute(explain + sql, params)
            return cast(dict[str, Any], cursor.fetchone()[0][0])  # type: ignore[index]
        execute = f"EXECUTE plan_check({', '.join(['%s'] * len(params))})"
        cursor.execute(f"PREPARE plan_check AS {_numbered(sql)}")
        try:
            for _run in range(CUSTOM_PLANS):
                cursor.execute(execute, params)
            cursor.execute(explain + execute, params)
            return cast(dict[str, Any], cursor.fetchone()[0][0])  # type: ignore[index]
        finally:
            cursor.execute("DEALLOCATE plan_check")


def tables_read(sql: str, params: Sequence[Any], *, prepared: bool) -> dict[str, TableRead]:
    """Runs ``sql`` under EXPLAIN ANALYZE and adds up what its scans of each watched table read
    (the rows they kept and those their filters removed, on every loop)."""
    reads = dict.fromkeys(WATCHED_TABLES, TableRead())
    for node in _nodes(_explained(sql, params, prepared=prepared)["Plan"]):
        table = node.get("Relation Name")
        if table not in reads:
            continue
        loops = node.get("Actual Loops", 1)
        rows = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
        reads[table] += TableRead(rows, node["Node Type"] == "Seq Scan")
    return reads


class _Statements:
    """The statements a request runs, with their parameters."""

    def __init__(self) -> None:
        self.run: list[tuple[str, Sequence[Any]]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.run.append((sql, params or ()))
        return execute(sql, params, many, context)


def plan_of(
    request: Callable[[], HttpResponseBase], *, prepared: bool = False
) -> dict[str, TableRead]:
    """What the statements of one request read of each watched table, all together: with the
    plans made for their parameters, or (``prepared``) with those PostgreSQL keeps for them
    once prepared, as the application's connections run them (cpims/settings.py)."""
    statements = _Statements()
    with connection.execute_wrapper(statements):
        response = request()
    if response.status_code != 200:
        raise AssertionError(f"HTTP {response.status_code}")
    total = dict.fromkeys(WATCHED_TABLES, TableRead())
    for sql, params in statements.run:
        if sql.startswith(("SELECT", "(SELECT")) and any(f'"{t}"' in sql for t in WATCHED_TABLES):
            for table, read in tables_read(sql, params, prepared=prepared).items():
                total[table] += read
    return total
