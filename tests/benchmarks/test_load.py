"""The load benchmark on a tiny generated dataset: gunicorn with production settings and locust
really run, for a few seconds at one and two users. No timing is asserted (the machine decides
those); what is asserted is that load went through the server without an error and that every
figure of the report was measured."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

# Committed rows: the server the command starts reads them from its own connections. The
# migrations' rows (the gazetteer the dataset is drawn on, content types) are restored first
# and left as they were, like every transactional test of the suite.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_load_benchmark_serves_the_mixed_workload_through_gunicorn(tmp_path: Path) -> None:
    call_command(
        "generate_dataset",
        cases=300,
        seed="load",
        users=200,
        as_of=date(2026, 6, 30),
        stdout=io.StringIO(),
    )
    output = io.StringIO()
    call_command(
        "benchmark_load",
        users=[1, 2],
        seconds=3,
        warmup=1,
        workers=2,
        output=tmp_path / "load",
        stdout=output,
    )

    report = json.loads((tmp_path / "load.json").read_text(encoding="utf-8"))
    assert (tmp_path / "load.md").read_text(encoding="utf-8") in output.getvalue()
    assert [step["users"] for step in report["steps"]] == [1, 2]
    for step in report["steps"]:
        assert step["requests"] > 0
        assert step["requests_per_second"] > 0
        assert step["failures"] == 0, step["errors"]
        assert 0 < step["p50_ms"] <= step["p95_ms"] <= step["p99_ms"]
        assert step["max_ms"] > 0  # exact, where locust rounds the percentiles
        cpu = step["cpu_ms_per_request"]
        assert cpu["application"] > 0
        assert cpu["postgresql"] > 0
        assert step["cpu"]["workers_seen"] == 2
        assert step["cpu"]["backends_seen"] >= 1
    reads = {e["name"] for step in report["steps"] for e in step["endpoints"]}
    assert {"case list", "case detail", "search, Latin", "search, Khmer"} <= reads
