"""Plans that cannot flip: the query plans of the main lists, read with EXPLAIN ANALYZE on the
generated dataset once its statistics are fresh. A list that reads a large share of the cases
table, or scans it whole, is what a flipped plan looks like: it answers correctly, in a time
that grows with the country instead of with the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.http import HttpResponseBase
from django.test.utils import CaptureQueriesContext

from cases.models import Case

CASES_TABLE = Case._meta.db_table
# A page of a list may read at most this share of the cases to find its rows (a territory of a
# sixth of the country finds a page of fifty in a few hundred).
MOST_CASES_READ = 0.2


@dataclass(frozen=True)
class CasesRead:
    """How a statement read the cases table: rows read by its scans, and whether any of them
    was a sequential scan."""

    rows: int
    sequential: bool


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def cases_read(sql: str) -> CasesRead:
    """Runs ``sql`` under EXPLAIN ANALYZE and adds up what its scans of the cases table read
    (the rows they kept and those their filters removed, on every loop)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (document,) = cursor.fetchone()
    rows, sequential = 0, False
    for node in _nodes(document[0]["Plan"]):
        if node.get("Relation Name") != CASES_TABLE:
            continue
        loops = node.get("Actual Loops", 1)
        rows += (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
        sequential = sequential or node["Node Type"] == "Seq Scan"
    return CasesRead(rows=rows, sequential=sequential)


def plan_of(request: Callable[[], HttpResponseBase]) -> CasesRead:
    """What the statements of one request read of the cases table, all together."""
    with CaptureQueriesContext(connection) as queries:
        response = request()
    if response.status_code != 200:
        raise AssertionError(f"HTTP {response.status_code}")
    reads = [
        cases_read(query["sql"])
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and f'"{CASES_TABLE}"' in query["sql"]
    ]
    return CasesRead(
        rows=sum(read.rows for read in reads),
        sequential=any(read.sequential for read in reads),
    )
