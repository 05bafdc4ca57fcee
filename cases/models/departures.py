"""When a case left a person's reach: a partner system keeping a copy of what its user sees
asks for these (``GET /api/v1/cases/gone/``) and forgets those cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models.case import Case


class DepartureReason(models.TextChoices):
    TRANSFER = "transfer"
    ASSIGNMENT = "assignment"
    GRANT_ENDED = "grant_ended"
    UNNAMED = "unnamed"


class CaseDeparture(models.Model):
    """``user`` could see ``case`` until ``at`` and no longer could: written by the service
    that took it away, for the people who actually lost it (cases.services.departures)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="departures")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=20, choices=DepartureReason)

    class Meta:
        indexes = [
            # The gone feed: a user's departures since a moment, in order (cases.selectors).
            models.Index(fields=["user", "at", "id"], name="case_departure_feed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} left {self.user_id} at {self.at:%Y-%m-%d %H:%M}"
