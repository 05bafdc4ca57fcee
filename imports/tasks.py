"""Celery tasks of the imports: thin wrappers around imports.running."""

from __future__ import annotations

from celery import shared_task

from imports.running import import_run


@shared_task(name="imports.tasks.import_run", acks_late=True, ignore_result=True)
def import_run_task(import_id: int) -> None:
    """Runs one import. Claiming it first makes a second message for it do nothing."""
    import_run(import_id=import_id)
