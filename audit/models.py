from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One thing somebody did or saw. Rows are only ever inserted: each carries the hash of the
    previous row, ``verify_audit`` checks the chain, and on PostgreSQL a trigger refuses UPDATE
    and DELETE. Actor and agency are plain ids (not foreign keys) so the trail outlives, and never
    cascades from, the rows it speaks of."""

    created_at = models.DateTimeField(default=timezone.now)
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    agency_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The case an event belongs to, whatever its object, so a case's history is one lookup.
    case_id = models.BigIntegerField(null=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # GET /cases/{id}/history/
            models.Index(fields=["case_id", "id"], name="audit_case_idx"),
            # "what did this person do": investigations of misuse
            models.Index(fields=["actor_id", "id"], name="audit_actor_idx"),
            # the history of one object (a user, an agency)
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"
