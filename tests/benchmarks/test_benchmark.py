"""The acceptance run at CI size: a 20,000-case dataset, then the whole benchmark on it, so
neither command can rot. No timing is asserted (the machine decides those); what is asserted
is that every measure ran and answered as it should, and the SQL shape and plan checks hold."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from benchmarks.run import CPU_BUDGETS_MS

pytestmark = pytest.mark.django_db

EXPECTED = {
    "case_list",
    "search_latin",
    "search_khmer",
    "search_begun",
    "case_detail",
    "incoming_referrals",
    "incoming_referrals_all",
    "referrals_both",
    "follow_ups_due",
    "create_case",
    "accept_referral",
    "reminder_sweep",
    "reminder_sweep_day",
    "case_list_sql_floor",
    "case_list_naive",
}


def test_generate_20000_cases_then_run_the_whole_benchmark(tmp_path: Path) -> None:
    call_command(
        "generate_dataset", cases=20_000, seed="ci", as_of=date(2026, 6, 30), stdout=io.StringIO()
    )
    output = io.StringIO()
    call_command(
        "benchmark",
        repeat=5,
        warmup=1,
        budget=2,
        memory_requests=40,
        output=tmp_path / "run",
        stdout=output,
    )

    report = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert (tmp_path / "run.md").read_text(encoding="utf-8") in output.getvalue()
    measured = {m["metric"] for m in report["measurements"] if m["n"]}
    assert measured >= EXPECTED
    personas = {m["persona"] for m in report["measurements"] if m["metric"] == "case_list"}
    assert personas == {
        "commune",
        "provincial_worker",
        "provincial_supervisor",
        "national",
        "analyst",
    }
    for measurement in report["measurements"]:
        expected = {201} if measurement["metric"] == "create_case" else {200}
        assert set(measurement["statuses"]) == expected, measurement
    sweep = next(m for m in report["measurements"] if m["metric"] == "reminder_sweep")
    assert sweep["note"] == "nothing due"
    # Plans that cannot flip: on fresh statistics, no main list scans the cases or the
    # referrals whole or reads more than a small share of them for a page, whether planned
    # for the persona's parameters or run as a prepared statement after its first runs.
    plan_checks = [c for c in report["checks"] if " plan reads " in c["check"]]
    prepared_checks = [c for c in plan_checks if " prepared plan " in c["check"]]
    assert len(plan_checks) == 12 * len(personas)
    assert len(prepared_checks) == 6 * len(personas)
    assert all(check["met"] for check in plan_checks), [c for c in plan_checks if not c["met"]]
    # Each request's CPU in this process is measured, and held to its measure's budget.
    budgeted = [m for m in report["measurements"] if m["metric"] in CPU_BUDGETS_MS and m["n"]]
    assert all(m["cpu_p50_ms"] > 0 for m in budgeted), budgeted
    cpu_checks = [c for c in report["checks"] if "application CPU p50" in c["check"]]
    assert len(cpu_checks) == len(budgeted)
    shape_checks = [c for c in report["checks"] if c["check"].startswith("queries constant")]
    assert shape_checks
    assert all(check["met"] for check in shape_checks), shape_checks
    assert report["memory"]["requests"] == 40
