"""Celery tasks of the imports: thin wrappers around imports.running."""

from __future__ import annotations

from celery import shared_task

from imports.running import import_run, import_sweep


@shared_task(name="imports.tasks.import_run", acks_late=True, ignore_result=True)
def import_run_task(import_id: int) -> None:
    """Runs one import. Claiming it first makes a second message for it do nothing."""
    import_run(import_id=import_id)


@shared_task(name="imports.tasks.import_sweep", ignore_result=True)
def import_sweep_task() -> int:
    """Fails the imports whose worker died and queues again those whose task message was lost.
    Run by beat; returns how many it failed."""
    result = import_sweep()
    for import_id in result.requeue:
        import_run_task.delay(import_id)
    return result.stalled
