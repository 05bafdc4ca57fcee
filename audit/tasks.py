"""Celery tasks of the audit trail: thin wrappers around its services."""

from __future__ import annotations

from celery import shared_task

from audit import anchors


@shared_task(ignore_result=True)
def audit_anchor() -> int | None:
    """Writes a signed anchor of the chain's head. Run by beat every few minutes; a run that
    finds nothing new since the newest anchor writes nothing."""
    anchor = anchors.anchor_write()
    return anchor.last_id if anchor is not None else None
