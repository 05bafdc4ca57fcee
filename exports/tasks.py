"""Celery tasks of the exports: thin wrappers around exports.build."""

from __future__ import annotations

from celery import shared_task

from exports import build


@shared_task(name="exports.tasks.export_build", acks_late=True, ignore_result=True)
def export_build_task(export_id: int) -> None:
    """Builds one export's file. Claiming the export first makes a second message for it (a
    retry, the sweep's) do nothing."""
    build.export_build(export_id=export_id)


@shared_task(ignore_result=True)
def export_sweep() -> int:
    """Deletes the files of expired exports, fails those whose worker died and queues again
    those whose task message was lost. Run by beat; returns how many files it deleted."""
    result = build.export_sweep()
    for export_id in result.requeue:
        export_build_task.delay(export_id)
    return result.deleted
