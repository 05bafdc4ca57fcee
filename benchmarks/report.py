"""The benchmark's report as Markdown (for docs/performance.md) and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.run import P95_TARGETS_MS, Report

METRIC_LABELS = {
    "case_list": "case list (open cases, scoped)",
    "search_latin": "name search, Latin letters",
    "search_khmer": "name search, Khmer script",
    "search_begun": "name search, Latin, each word's last letter left off",
    "case_detail": "case detail",
    "incoming_referrals": "incoming referrals (waiting)",
    "incoming_referrals_all": "incoming referrals (all)",
    "referrals_both": "referrals sent and received (no direction)",
    "follow_ups_due": "follow-ups due",
    "create_case": "write: create case",
    "accept_referral": "write: accept referral",
    "complete_follow_up": "write: complete follow-up",
    "reminder_sweep": "reminder sweep, whole dataset",
    "reminder_sweep_day": "reminder sweep, a day later",
    "case_list_sql_floor": "case list: raw SQL floor",
    "case_list_naive": "case list: naive baseline",
    "statistics": "statistics (the dashboards' and reports' questions)",
    "statistics_rebuild": "statistics store built whole",
    "statistics_refresh": "statistics store refreshed (changes since the last)",
    "caseload": "caseload of a supervisor's team",
}


def _cell(value: Any) -> str:
    return "" if value is None else f"{value:,.1f}" if isinstance(value, float) else str(value)


def markdown(report: Report) -> str:
    data = report.as_dict()
    machine, dataset = data["machine"], data["dataset"]
    rows = dataset["approximate_rows"]
    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB; "
        f"{machine['postgresql']}; Python {machine['python']}, Django {machine['django']}; "
        f"load average at the start {machine['load_average']}; a fixed piece of Python "
        f"took {machine['python_speed_ms']} ms of CPU at the start (benchmarks.measure."
        "python_speed_ms: compare runs by it).",
        "",
        f"Dataset: {rows.get('cases_case', 0):,} cases, {rows.get('cases_child', 0):,} children, "
        f"{rows.get('referrals_referral', 0):,} referrals, "
        f"{rows.get('reintegration_followup', 0):,} follow-ups, "
        f"{rows.get('audit_auditevent', 0):,} audit events (planner estimates); "
        f"reference moment {dataset['reference']}.",
        "",
        f"Transport: {data['transport']}.",
        "",
        "| measure | persona | n | p50 ms | p95 ms | app CPU p50 ms | SQL per request "
        "| target p95 | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for row in data["measurements"]:
        target = P95_TARGETS_MS.get(row["metric"])
        queries = ", ".join(map(str, row["queries"]))
        statuses = "" if row["statuses"] in ([200], [201]) else f" (HTTP {row['statuses']})"
        lines.append(
            f"| {METRIC_LABELS.get(row['metric'], row['metric'])} | {row['persona']} | {row['n']} "
            f"| {_cell(row['p50_ms'])} | {_cell(row['p95_ms'])} | {_cell(row['cpu_p50_ms'])} "
            f"| {queries} "
            f"| {target or ''} | {row['note']}{statuses} |"
        )
    lines += ["", "| check | persona | value | met |", "| --- | --- | --- | --- |"]
    for check in data["checks"]:
        lines.append(
            f"| {check['check']} | {check['persona']} | {check['value']} "
            f"| {'yes' if check['met'] else '**no**'} |"
        )
    memory = data["memory"]
    if memory:
        lines += [
            "",
            f"Memory of the worker over {memory['requests']:,} requests as {memory['persona']}: "
            f"RSS (MB) after n requests {memory['rss_mb']}; growth after warm-up "
            f"{memory['growth_after_warmup_mb']} MB.",
        ]
    export = data["export"]
    if export:
        lines += [
            "",
            f"Case export as {export['persona']}: {export['rows']:,} rows as {export['format']} "
            f"({export['status']}), requested in {export['request_ms']:,} ms, built in "
            f"{export['build_s']:,} s into {export['file_mb']} MB; the process's memory "
            f"{export['rss_before_mb']} MB before, {export['rss_peak_mb']} MB at its peak, "
            f"{export['rss_growth_after_first_quarter_mb']} MB of growth after the build's first "
            "quarter.",
        ]
    return "\n".join(lines) + "\n"


def write_report(output: Path, text: str, data: dict[str, Any], say: Callable[[str], Any]) -> None:
    """``text`` (Markdown) and ``data`` (JSON) written at the path prefix ``output``, the text
    also said: what every benchmark command leaves behind."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".md").write_text(text, encoding="utf-8")
    output.with_suffix(".json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    say(text)
    say(f"Written to {output.with_suffix('.md')} and {output.with_suffix('.json')}.")
