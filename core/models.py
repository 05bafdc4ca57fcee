from __future__ import annotations

from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The answer given to a creation made with an ``Idempotency-Key``: the same key from the
    same user gets the same answer again, and nothing is created twice."""

    user_id = models.BigIntegerField()
    scope = models.CharField(max_length=64, help_text="Which creation, e.g. 'cases.create'.")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    # The answer's headers that a replay gives again (its ETag, so the client can edit what it
    # created without reading it first).
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "scope", "key"], name="idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
