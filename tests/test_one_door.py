"""A single case is reached through the door (cases.policy.case_get) only: code that fetches or
locks one case by itself would skip the visibility check, the 404 that hides what is out of
reach, and the one rule of what may be done. The few places that must do without the door say
why below; a new one fails this test until it is justified here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "audit",
    "cases",
    "core",
    "cpims",
    "notifications",
    "referrals",
    "reintegration",
)
SINGLE_CASE = re.compile(r"Case\.objects\.(?:get\(|select_for_update\(|filter\(pk=)")

# path -> how many such lines it may hold, and why.
WITHOUT_THE_DOOR = {
    # The policy itself: whether a grant or an area grant lets someone record in a section of a
    # case (may_record_in_section), asked of a case the caller already holds.
    "cases/policy.py": 1,
    # A transfer hands the case to a worker of another agency, who does not see it before.
    "cases/services/case.py": 1,
    # The reminder sweep moves a case's next reminder time: bookkeeping, no case data read.
    "cases/reminders.py": 1,
    # A commune member records the visits of a case she does not see (an area grant opens the
    # follow-ups alone): the visit's own selector and may_record_in_section decide.
    "reintegration/services.py": 1,
}


def _single_case_lines() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = [line.strip() for line in path.read_text().splitlines()]
            hits = [line for line in lines if SINGLE_CASE.search(line)]
            if hits:
                found[str(path.relative_to(ROOT))] = hits
    return found


def test_a_single_case_is_reached_through_the_door_only() -> None:
    found = _single_case_lines()
    unjustified = {
        path: lines for path, lines in found.items() if len(lines) > WITHOUT_THE_DOOR.get(path, 0)
    }
    assert not unjustified, (
        "reach a single case through cases.policy.case_get (or justify it in this test): "
        f"{unjustified}"
    )


def test_the_pattern_finds_what_it_looks_for() -> None:
    assert SINGLE_CASE.search("case = Case.objects.get(pk=case_id)")
    assert SINGLE_CASE.search("Case.objects.filter(pk=1).first()")
    assert SINGLE_CASE.search('Case.objects.select_for_update(of=("self",))')
    assert not SINGLE_CASE.search("visible_cases(user).filter(pk=case_id)")
