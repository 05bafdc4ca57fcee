"""The load benchmark's report as Markdown (for docs/performance.md)."""

from __future__ import annotations

from typing import Any

from benchmarks.load.run import LoadReport


def _ms(value: Any) -> str:
    return "" if value is None else f"{value:,.0f}"


def markdown(report: LoadReport) -> str:
    data = report.as_dict()
    machine, rows = data["machine"], data["dataset"]["approximate_rows"]
    options = data["options"]
    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB; "
        f"{machine['postgresql']}; Python {machine['python']}, Django {machine['django']}; "
        f"load average at the start {machine['load_average']}.",
        "",
        f"Dataset: {rows.get('cases_case', 0):,} cases, {rows.get('referrals_referral', 0):,} "
        f"referrals, {rows.get('reintegration_followup', 0):,} follow-ups (planner estimates).",
        "",
        f"Server: {data['server']}. Each step {options['seconds']} s (at most "
        f"{options['max_requests']:,} requests), after a {options['warmup_seconds']} s warm-up; "
        f"personas in turn: {', '.join(data['personas'])}. Percentiles as locust rounds them: "
        "to 1 ms under 100 ms, to 10 ms under 1 s, to 100 ms above.",
        "",
        "| users | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| app CPU ms/req | PostgreSQL CPU ms/req | load tool CPU ms/req | machine busy (others) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in data["steps"]:
        cpu = step["cpu_ms_per_request"]
        lines.append(
            f"| {step['users']} | {step['requests']:,} | {step['requests_per_second']:,.1f} "
            f"| {_ms(step['p50_ms'])} | {_ms(step['p95_ms'])} | {_ms(step['p99_ms'])} "
            f"| {step['failures']} | {cpu['application']} | {cpu['postgresql']} "
            f"| {cpu['load_tool']} "
            f"| {step['machine_busy_percent']} % ({step['others_percent']} %) |"
        )
    names = sorted({e["name"] for step in data["steps"] for e in step["endpoints"]})
    if names:
        users = [step["users"] for step in data["steps"]]
        lines += [
            "",
            "p50 / p95 ms of each request, by number of users:",
            "",
            "| request | " + " | ".join(f"{n} users" for n in users) + " |",
            "| --- |" + " ---: |" * len(users),
        ]
        for name in names:
            cells = []
            for step in data["steps"]:
                found = next((e for e in step["endpoints"] if e["name"] == name), None)
                cells.append(f"{_ms(found['p50_ms'])} / {_ms(found['p95_ms'])}" if found else "")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    errors = [(step["users"], error) for step in data["steps"] for error in step["errors"]]
    if errors:
        lines += ["", "Errors:", ""]
        lines += [
            f"- {users} users, {error['endpoint']}: {error['error']} ({error['count']} times)"
            for users, error in errors
        ]
    return "\n".join(lines) + "\n"
