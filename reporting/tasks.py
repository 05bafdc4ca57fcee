"""Beat keeps the statistics store current (reporting.facts)."""

from __future__ import annotations

from celery import shared_task

from reporting.facts import facts_refresh


@shared_task
def statistics_refresh() -> int:
    """Rewrites the facts of the cases changed since the last refresh; returns how many."""
    result = facts_refresh()
    return result.cases if result else 0


@shared_task
def statistics_rebuild() -> int:
    """Rewrites every fact: catches what no ``updated_at`` shows."""
    result = facts_refresh(full=True)
    return result.cases if result else 0
