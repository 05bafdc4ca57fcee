"""Plans that cannot flip: the query plans of the main lists, read with EXPLAIN ANALYZE on the
generated dataset once its statistics are fresh. A list that reads a large share of the cases
or referrals table, or scans it whole, is what a flipped plan looks like: it answers correctly,
in a time that grows with the country instead of with the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.http import HttpResponseBase
from django.test.utils import CaptureQueriesContext

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


def tables_read(sql: str) -> dict[str, TableRead]:
    """Runs ``sql`` under EXPLAIN ANALYZE and adds up what its scans of each watched table read
    (the rows they kept and those their filters removed, on every loop)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (document,) = cursor.fetchone()
    reads = dict.fromkeys(WATCHED_TABLES, TableRead())
    for node in _nodes(document[0]["Plan"]):
        table = node.get("Relation Name")
        if table not in reads:
            continue
        loops = node.get("Actual Loops", 1)
        rows = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
        reads[table] += TableRead(rows, node["Node Type"] == "Seq Scan")
    return reads


def plan_of(request: Callable[[], HttpResponseBase]) -> dict[str, TableRead]:
    """What the statements of one request read of each watched table, all together."""
    with CaptureQueriesContext(connection) as queries:
        response = request()
    if response.status_code != 200:
        raise AssertionError(f"HTTP {response.status_code}")
    total = dict.fromkeys(WATCHED_TABLES, TableRead())
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.startswith(("SELECT", "(SELECT")) and any(f'"{t}"' in sql for t in WATCHED_TABLES):
            for table, read in tables_read(sql).items():
                total[table] += read
    return total
